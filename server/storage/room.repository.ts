import type SQLite from 'better-sqlite3';
import type { ExpressionBuilder, Kysely, Transaction } from 'kysely';
import type { Database, Dialect } from './database.ts';
import { toStoredText } from './stored-text.ts';
import type { HistorySegment } from '../history/history.repository.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** What the REST API and the loader need of a stored room, timestamps as ISO-8601. */
export interface RoomRecord {
  id: string;
  viewId: string;
  language: string;
  title: string;
  code: string;
  createdAt: string;
  updatedAt: string;
  /** The owner's settings (`server/owner/`); the document's `meta` carries them too. */
  locked?: boolean;
  maxEditors?: number;
  /** The edit id since a rotation (absent: `id`), and the owner key's hash: what a room stored again from memory must keep. */
  editId?: string;
  ownerKeyHash?: string;
}

/** A room's persisted Yjs content: the snapshot and the log written after it. */
export interface StoredRoomState {
  record: RoomRecord;
  state: Uint8Array;
  stateVersion: number;
  updates: { id: number; update: Uint8Array }[];
}

/** A folded snapshot, written with the plain text in the same row. */
export interface RoomSnapshot {
  state: Uint8Array;
  stateVersion: number;
  code: string;
  language: string;
  title: string;
}

function toIso(value: Date | string): string {
  return new Date(value).toISOString();
}

