import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Document } from '@hocuspocus/server';
import * as Y from 'yjs';
import { isRoomIdFormat } from '../../shared/protocol.ts';
import type { Logger } from '../log.ts';
import type { RoomStore } from '../storage/room-store.ts';
import { checkUpdate } from './update-guard.ts';

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

/** A spill directory another user could read or write into; it is skipped. */
export class UnsafeSpillDirError extends Error {
  override name = 'UnsafeSpillDirError';
}

/**
 * Checks that `dir` is a real directory (not a symbolic link), owned by this
 * process's user and writable by no one else: a spill holds room content and
 * edit ids (the file names), and a start applies what it finds there. A
 * directory at a predictable path (the OS temp dir) may have been made by
 * another local user first. Throws {@link UnsafeSpillDirError} otherwise.
 */
async function checkPrivateDir(dir: string): Promise<void> {
  const stat = await fs.lstat(dir);
  if (!stat.isDirectory()) throw new UnsafeSpillDirError(`${dir} is not a directory (a symbolic link?)`);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) throw new UnsafeSpillDirError(`${dir} is owned by uid ${stat.uid}, not by this process (uid ${uid})`);
  if ((stat.mode & 0o022) !== 0) throw new UnsafeSpillDirError(`${dir} is writable by group or others (mode ${(stat.mode & 0o777).toString(8)})`);
}

/** Create-only, never through a symbolic link; readable by this user only. */
const CREATE_PRIVATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Writes each room's full Yjs state to `dir/<roomId>.yjs` (to a temporary
 * name, synced, then renamed, so a file that exists is whole), mode 0600 in
 * a directory of mode 0700 ({@link checkPrivateDir}).
 */
async function spillTo(dir: string, documents: readonly Document[]): Promise<void> {
  if (documents.length === 0) return;
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await checkPrivateDir(dir);
  for (const document of documents) {
    const file = path.join(dir, `${document.name}${SUFFIX}`);
    const temporary = `${file}.tmp`;
    await fs.rm(temporary, { force: true }); // left by a spill that died; unlink never follows a link
    const handle = await fs.open(temporary, CREATE_PRIVATE, 0o600);
    try {
      await handle.writeFile(Y.encodeStateAsUpdate(document));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, file);
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
    await checkPrivateDir(dir);
    names = await fs.readdir(dir);
  } catch (error) {
    if (error instanceof UnsafeSpillDirError) log.warn({ dir }, `not recovering spilled rooms from ${dir}: ${error.message}`);
    return 0; // otherwise nothing was ever spilled here
  }
  let recovered = 0;
  for (const name of names.filter((entry) => entry.endsWith(SUFFIX))) {
    const roomId = name.slice(0, -SUFFIX.length);
    const file = path.join(dir, name);
    if (!isRoomIdFormat(roomId) || !(await store.roomExists(roomId))) {
      log.warn({ roomId, file }, 'spilled room has no stored room; leaving the file');
      continue;
    }
    const update = await readPrivateFile(file);
    const problem = update === undefined ? 'not a regular file of ours' : await refusalOf(update, roomId, store);
    if (update === undefined || problem !== undefined) {
      // Kept for a person to look at, never applied: the guard's invariant holds for stored rooms too.
      await fs.rename(file, `${file}.refused`).catch((error: unknown) => log.warn({ err: error, file }, 'could not set a refused spill file aside'));
      log.error({ roomId, file, problem }, `refused a spilled room update (${problem}); kept as ${file}.refused`);
      continue;
    }
    await store.appendUpdates([{ roomId, update }]);
    // Stored: a file left behind (a read-only directory) is only applied again next time, which is harmless.
    await fs.rm(file).catch((error: unknown) => log.warn({ err: error, roomId, file }, 'stored a spilled room but could not remove its file'));
    log.info({ roomId, file }, 'stored a room spilled at the last shutdown');
    recovered++;
  }
  return recovered;
}

/** The file's bytes, or `undefined` when it is a symbolic link or not a regular file owned by this user. */
async function readPrivateFile(file: string): Promise<Uint8Array | undefined> {
  let handle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') return undefined;
    throw error;
  }
  try {
    const stat = await handle.stat();
    const uid = process.getuid?.();
    if (!stat.isFile() || (uid !== undefined && stat.uid !== uid)) return undefined;
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * Why the update guard refuses `update` against the stored room (the snapshot
 * with its log applied), or `undefined` when it would apply completely
 * inside the layout: a spill is the full state of a room the guard kept
 * clean, so a refusal means the file is not what this server wrote.
 */
async function refusalOf(update: Uint8Array, roomId: string, store: RoomStore): Promise<string | undefined> {
  const stored = await store.loadRoomState(roomId);
  if (!stored) return 'the room is gone';
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, stored.state);
    for (const row of stored.updates) Y.applyUpdate(doc, row.update);
    const verdict = checkUpdate(update, doc);
    return verdict.ok ? undefined : verdict.problem;
  } finally {
    doc.destroy();
  }
}
