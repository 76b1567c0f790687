import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Document } from '@hocuspocus/server';
import * as Y from 'yjs';
import { isRoomIdFormat } from '../../shared/protocol.ts';
import type { Logger } from '../log.ts';
import type { RoomStore } from '../storage/room-store.ts';

const SUFFIX = '.yjs';

/** Where a spill went. */
export interface SpillResult {
  dir: string;
  rooms: number;
}

/** Every spill directory failed; `errors` holds each one's failure, in order. */
export class SpillFailedError extends AggregateError {
  override name = 'SpillFailedError';
}

/**
 * Writes each room's full Yjs state to `dir/<roomId>.yjs` (to a temporary
 * name, synced, then renamed, so a file that exists is whole).
 */
async function spillTo(dir: string, documents: readonly Document[]): Promise<void> {
  if (documents.length === 0) return;
  await fs.mkdir(dir, { recursive: true });
  for (const document of documents) {
    const file = path.join(dir, `${document.name}${SUFFIX}`);
    const handle = await fs.open(`${file}.tmp`, 'w');
    try {
      await handle.writeFile(Y.encodeStateAsUpdate(document));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(`${file}.tmp`, file);
  }
}

/**
 * The last resort when rooms cannot be stored at shutdown: every room goes to
 * the first of `dirs` that takes them all (a full or read-only disk fails its
 * directory, and the next one is tried). The next start puts the files into
 * the rooms' update logs before serving anything; applying a state twice is
 * harmless in Yjs, so a directory that failed halfway leaves only duplicates.
 * Rejects with {@link SpillFailedError} when every directory failed.
 */
export async function spillRooms(dirs: readonly string[], documents: Iterable<Document>, log: Logger): Promise<SpillResult> {
  const rooms = [...documents];
  const errors: unknown[] = [];
  for (const dir of dirs) {
    try {
      await spillTo(dir, rooms);
      return { dir, rooms: rooms.length };
    } catch (error) {
      log.error({ err: error, dir, rooms: rooms.map((room) => room.name) }, `could not spill rooms to ${dir}; trying the next directory`);
      errors.push(error);
    }
  }
  throw new SpillFailedError(errors, `could not spill ${rooms.length} room(s) to any of ${dirs.join(', ')}`);
}

/**
 * Stores what a previous shutdown spilled into any of `dirs`; rooms that no
 * longer exist are left in place and logged. Returns the files stored.
 */
export async function recoverSpilledRooms(dirs: readonly string[], store: RoomStore, log: Logger): Promise<number> {
  let recovered = 0;
  for (const dir of dirs) recovered += await recoverFrom(dir, store, log);
  return recovered;
}

async function recoverFrom(dir: string, store: RoomStore, log: Logger): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0; // nothing was ever spilled here
  }
  let recovered = 0;
  for (const name of names.filter((entry) => entry.endsWith(SUFFIX))) {
    const roomId = name.slice(0, -SUFFIX.length);
    const file = path.join(dir, name);
    if (!isRoomIdFormat(roomId) || !(await store.roomExists(roomId))) {
      log.warn({ roomId, file }, 'spilled room has no stored room; leaving the file');
      continue;
    }
    await store.appendUpdates([{ roomId, update: await fs.readFile(file) }]);
    // Stored: a file left behind (a read-only directory) is only applied again next time, which is harmless.
    await fs.rm(file).catch((error: unknown) => log.warn({ err: error, roomId, file }, 'stored a spilled room but could not remove its file'));
    log.info({ roomId, file }, 'stored a room spilled at the last shutdown');
    recovered++;
  }
  return recovered;
}
