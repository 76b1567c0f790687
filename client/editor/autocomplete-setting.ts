import type { KeyValueStore } from '../storage.ts';

/** localStorage key of the person's choice: `"off"` turns the automatic list and the ghost text off. */
export const AUTOCOMPLETE_SETTING_KEY = 'pairpad.autocomplete';

/**
 * Whether the completion list opens by itself while typing and ghost text
 * is shown. `?autocomplete=off` (or `=on`) in the page URL wins over the
 * stored choice, so tests and embedding pages can decide; otherwise the
 * choice kept in `store`, on by default. Ctrl+Space works either way.
 */
export function readAutocompleteSetting(store: KeyValueStore, search: string): boolean {
  const fromUrl = new URLSearchParams(search).get('autocomplete');
  if (fromUrl === 'off' || fromUrl === 'on') return fromUrl === 'on';
  return store.getItem(AUTOCOMPLETE_SETTING_KEY) !== 'off';
}

/** Keeps the person's choice for the next visit. */
export function saveAutocompleteSetting(store: KeyValueStore, on: boolean): void {
  store.setItem(AUTOCOMPLETE_SETTING_KEY, on ? 'on' : 'off');
}
