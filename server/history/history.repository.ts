import type { Kysely, Transaction } from 'kysely';
import type { Database, Dialect } from '../storage/database.ts';
import type { HistoryAuthor } from './change-index.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** Recorded changes of one room from one journal write or fold: written with the update log, grouped into versions later. */
export interface HistorySegment {
  /** Their Yjs updates, one per change (`encodeUpdateList`). */
  update: Uint8Array;
  /** Their change index (`change-index.ts`), not compressed. */
  changes: Uint8Array;
  firstAt: number;
  lastAt: number;
}

/** A stored segment, as the version builder reads it. */
export interface SegmentRow extends HistorySegment {
  id: number;
}

/** A version without its payload (the history list). */
export interface VersionSummary {
  id: number;
  startedAt: number;
  at: number;
  authors: HistoryAuthor[];
  label: string | null;
  chars: number;
  changeCount: number;
  hasSnapshot: boolean;
}

/** A new version's row. */
export interface NewVersion {
  startedAt: number;
  at: number;
  authors: HistoryAuthor[];
  label?: string | null;
  chars: number;
  changeCount: number;
  /** Compressed merged update, compressed change index, compressed snapshot (or null). */
  update: Uint8Array;
  changes: Uint8Array;
  snapshot: Uint8Array | null;
}

function toSummary(row: {
  id: number | string; started_at: number | string; at: number | string; authors: string; label: string | null; chars: number; change_count: number; has_snapshot: number | string | boolean;
}): VersionSummary {
  return {
    id: Number(row.id),
    startedAt: Number(row.started_at),
    at: Number(row.at),
    authors: JSON.parse(row.authors) as HistoryAuthor[],
    label: row.label,
    chars: row.chars,
    changeCount: row.change_count,
    hasSnapshot: Boolean(Number(row.has_snapshot)),
  };
}

const summaryColumns = ['id', 'started_at', 'at', 'authors', 'label', 'chars', 'change_count'] as const;

