import type { Document } from '@hocuspocus/server';
import * as Y from 'yjs';
import type { Logger } from '../log.ts';
import type { RoomStore } from '../storage/room-store.ts';
import { spillRooms, type SpillResult } from './spill.ts';

/** What a shutdown needs to save the rooms it holds. */
export interface ShutdownSaveOptions {
  /** The loaded rooms, read anew on each attempt. */
  documents(): Iterable<Document>;
  /** Folds every changed room and flushes the update log. */
  storeAll(): Promise<void>;
  store: Pick<RoomStore, 'appendUpdates'>;
  /** Spill directories, in the order tried (`config.spillDirs`). */
  spillDirs: readonly string[];
  /** Until then (epoch ms) storage is retried; after it, rooms are spilled. */
  deadline: number;
  log: Logger;
  /**
   * Called whenever an attempt after the deadline could neither store nor
   * spill, with the rooms held; the caller says so in `/health`.
   */
  onStuck(rooms: number): Promise<void> | void;
}

const RETRY_MS = 1_000;
const STUCK_RETRY_MS = 5_000;

/**
 * Stores every loaded room: folded, or else each room's full state as a row
 * of its update log (a fold can fail for one room's own reason while the log
 * still takes rows; the next load applies it). Rejects when the database
 * takes neither.
 */
async function storeRooms(options: ShutdownSaveOptions): Promise<void> {
  try {
    await options.storeAll();
  } catch (error) {
    const rows = [...options.documents()].map((document) => ({ roomId: document.name, update: Y.encodeStateAsUpdate(document) }));
    try {
      if (rows.length > 0) await options.store.appendUpdates(rows);
    } catch {
      throw error;
    }
    options.log.warn({ err: error, rooms: rows.map((row) => row.roomId) }, "shutdown: a fold failed; stored each room's full state in its update log instead");
  }
}

/**
 * Saves every room a shutdown holds, never dropping one: stores them,
 * retrying until `deadline`; then spills them (see `spill.ts`). When neither
 * works the promise stays pending: it reports through `onStuck` and the log,
 * and retries both until one works. Resolves with `undefined` once stored, or
 * with where they were spilled (and why storing failed).
 */
export async function saveRoomsAtShutdown(options: ShutdownSaveOptions): Promise<(SpillResult & { cause: unknown }) | undefined> {
  let stuck = false;
  for (let attempt = 0; ; attempt++) {
    try {
      await storeRooms(options);
      return undefined;
    } catch (error) {
      if (Date.now() > options.deadline) {
        try {
          return { ...(await spillRooms(options.spillDirs, options.documents(), options.log)), cause: error };
        } catch (spillError) {
          stuck = true;
          const rooms = [...options.documents()].map((document) => document.name);
          options.log.error(
            { err: error, spillErr: spillError, rooms, spillDirs: options.spillDirs },
            `shutdown: cannot store or spill ${rooms.length} room(s); staying up and retrying (fix the database or free a spill directory)`,
          );
          await options.onStuck(rooms.length);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(stuck ? STUCK_RETRY_MS : RETRY_MS, 100 * 2 ** attempt)));
    }
  }
}
