import type * as Y from 'yjs';
import { META_LOCKED, META_MAX_EDITORS } from '../../shared/protocol.ts';
import { forgetRoom } from '../lobby/recent-rooms.ts';
import type { Peer } from '../presence/peers.ts';
import { roomPath } from '../routes.ts';
import type { KeyValueStore } from '../storage.ts';
import { createOwnerApi } from './owner-api.ts';
import { forgetOwnerKey, moveOwnerKey } from './owner-key.ts';
import { createOwnerMenu } from './owner-menu.ts';

/**
 * The header's Owner button for the browser that holds the room's owner key:
 * the menu reads the room's settings from its `meta` map, and after a
 * rotation or a deletion this browser forgets the old room (and moves the
 * key to the new ids) before leaving the page.
 */
export function mountOwnerMenu(options: {
  store: KeyValueStore;
  editRoomId: string;
  ownerKey: string;
  meta: Y.Map<unknown>;
  peers(): readonly Peer[];
  notify(message: string, kind?: 'error'): void;
}): HTMLElement {
  const { store, editRoomId, ownerKey, meta } = options;
  return createOwnerMenu({
    api: createOwnerApi(() => editRoomId, ownerKey),
    settings: () => {
      const maxEditors = meta.get(META_MAX_EDITORS);
      return { locked: meta.get(META_LOCKED) === true, maxEditors: typeof maxEditors === 'number' ? maxEditors : undefined };
    },
    peers: options.peers,
    onRotated: (rotated) => {
      if (rotated.roomId) moveOwnerKey(store, editRoomId, rotated.roomId, ownerKey);
      forgetRoom(store, editRoomId);
      location.assign(rotated.roomId ? roomPath(rotated.roomId) : '/');
    },
    onDeleted: () => {
      forgetOwnerKey(store, editRoomId);
      forgetRoom(store, editRoomId);
      location.assign('/');
    },
    notify: options.notify,
  });
}
