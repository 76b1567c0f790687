import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AUTOCOMPLETE_SETTING_KEY, readAutocompleteSetting, saveAutocompleteSetting } from '../../../client/editor/autocomplete-setting.ts';
import { createMemoryStore } from '../../../client/storage.ts';

describe('the autocomplete setting', () => {
  it('is on by default and remembers the person’s choice', () => {
    const store = createMemoryStore();
    expect(readAutocompleteSetting(store, '')).toBe(true);
    saveAutocompleteSetting(store, false);
    expect(store.getItem(AUTOCOMPLETE_SETTING_KEY)).toBe('off');
    expect(readAutocompleteSetting(store, '')).toBe(false);
    saveAutocompleteSetting(store, true);
    expect(readAutocompleteSetting(store, '?x=1')).toBe(true);
  });

  it('takes ?autocomplete=off or =on from the URL over the stored choice', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.constantFrom('off', 'on'), fc.string(), (stored, inUrl, other) => {
        const store = createMemoryStore();
        saveAutocompleteSetting(store, stored);
        const search = `?other=${encodeURIComponent(other)}&autocomplete=${inUrl}`;
        expect(readAutocompleteSetting(store, search)).toBe(inUrl === 'on');
      }),
    );
  });

  it('ignores other values of the URL parameter', () => {
    const store = createMemoryStore();
    saveAutocompleteSetting(store, false);
    expect(readAutocompleteSetting(store, '?autocomplete=maybe')).toBe(false);
  });
});
