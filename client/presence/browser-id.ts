import type { KeyValueStore } from '../storage.ts';

/** localStorage key of {@link loadBrowserId}. */
export const BROWSER_ID_KEY = 'pairpad.userId';

/** What a browser id looks like (and what a peer's `user.id` must look like to be trusted as one). */
export const BROWSER_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * This browser's user id, made on first use and kept in localStorage: every
 * tab of one browser sends it in awareness `user.id`, so others count the
 * person once and do not announce "left" when one of the tabs closes. Not
 * a secret and not an authentication: anyone can send any id.
 */
export function loadBrowserId(store: KeyValueStore, randomBytes: (count: number) => Uint8Array = (count) => crypto.getRandomValues(new Uint8Array(count))): string {
  const stored = store.getItem(BROWSER_ID_KEY);
  if (stored !== null && BROWSER_ID_PATTERN.test(stored)) return stored;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const id = Array.from(randomBytes(16), (byte) => alphabet[byte & 63]).join('');
  store.setItem(BROWSER_ID_KEY, id);
  return id;
}
