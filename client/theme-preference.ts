import type { KeyValueStore } from './storage.ts';

/** A theme the page is drawn in. */
export type Theme = 'light' | 'dark';
/** What the user chose: a theme, or follow `prefers-color-scheme`. */
export type ThemePreference = Theme | 'system';

/** localStorage key of the choice; absent means `system`. */
export const THEME_KEY = 'pairpad.theme';

/** The stored choice; anything unknown reads as `system`. */
export function readThemePreference(store: KeyValueStore): ThemePreference {
  const value = store.getItem(THEME_KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

/** The theme to draw given the choice and whether the system prefers dark. */
export function resolveTheme(preference: ThemePreference, systemPrefersDark: boolean): Theme {
  if (preference === 'system') return systemPrefersDark ? 'dark' : 'light';
  return preference;
}

/**
 * What the toggle switches to: the other theme, or back to following the
 * system when the other theme is what the system prefers anyway.
 */
export function toggleThemePreference(preference: ThemePreference, systemPrefersDark: boolean): ThemePreference {
  const next: Theme = resolveTheme(preference, systemPrefersDark) === 'dark' ? 'light' : 'dark';
  return next === resolveTheme('system', systemPrefersDark) ? 'system' : next;
}

/** Stores a choice (`system` removes the key). */
export function writeThemePreference(store: KeyValueStore, preference: ThemePreference): void {
  if (preference === 'system') store.removeItem(THEME_KEY);
  else store.setItem(THEME_KEY, preference);
}
