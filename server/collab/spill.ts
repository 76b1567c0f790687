import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Document } from '@hocuspocus/server';
import * as Y from 'yjs';
import { isRoomIdFormat } from '../../shared/protocol.ts';
import type { Logger } from '../log.ts';
import type { RoomStore } from '../storage/room-store.ts';

const SUFFIX = '.yjs';

/**
 * The last resort when the database is still away at shutdown: each loaded
 * room's full Yjs state goes to `dir/<roomId>.yjs` (written to a temporary
 * name, then renamed), and the next start puts it into the room's update log
 * before serving anything. Applying a state twice is harmless in Yjs.
 */
export async function spillRooms(dir: string, documents: Iterable<Document>): Promise<number> {
  await fs.mkdir(dir, { recursive: true });
  let count = 0;
  for (const document of documents) {
    const file = path.join(dir, `${document.name}${SUFFIX}`);
    await fs.writeFile(`${file}.tmp`, Y.encodeStateAsUpdate(document));
    await fs.rename(`${file}.tmp`, file);
    count++;
  }
  return count;
}

/** Stores what a previous shutdown spilled; rooms that no longer exist are left in place and logged. */
export async function recoverSpilledRooms(dir: string, store: RoomStore, log: Logger): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0; // nothing was ever spilled
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
    await fs.rm(file);
    log.info({ roomId }, 'stored a room spilled at the last shutdown');
    recovered++;
  }
  return recovered;
}
