import { describe, expect, it } from 'vitest';
import { THEME_KEY, readThemePreference, resolveTheme, toggleThemePreference, writeThemePreference } from '../../../client/theme-preference.ts';
import { createMemoryStore } from '../../../client/storage.ts';

describe('theme preference', () => {
  it('follows the system by default', () => {
    const store = createMemoryStore();
    expect(readThemePreference(store)).toBe('system');
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    store.setItem(THEME_KEY, 'purple');
    expect(readThemePreference(store)).toBe('system');
  });

  it('toggles to the other theme and back to following the system', () => {
    expect(toggleThemePreference('system', false)).toBe('dark');
    expect(toggleThemePreference('dark', false)).toBe('system');
    expect(toggleThemePreference('system', true)).toBe('light');
    expect(toggleThemePreference('light', true)).toBe('system');
  });

  it('stores a choice and forgets it for system', () => {
    const store = createMemoryStore();
    writeThemePreference(store, 'dark');
    expect(readThemePreference(store)).toBe('dark');
    writeThemePreference(store, 'system');
    expect(store.getItem(THEME_KEY)).toBeNull();
  });
});
