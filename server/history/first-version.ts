import type { Transaction } from 'kysely';
import type { Database } from '../storage/database.ts';
import { encodeChangeIndex, TIME_UNIT_MS } from './change-index.ts';
import { compress } from './compression.ts';
import { insertVersion, type NewVersion } from './history.repository.ts';

/**
 * The first version of a new room (issue 17: creating the room makes it):
 * its whole initial state, which is also its first snapshot. Compressed in
 * zlib's thread pool, off the event loop.
 */
export async function buildFirstVersion(state: Uint8Array, chars: number, time: number): Promise<NewVersion> {
  // At the resolution of every other time in history, so it sorts with them.
  const at = Math.round(time / TIME_UNIT_MS) * TIME_UNIT_MS;
  const [update, changes] = await Promise.all([compress(state), compress(encodeChangeIndex([], new Map()))]);
  return { startedAt: at, at, authors: [], chars, changeCount: 0, update, changes, snapshot: update };
}

/** Stores {@link buildFirstVersion}'s version in the room's creating transaction. */
export async function insertFirstVersion(trx: Transaction<Database>, roomId: string, version: NewVersion): Promise<void> {
  await insertVersion(trx, roomId, version);
}