function toRecord(row: {
  id: string; view_id: string | null; language: string; title: string; code: string;
  created_at: Date | string; updated_at: Date | string; locked?: boolean | number; max_editors?: number | null;
  edit_id?: string | null; owner_key_hash?: string | null;
}): RoomRecord {
  return {
    ...(row.edit_id ? { editId: row.edit_id } : {}),
    ...(row.owner_key_hash ? { ownerKeyHash: row.owner_key_hash } : {}),
    ...(row.locked ? { locked: true } : {}),
    ...(row.max_editors ? { maxEditors: row.max_editors } : {}),
    id: row.id,
    viewId: row.view_id ?? '',
    language: row.language,
    title: row.title,
    code: row.code,
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}

/** Inserts a new room with its seeded snapshot (its text columns by the rule in `stored-text.ts`). */
export async function insertRoom(
  db: Executor,
  room: {
    id: string; viewId: string; ownerKeyHash?: string; editId?: string; locked?: boolean; maxEditors?: number;
    language: string; title: string; code: string; state: Uint8Array; now: Date;
  },
): Promise<RoomRecord> {
  const now = room.now.toISOString();
  await db
    .insertInto('rooms')
    .values({
      id: room.id, view_id: room.viewId, owner_key_hash: room.ownerKeyHash ?? null, edit_id: room.editId ?? null,
      locked: room.locked ? 1 : 0, max_editors: room.maxEditors ?? null, language: toStoredText(room.language), title: toStoredText(room.title), code: toStoredText(room.code),
      state: room.state, state_version: 0, created_at: now, updated_at: now,
    })
    .execute();
  return { id: room.id, viewId: room.viewId, language: room.language, title: room.title, code: room.code, createdAt: now, updatedAt: now };
}

/** The stored room, or `undefined` when there is none. */
export async function findRoomById(db: Executor, id: string): Promise<RoomRecord | undefined> {
  const row = await db
    .selectFrom('rooms')
    .select(['id', 'view_id', 'language', 'title', 'code', 'created_at', 'updated_at', 'locked', 'max_editors'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toRecord(row);
}

/** True when a room with this id is stored. */
export async function roomExists(db: Executor, id: string): Promise<boolean> {
  const row = await db.selectFrom('rooms').select('id').where('id', '=', id).executeTakeFirst();
  return row !== undefined;
}

/** What an id opens, and the room's ids and owner (see `RoomAccess` in `room-store.ts`). */
export interface RoomAccessRow {
  roomId: string;
  access: 'edit' | 'view';
  editId: string;
  viewId: string;
  ownerKeyHash?: string;
}

function toAccess(row: { id: string; view_id: string | null; edit_id: string | null; owner_key_hash: string | null }, id: string | undefined): RoomAccessRow {
  const editId = row.edit_id ?? row.id;
  return {
    roomId: row.id,
    access: id === undefined || id === editId ? 'edit' : 'view',
    editId,
    viewId: row.view_id ?? '',
    ...(row.owner_key_hash ? { ownerKeyHash: row.owner_key_hash } : {}),
  };
}

/**
 * What an id opens: the room it belongs to, and whether it is the edit id or
 * the view id. After a rotation the edit id is `edit_id`, and `id` (the key
 * the tables and the document keep) opens nothing.
 */
export async function findRoomAccess(db: Executor, id: string): Promise<RoomAccessRow | undefined> {
  const row = await db
    .selectFrom('rooms')
    .select(['id', 'view_id', 'edit_id', 'owner_key_hash'])
    .where((eb) => eb.or([eb('edit_id', '=', id), eb.and([eb('id', '=', id), eb('edit_id', 'is', null)]), eb('view_id', '=', id)]))
    .executeTakeFirst();
  return row && toAccess(row, id);
}

/** The ids and owner of the room stored under `roomId` (the key, whatever its edit id is now), as edit access. */
export async function findRoomAccessByKey(db: Executor, roomId: string): Promise<RoomAccessRow | undefined> {
  const row = await db.selectFrom('rooms').select(['id', 'view_id', 'edit_id', 'owner_key_hash']).where('id', '=', roomId).executeTakeFirst();
  return row && toAccess(row, undefined);
}

/** Up to `limit` rooms not changed since `cutoff` (no fold and no log row since). */
export async function findStaleRooms(db: Executor, cutoff: Date, limit: number): Promise<{ id: string; viewId: string }[]> {
  const rows = await db
    .selectFrom('rooms')
    .select(['id', 'view_id'])
    .where((eb) => isStale(eb, cutoff.toISOString()))
    .limit(limit)
    .execute();
  return rows.map((row) => ({ id: row.id, viewId: row.view_id ?? '' }));
}

/** Rooms neither folded nor given a log row since `before` (ISO-8601). */
function isStale(eb: ExpressionBuilder<Database, 'rooms'>, before: string) {
  return eb.and([
    eb('rooms.updated_at', '<', before),
    eb.not(
      eb.exists(
        eb.selectFrom('room_updates').select('room_updates.id').whereRef('room_updates.room_id', '=', 'rooms.id').where('room_updates.created_at', '>=', before),
      ),
    ),
  ]);
}

/**
 * Deletes rooms (and, by cascade, their log) by id. With `cutoff`, only
 * those still stale by {@link findStaleRooms}'s rule, checked by the delete
 * itself, so a room touched since it was found is kept. Returns the ids deleted.
 */
export async function deleteRooms(db: Executor, ids: string[], cutoff?: Date): Promise<string[]> {
  if (ids.length === 0) return [];
  let query = db.deleteFrom('rooms').where('id', 'in', ids);
  if (cutoff) {
    const before = cutoff.toISOString();
    query = query.where((eb) => isStale(eb, before));
  }
  const rows = await query.returning('id').execute();
  return rows.map((row) => row.id);
}

/** Snapshot plus the update log of a room, in log order; `undefined` when the room does not exist. */
export async function loadRoomState(db: Kysely<Database>, id: string): Promise<StoredRoomState | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('rooms').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const updates = await trx
      .selectFrom('room_updates')
      .select(['id', 'update'])
      .where('room_id', '=', id)
      .orderBy('id')
      .execute();
    return { record: toRecord(row), state: row.state, stateVersion: row.state_version, updates };
  });
}

/** Appends updates to the log in one statement; returns the new row ids in input order. */
export async function appendRoomUpdates(
  db: Executor,
  rows: { roomId: string; update: Uint8Array }[],
  now: Date,
): Promise<number[]> {
  const createdAt = now.toISOString();
  const inserted = await db
    .insertInto('room_updates')
    .values(rows.map((row) => ({ room_id: row.roomId, update: row.update, created_at: createdAt })))
    .returning('id')
    .execute();
  return inserted.map((row) => row.id);
}

type SqliteAppend = (rows: { roomId: string; update: Uint8Array; history?: HistorySegment }[], createdAt: string) => number[];
const sqliteAppends = new WeakMap<SQLite.Database, SqliteAppend>();

