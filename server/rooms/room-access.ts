import { isRoomIdFormat } from '../../shared/protocol.ts';
import type { RoomAccess, RoomStore } from '../storage/room-store.ts';

/** Resolves edit and view ids to rooms, remembering answers (ids never change meaning). */
export interface RoomAccessResolver {
  /** The room and access an id grants; `undefined` when malformed (no query) or unknown. */
  resolve(id: string): Promise<RoomAccess | undefined>;
  /** Records a room created here, so its first connections need no query. */
  remember(roomId: string, viewId: string): void;
  /** Forgets ids of a deleted room. */
  forget(...ids: string[]): void;
}

const MAX_ENTRIES = 50_000;

export function createRoomAccessResolver(store: RoomStore): RoomAccessResolver {
  // Insertion-ordered Map as a simple LRU. Unknown ids are not cached, so
  // nobody can fill it with guesses.
  const known = new Map<string, RoomAccess>();
  const remember = (id: string, access: RoomAccess) => {
    known.delete(id);
    known.set(id, access);
    if (known.size > MAX_ENTRIES) known.delete(known.keys().next().value!);
  };
  return {
    async resolve(id) {
      if (!isRoomIdFormat(id)) return undefined;
      const cached = known.get(id);
      if (cached) return cached;
      const access = await store.findRoomAccess(id);
      if (access) remember(id, access);
      return access;
    },
    remember(roomId, viewId) {
      remember(roomId, { roomId, access: 'edit' });
      remember(viewId, { roomId, access: 'view' });
    },
    forget(...ids) {
      for (const id of ids) known.delete(id);
    },
  };
}
