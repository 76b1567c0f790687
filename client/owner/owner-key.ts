import type { KeyValueStore } from '../storage.ts';

/** Where the owner key of a room is kept in this browser (`localStorage`), by the room's edit id. */
const keyOf = (roomId: string) => `pairpad:owner:${roomId}`;

/** The fragment that carries the owner key in `links.owner`: `#owner=<key>`. */
const FRAGMENT = /^#owner=([A-Za-z0-9_-]{16,128})$/;

/**
 * The owner key of `roomId` in this browser: taken from the page's
 * `#owner=` fragment when there is one (then kept, and the fragment removed
 * from the address bar so it is not shared by a copied URL), else the one
 * kept before. The server never sees the fragment.
 */
export function takeOwnerKey(store: KeyValueStore, roomId: string, location: Pick<Location, 'hash' | 'pathname' | 'search'>, history?: Pick<History, 'replaceState'>): string | undefined {
  const match = FRAGMENT.exec(location.hash);
  if (match) {
    store.setItem(keyOf(roomId), match[1]);
    history?.replaceState(null, '', `${location.pathname}${location.search}`);
    return match[1];
  }
  return store.getItem(keyOf(roomId)) ?? undefined;
}

/** Keeps the key under a rotated room's new edit id (the old one opens nothing any more). */
export function moveOwnerKey(store: KeyValueStore, from: string, to: string, key: string): void {
  store.removeItem(keyOf(from));
  store.setItem(keyOf(to), key);
}

/** Forgets the key of a room (deleted, or the key was refused). */
export function forgetOwnerKey(store: KeyValueStore, roomId: string): void {
  store.removeItem(keyOf(roomId));
}
