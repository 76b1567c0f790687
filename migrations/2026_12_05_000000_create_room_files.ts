import type { Kysely } from 'kysely';

// Frozen in time; imports nothing from server/. The files of each room as
// plain text, for SQL readers (the Yjs state in `rooms.state` stays the
// truth): written by every fold, deleted with the room by the cascade.
// Rooms stored before this migration get their rows at their next fold.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('room_files')
    .addColumn('room_id', 'varchar(64)', (col) => col.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('path', 'text', (col) => col.notNull())
    .addColumn('file_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('language', 'varchar(32)', (col) => col.notNull())
    .addColumn('content', 'text', (col) => col.notNull())
    .addColumn('size', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('room_files_pkey', ['room_id', 'path'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('room_files').execute();
}
