import type { Hocuspocus } from '@hocuspocus/server';
import type { Logger } from '../log.ts';
import type { RoomStore } from '../storage/room-store.ts';
import type { RoomAccessResolver } from './room-access.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 500;

/** The `ROOM_TTL_DAYS` job: deletes rooms nobody has touched for that long, never a loaded one. */
export interface RoomExpiry {
  /** One pass; resolves with how many rooms it deleted. */
  runOnce(): Promise<number>;
  stop(): void;
}

export function startRoomExpiry({
  ttlDays,
  intervalMs = 60 * 60 * 1000,
  store,
  hocuspocus,
  access,
  log,
}: {
  ttlDays: number;
  intervalMs?: number;
  store: RoomStore;
  hocuspocus: Hocuspocus;
  access: RoomAccessResolver;
  log: Logger;
}): RoomExpiry {
  let running: Promise<number> | undefined;
  const pass = async () => {
    const cutoff = new Date(Date.now() - ttlDays * DAY_MS);
    let deleted = 0;
    for (;;) {
      const stale = await store.findStaleRooms(cutoff, BATCH);
      // A room someone has open, or is opening, is never removed (see `RoomAccessResolver.retire`);
      // the delete itself checks again that each room is still stale.
      const removed = await access.retire(
        stale,
        (roomId) => hocuspocus.documents.has(roomId) || hocuspocus.loadingDocuments.has(roomId),
        (roomIds) => store.deleteRooms(roomIds, cutoff),
      );
      deleted += removed.length;
      if (stale.length < BATCH || removed.length === 0) break;
    }
    if (deleted > 0) log.info({ deleted, ttlDays }, 'deleted rooms untouched for longer than ROOM_TTL_DAYS');
    return deleted;
  };
  const runOnce = () => (running ??= pass().finally(() => (running = undefined)));
  const timer = ttlDays > 0 ? setInterval(() => runOnce().catch((error) => log.error({ err: error }, 'room expiry failed')), intervalMs) : undefined;
  timer?.unref();
  return {
    runOnce,
    stop: () => clearInterval(timer),
  };
}