/**
 * {@link appendRoomUpdates} on SQLite, without Kysely: the group commit runs
 * twenty times a second on the event loop, and one prepared single-row
 * insert run per row in one transaction costs a third of building, preparing
 * and running a new statement of hundreds of parameters each time.
 */
export function appendRoomUpdatesSqlite(database: SQLite.Database, rows: { roomId: string; update: Uint8Array; history?: HistorySegment }[], now: Date): number[] {
  let append = sqliteAppends.get(database);
  if (!append) {
    const insert = database.prepare('insert into "room_updates" ("room_id", "update", "created_at") values (?, ?, ?)');
    // History rows go in the same transaction: an acknowledged change is in the history too.
    const insertHistory = database.prepare('insert into "history_changes" ("room_id", "update", "changes", "first_at", "last_at") values (?, ?, ?, ?, ?)');
    append = database.transaction((batch: { roomId: string; update: Uint8Array; history?: HistorySegment }[], createdAt: string) =>
      batch.map((row) => {
        const id = Number(insert.run(row.roomId, row.update, createdAt).lastInsertRowid);
        if (row.history) insertHistory.run(row.roomId, row.history.update, row.history.changes, row.history.firstAt, row.history.lastAt);
        return id;
      }),
    );
    sqliteAppends.set(database, append);
  }
  return append(rows, now.toISOString());
}

/**
 * Reads a room's snapshot version and log ids, locking the room row (FOR NO KEY UPDATE, which log inserts do not wait for) on
 * Postgres so that two instances never fold the same room at once.
 */
export async function lockRoomForFold(
  trx: Transaction<Database>,
  dialect: Dialect,
  id: string,
): Promise<{ stateVersion: number; updateIds: number[] } | undefined> {
  let query = trx.selectFrom('rooms').select('state_version').where('id', '=', id);
  // SQLite has no row locks; its single writer serialises transactions anyway.
  if (dialect === 'postgres') query = query.forNoKeyUpdate();
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  const updates = await trx.selectFrom('room_updates').select('id').where('room_id', '=', id).orderBy('id').execute();
  return { stateVersion: row.state_version, updateIds: updates.map((update) => update.id) };
}

/** The snapshot bytes of a room (used when another instance folded it since we last looked). */
export async function readRoomSnapshot(db: Executor, id: string): Promise<Uint8Array | undefined> {
  const row = await db.selectFrom('rooms').select('state').where('id', '=', id).executeTakeFirst();
  return row?.state;
}

/** The given log rows of a room, in log order. */
export async function readRoomUpdates(db: Executor, roomId: string, ids: number[]): Promise<Uint8Array[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('room_updates')
    .select('update')
    .where('room_id', '=', roomId)
    .where('id', 'in', ids)
    .orderBy('id')
    .execute();
  return rows.map((row) => row.update);
}

/**
 * Writes a folded snapshot (its text columns by the rule in `stored-text.ts`)
 * and deletes the log rows it contains, inside the caller's transaction.
 */
export async function writeRoomSnapshot(
  trx: Transaction<Database>,
  dialect: Dialect,
  id: string,
  snapshot: RoomSnapshot,
  foldedUpdateIds: number[],
  now: Date,
): Promise<void> {
  await trx
    .updateTable('rooms')
    .set({
      state: snapshot.state,
      state_version: snapshot.stateVersion,
      code: toStoredText(snapshot.code),
      language: toStoredText(snapshot.language),
      title: toStoredText(snapshot.title),
      updated_at: now.toISOString(),
    })
    .where('id', '=', id)
    .execute();
  if (foldedUpdateIds.length === 0) return;
  if (dialect === 'sqlite') {
    // One writer at a time on SQLite: no row below the highest one read can
    // commit later, so a range deletes exactly the rows read (and has one text,
    // so its statement is prepared once).
    await trx.deleteFrom('room_updates').where('room_id', '=', id).where('id', '<=', Math.max(...foldedUpdateIds)).execute();
    return;
  }
  // Delete by id, never by range: on Postgres a row with a lower id may commit
  // after we read the log, and a range would delete it unread.
  for (let start = 0; start < foldedUpdateIds.length; start += 500) {
    await trx
      .deleteFrom('room_updates')
      .where('room_id', '=', id)
      .where('id', 'in', foldedUpdateIds.slice(start, start + 500))
      .execute();
  }
}
