import { isRoomIdFormat } from '../../shared/protocol.ts';
import type { RoomAccess, RoomStore } from '../storage/room-store.ts';

/** Resolves edit and view ids to rooms, remembering answers (ids never change meaning). */
export interface RoomAccessResolver {
  /** The room and access an id grants; `undefined` when malformed (no query) or unknown. */
  resolve(id: string): Promise<RoomAccess | undefined>;
  /**
   * {@link resolve} for a room about to be loaded: waits out an expiry pass
   * deleting it, and keeps it from the next ones for a minute (until it
   * shows as loaded). The room gate calls it.
   */
  /**
   * With `byKey`, `id` is the key a socket already resolved its name to
   * (`collab-socket.ts`, `yjs-bridge.ts`): the room stored under it, whatever
   * its edit id is since a rotation (not cached).
   */
  claim(id: string, options?: { byKey?: boolean }): Promise<RoomAccess | undefined>;
  /**
   * Deletes rooms the expiry job found stale, except any loaded or claimed:
   * `remove` gets the rest and returns the ids it deleted, which are then
   * forgotten. A claim of one of them waits until `remove` is done.
   */
  retire(
    rooms: { id: string; viewId: string }[],
    isLoaded: (roomId: string) => boolean,
    remove: (roomIds: string[]) => Promise<string[]>,
  ): Promise<string[]>;
  /** Records a room created here, so its first connections need no query. */
  remember(roomId: string, viewId: string, ownerKeyHash?: string): void;
  /** Forgets ids of a deleted room. */
  forget(...ids: string[]): void;
}

const MAX_ENTRIES = 50_000;
/** How long a claim keeps a room from expiry; loading takes milliseconds, after that it is loaded. */
const CLAIM_MS = 60_000;

export function createRoomAccessResolver(store: RoomStore): RoomAccessResolver {
  // Insertion-ordered Map as a simple LRU. Unknown ids are not cached, so
  // nobody can fill it with guesses; each socket bounds how many it may ask
  // about (`collab-socket.ts`).
  const known = new Map<string, RoomAccess>();
  const remember = (id: string, access: RoomAccess) => {
    known.delete(id);
    known.set(id, access);
    if (known.size > MAX_ENTRIES) known.delete(known.keys().next().value!);
  };
  /** Room id to when it was last claimed; insertion-ordered, oldest first. */
  const claimed = new Map<string, number>();
  /** Room ids an expiry pass is deleting, with the pass's outcome. */
  const retiring = new Map<string, Promise<unknown>>();
  const claimedRecently = (roomId: string, now: number) => (claimed.get(roomId) ?? -Infinity) > now - CLAIM_MS;

  const forget = (...ids: string[]) => {
    for (const id of ids) known.delete(id);
  };
  const resolve = async (id: string) => {
    if (!isRoomIdFormat(id)) return undefined;
    const cached = known.get(id);
    if (cached) return cached;
    const access = await store.findRoomAccess(id);
    if (access) remember(id, access);
    return access;
  };

  return {
    resolve,
    async claim(id, options) {
      for (;;) {
        const pass = retiring.get(id);
        if (pass) {
          await pass.catch(() => {});
          continue;
        }
        // By key: the name a socket already resolved (an edit id that is not the key since a rotation).
        const access = options?.byKey ? (isRoomIdFormat(id) ? await store.findRoomAccessByKey(id) : undefined) : await resolve(id);
        // Checked and recorded in one step: an expiry pass that starts after
        // this sees the claim, one that started before is waited for.
        if (retiring.has(id)) continue;
        const keyPass = access && retiring.get(access.roomId);
        if (keyPass) {
          await keyPass.catch(() => {});
          continue;
        }
        if (access?.access === 'edit') {
          claimed.delete(access.roomId);
          claimed.set(access.roomId, Date.now());
          if (claimed.size > MAX_ENTRIES) claimed.delete(claimed.keys().next().value!);
        }
        return access;
      }
    },
    async retire(rooms, isLoaded, remove) {
      const now = Date.now();
      for (const [roomId, at] of claimed) {
        if (at > now - CLAIM_MS) break;
        claimed.delete(roomId);
      }
      const candidates = rooms.filter((room) => !isLoaded(room.id) && !claimedRecently(room.id, now));
      if (candidates.length === 0) return [];
      const ids = candidates.map((room) => room.id);
      const pass = remove(ids);
      for (const id of ids) retiring.set(id, pass);
      try {
        const deleted = new Set(await pass);
        for (const room of candidates) if (deleted.has(room.id)) forget(room.id, room.viewId);
        return [...deleted];
      } finally {
        for (const id of ids) if (retiring.get(id) === pass) retiring.delete(id);
      }
    },
    remember(roomId, viewId, ownerKeyHash) {
      const ids = { roomId, editId: roomId, viewId, ...(ownerKeyHash ? { ownerKeyHash } : {}) };
      remember(roomId, { ...ids, access: 'edit' });
      remember(viewId, { ...ids, access: 'view' });
    },
    forget,
  };
}
