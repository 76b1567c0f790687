import { readThemePreference, resolveTheme, toggleThemePreference, writeThemePreference, type Theme } from './theme-preference.ts';
import type { KeyValueStore } from './storage.ts';

/** The page theme: follows `prefers-color-scheme` unless the user toggled it. */
export interface ThemeController {
  /** The theme drawn now. */
  readonly current: Theme;
  /** Switches to the other theme (and remembers it). */
  toggle(): void;
  /** Calls `listener` whenever the drawn theme changes; returns an unsubscribe function. */
  subscribe(listener: (theme: Theme) => void): () => void;
}

/** Applies the stored or system theme to `<html data-theme>` and keeps it current. */
export function startTheme(store: KeyValueStore): ThemeController {
  const media = window.matchMedia('(prefers-color-scheme: dark)');
  const listeners = new Set<(theme: Theme) => void>();
  let current = resolveTheme(readThemePreference(store), media.matches);

  function apply(): void {
    const next = resolveTheme(readThemePreference(store), media.matches);
    document.documentElement.dataset.theme = next;
    document.documentElement.style.colorScheme = next;
    if (next === current) return;
    current = next;
    for (const listener of listeners) listener(next);
  }

  media.addEventListener('change', apply);
  apply();
  return {
    get current() {
      return current;
    },
    toggle() {
      writeThemePreference(store, toggleThemePreference(readThemePreference(store), media.matches));
      apply();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
