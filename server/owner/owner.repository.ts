import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../storage/database.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/**
 * Every table holding rows of a room, by its `room_id` column, deleted
 * before the room's own row. A capability that stores rows of a room (history,
 * chat) adds its table here; the foreign keys cascade too, but an explicit
 * list does not depend on them (nor on SQLite's `foreign_keys` pragma).
 */
export const ROOM_ROW_TABLES = ['room_updates', 'room_files', 'client_keys', 'run_output', 'runs', 'room_notes', 'history_changes', 'history_versions'] as const satisfies readonly (keyof Database)[];

/** Deletes a room and every row of it, in one transaction. Returns false when there was no such room. */
export async function deleteRoomData(db: Kysely<Database>, roomId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    for (const table of ROOM_ROW_TABLES) {
      await trx.deleteFrom(table).where('room_id', '=', roomId).execute();
    }
    const deleted = await trx.deleteFrom('rooms').where('id', '=', roomId).executeTakeFirst();
    return Number(deleted.numDeletedRows) > 0;
  });
}

/** Records the owner's settings beside the document's `meta` (REST reads of a room not loaded use these). */
export async function updateRoomSettings(
  db: Executor,
  roomId: string,
  settings: { locked?: boolean; maxEditors?: number | null; title?: string; language?: string },
): Promise<void> {
  const values: { locked?: number; max_editors?: number | null; title?: string; language?: string } = {};
  // 1/0: better-sqlite3 binds no booleans, and Postgres reads '1'/'0' as one.
  if (settings.locked !== undefined) values.locked = settings.locked ? 1 : 0;
  if (settings.maxEditors !== undefined) values.max_editors = settings.maxEditors;
  if (settings.title !== undefined) values.title = settings.title;
  if (settings.language !== undefined) values.language = settings.language;
  if (Object.keys(values).length === 0) return;
  await db.updateTable('rooms').set(values).where('id', '=', roomId).execute();
}

/** Gives the room stored under `roomId` a new edit id and view id; false when there is no such room. */
export async function rotateRoomIds(db: Executor, roomId: string, ids: { editId: string; viewId: string }): Promise<boolean> {
  const updated = await db.updateTable('rooms').set({ edit_id: ids.editId, view_id: ids.viewId }).where('id', '=', roomId).executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

/** The owner's notes of a room; empty when none were written. */
export async function readRoomNotes(db: Executor, roomId: string): Promise<string> {
  const row = await db.selectFrom('room_notes').select('text').where('room_id', '=', roomId).executeTakeFirst();
  return row?.text ?? '';
}

/** Replaces the owner's notes of a room. */
export async function writeRoomNotes(db: Executor, roomId: string, text: string, now: Date): Promise<void> {
  await db
    .insertInto('room_notes')
    .values({ room_id: roomId, text, updated_at: now.toISOString() })
    .onConflict((oc) => oc.column('room_id').doUpdateSet({ text, updated_at: now.toISOString() }))
    .execute();
}
