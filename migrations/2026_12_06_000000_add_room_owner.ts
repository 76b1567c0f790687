import type { Kysely } from 'kysely';

// Frozen in time; imports nothing from server/. Room owners (issue 18): the
// hash of the owner key (rooms made before have no owner), the settings an
// owner changes (`locked`, `max_editors`; the document's `meta` carries them
// too, see shared/protocol.ts), the edit id a rotation gives the room while
// `rooms.id` stays the key every table and the document use (`edit_id`,
// null until the first rotation: the edit id is then `id`), and the owner's
// private notes, deleted with the room.

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name === 'PostgresAdapter';
}

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = isPostgres(db);
  await db.schema.alterTable('rooms').addColumn('owner_key_hash', 'varchar(64)').execute();
  await db.schema.alterTable('rooms').addColumn('locked', 'boolean', (col) => col.notNull().defaultTo(false)).execute();
  await db.schema.alterTable('rooms').addColumn('max_editors', 'integer').execute();
  await db.schema.alterTable('rooms').addColumn('edit_id', 'varchar(64)').execute();
  await db.schema.createIndex('rooms_edit_id').on('rooms').column('edit_id').unique().execute();
  await db.schema
    .createTable('room_notes')
    .addColumn('room_id', 'varchar(64)', (col) => col.primaryKey().references('rooms.id').onDelete('cascade'))
    .addColumn('text', 'text', (col) => col.notNull())
    .addColumn('updated_at', postgres ? 'timestamptz' : 'text', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('room_notes').execute();
  await db.schema.dropIndex('rooms_edit_id').execute();
  for (const column of ['edit_id', 'max_editors', 'locked', 'owner_key_hash']) {
    await db.schema.alterTable('rooms').dropColumn(column).execute();
  }
}
