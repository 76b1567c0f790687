import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** The key hashes `clientIds` of a room (every one bound, without `clientIds`) are bound to; ids without a binding are absent. */
export async function findClientKeyHashes(db: Executor, roomId: string, clientIds?: readonly number[]): Promise<Map<number, string>> {
  const bound = new Map<number, string>();
  if (clientIds?.length === 0) return bound;
  let query = db.selectFrom('client_keys').select(['client_id', 'key_hash']).where('room_id', '=', roomId);
  if (clientIds) query = query.where('client_id', 'in', [...clientIds]);
  const rows = await query.execute();
  for (const row of rows) bound.set(Number(row.client_id), row.key_hash);
  return bound;
}

/**
 * Binds a client id of a room to a key hash unless it is bound already, and
 * returns the hash it is bound to now. Insert-if-absent decides a race
 * between two instances binding the same id: the first insert wins, and
 * both read the winner. `undefined` when the room is not stored (deleted).
 */
export async function bindClientKeyHash(db: Executor, roomId: string, clientId: number, keyHash: string, now: Date): Promise<string | undefined> {
  const room = await db.selectFrom('rooms').select('id').where('id', '=', roomId).executeTakeFirst();
  if (!room) return undefined;
  await db
    .insertInto('client_keys')
    .values({ room_id: roomId, client_id: clientId, key_hash: keyHash, created_at: now.toISOString() })
    .onConflict((conflict) => conflict.columns(['room_id', 'client_id']).doNothing())
    .execute();
  return (await findClientKeyHashes(db, roomId, [clientId])).get(clientId);
}