/** Inserts history segments (inside the caller's transaction, beside the log rows they describe). */
export async function insertHistorySegments(db: Executor, rows: { roomId: string; segment: HistorySegment }[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('history_changes')
    .values(rows.map(({ roomId, segment }) => ({ room_id: roomId, update: segment.update, changes: segment.changes, first_at: segment.firstAt, last_at: segment.lastAt })))
    .execute();
}

/** A room's segments not yet grouped into versions, in the order they were written. */
export async function readHistorySegments(db: Executor, roomId: string): Promise<SegmentRow[]> {
  const rows = await db.selectFrom('history_changes').selectAll().where('room_id', '=', roomId).orderBy('id').execute();
  return rows.map((row) => ({ id: Number(row.id), update: row.update, changes: row.changes, firstAt: Number(row.first_at), lastAt: Number(row.last_at) }));
}

/** Deletes segments grouped into versions; returns how many it deleted (fewer: another instance grouped them first). */
export async function deleteHistorySegments(db: Executor, roomId: string, ids: number[]): Promise<number> {
  let deleted = 0;
  for (let start = 0; start < ids.length; start += 500) {
    const result = await db.deleteFrom('history_changes').where('room_id', '=', roomId).where('id', 'in', ids.slice(start, start + 500)).executeTakeFirst();
    deleted += Number(result.numDeletedRows);
  }
  return deleted;
}

/** Inserts a version; returns its id. */
export async function insertVersion(db: Executor, roomId: string, version: NewVersion): Promise<number> {
  const row = await db
    .insertInto('history_versions')
    .values({
      room_id: roomId, started_at: version.startedAt, at: version.at, authors: JSON.stringify(version.authors), label: version.label ?? null,
      chars: version.chars, change_count: version.changeCount, update: version.update, changes: version.changes, snapshot: version.snapshot,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Versions of a room, oldest first: up to `limit` of those before `before` (the newest ones), or all. */
export async function listVersions(db: Executor, roomId: string, options: { before?: number; limit?: number } = {}): Promise<VersionSummary[]> {
  let query = db
    .selectFrom('history_versions')
    .select([...summaryColumns, (eb) => eb.case().when('snapshot', 'is not', null).then(1).else(0).end().as('has_snapshot')])
    .where('room_id', '=', roomId);
  if (options.before !== undefined) query = query.where('id', '<', options.before);
  query = query.orderBy('id', 'desc');
  if (options.limit !== undefined) query = query.limit(options.limit);
  const rows = await query.execute();
  return rows.reverse().map(toSummary);
}

/** The newest version of a room, or `undefined`. */
export async function findLatestVersion(db: Executor, roomId: string): Promise<VersionSummary | undefined> {
  const [latest] = await listVersions(db, roomId, { limit: 1 });
  return latest;
}

/** One version's summary, or `undefined`. */
export async function findVersion(db: Executor, roomId: string, id: number): Promise<VersionSummary | undefined> {
  const row = await db
    .selectFrom('history_versions')
    .select([...summaryColumns, (eb) => eb.case().when('snapshot', 'is not', null).then(1).else(0).end().as('has_snapshot')])
    .where('room_id', '=', roomId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toSummary(row);
}

/** Which versions a render chain holds: the room, its snapshot's version and each update's version (a render cache's key). */
export interface RenderChainIds {
  roomId: string;
  snapshotId: number | null;
  updateIds: number[];
}

/**
 * What renders version `id` (or the newest, without): the newest snapshot
 * at or before it, and the updates of the versions after that snapshot up
 * to it (all compressed), in order, with the versions they come from.
 * Empty when the room has no versions.
 */
export async function readRenderChain(db: Executor, roomId: string, id?: number): Promise<{ snapshot?: Uint8Array; updates: Uint8Array[]; ids: RenderChainIds }> {
  let base = db.selectFrom('history_versions').select(['id', 'snapshot']).where('room_id', '=', roomId).where('snapshot', 'is not', null);
  if (id !== undefined) base = base.where('id', '<=', id);
  const snapshotRow = await base.orderBy('id', 'desc').limit(1).executeTakeFirst();
  let rest = db.selectFrom('history_versions').select(['id', 'update']).where('room_id', '=', roomId);
  if (snapshotRow) rest = rest.where('id', '>', snapshotRow.id);
  if (id !== undefined) rest = rest.where('id', '<=', id);
  const rows = await rest.orderBy('id').execute();
  return {
    snapshot: snapshotRow?.snapshot ?? undefined,
    updates: rows.map((row) => row.update),
    ids: { roomId, snapshotId: snapshotRow ? Number(snapshotRow.id) : null, updateIds: rows.map((row) => Number(row.id)) },
  };
}

/** Bytes of the updates after the newest snapshot, and how many versions that is (when to take the next snapshot). */
export async function measureSinceSnapshot(db: Executor, roomId: string): Promise<{ bytes: number; versions: number; snapshotBytes: number }> {
  const chain = await readRenderChain(db, roomId);
  return {
    bytes: chain.updates.reduce((sum, update) => sum + update.length, 0),
    versions: chain.updates.length,
    snapshotBytes: chain.snapshot?.length ?? 0,
  };
}

/**
 * The compressed change indexes of the versions whose changes fall between
 * two times (epoch ms), and (when given) after version `afterId` up to
 * version `upToId`, in order.
 */
export async function readVersionIndexes(db: Executor, roomId: string, from: number, to: number, ids: { afterId?: number; upToId?: number } = {}): Promise<Uint8Array[]> {
  let query = db
    .selectFrom('history_versions')
    .select('changes')
    .where('room_id', '=', roomId)
    .where('at', '>=', from)
    .where('started_at', '<=', to);
  if (ids.afterId !== undefined) query = query.where('id', '>', ids.afterId);
  if (ids.upToId !== undefined) query = query.where('id', '<=', ids.upToId);
  const rows = await query.orderBy('id').execute();
  return rows.map((row) => row.changes);
}

/** Sets a version's label. */
export async function setVersionLabel(db: Executor, roomId: string, id: number, label: string): Promise<void> {
  await db.updateTable('history_versions').set({ label }).where('room_id', '=', roomId).where('id', '=', id).execute();
}

/** Locks the room row for a version build (Postgres; SQLite's one writer serialises anyway). False when the room is gone. */
export async function lockRoomForHistory(trx: Transaction<Database>, dialect: Dialect, roomId: string): Promise<boolean> {
  let query = trx.selectFrom('rooms').select('id').where('id', '=', roomId);
  if (dialect === 'postgres') query = query.forNoKeyUpdate();
  return (await query.executeTakeFirst()) !== undefined;
}

/**
 * The first version (by room, then id) after `after` (when given) that is
 * older than `before` (epoch ms) and still holds more than one change, or
 * `undefined`. A pass goes through the table once, along its (room, id) index.
 */
export async function findVersionToThin(db: Executor, before: number, after?: { roomId: string; id: number }): Promise<{ roomId: string; id: number } | undefined> {
  let query = db
    .selectFrom('history_versions')
    .select(['room_id', 'id'])
    .where('at', '<', before)
    .where('change_count', '>', 1);
  if (after) query = query.where((eb) => eb.or([eb('room_id', '>', after.roomId), eb.and([eb('room_id', '=', after.roomId), eb('id', '>', after.id)])]));
  const row = await query.orderBy('room_id').orderBy('id').limit(1).executeTakeFirst();
  return row && { roomId: row.room_id, id: Number(row.id) };
}

/** Up to `limit` versions of a room from version `fromId` on, in order, with their payloads (for thinning). */
export async function readVersionsFrom(
  db: Executor,
  roomId: string,
  fromId: number,
  limit: number,
): Promise<{ id: number; at: number; changeCount: number; update: Uint8Array; changes: Uint8Array }[]> {
  const rows = await db
    .selectFrom('history_versions')
    .select(['id', 'at', 'change_count', 'update', 'changes'])
    .where('room_id', '=', roomId)
    .where('id', '>=', fromId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ id: Number(row.id), at: Number(row.at), changeCount: row.change_count, update: row.update, changes: row.changes }));
}

/** The id of the version just before version `id`, or `undefined` (it is the room's first). */
export async function findPreviousVersionId(db: Executor, roomId: string, id: number): Promise<number | undefined> {
  const row = await db.selectFrom('history_versions').select('id').where('room_id', '=', roomId).where('id', '<', id).orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row ? Number(row.id) : undefined;
}

/**
 * Replaces a version's change index by its coarse one (thinning); false
 * when it was thinned already (another instance did it).
 */
export async function replaceVersionChanges(db: Executor, roomId: string, id: number, changes: Uint8Array, changeCount: number): Promise<boolean> {
  const result = await db
    .updateTable('history_versions')
    .set({ changes, change_count: changeCount })
    .where('room_id', '=', roomId)
    .where('id', '=', id)
    .where('change_count', '>', 1)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
