import { sql, type Kysely } from 'kysely';

// Frozen in time; imports nothing from server/. Room history (issue 17):
// `history_changes` holds recorded changes not yet grouped into versions
// (written in the same transaction as the update log, so an acknowledged
// change is in it); `history_versions` holds the versions they are grouped
// into (a segment keeps each change's update, so a version may end between
// two changes of one write). Both go with their room (foreign key, cascade). Times are epoch ms.

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name === 'PostgresAdapter';
}

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = isPostgres(db);
  const bytes = postgres ? sql`bytea` : sql`blob`;
  const serial = (col: any) => (postgres ? col.primaryKey() : col.primaryKey().autoIncrement());
  await db.schema
    .createTable('history_changes')
    .addColumn('id', postgres ? 'bigserial' : 'integer', serial)
    .addColumn('room_id', 'varchar(64)', (col) => col.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('update', bytes, (col) => col.notNull())
    .addColumn('changes', bytes, (col) => col.notNull())
    .addColumn('first_at', 'bigint', (col) => col.notNull())
    .addColumn('last_at', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('history_changes_room_id_id').on('history_changes').columns(['room_id', 'id']).execute();

  await db.schema
    .createTable('history_versions')
    .addColumn('id', postgres ? 'bigserial' : 'integer', serial)
    .addColumn('room_id', 'varchar(64)', (col) => col.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('started_at', 'bigint', (col) => col.notNull())
    .addColumn('at', 'bigint', (col) => col.notNull())
    .addColumn('authors', 'text', (col) => col.notNull())
    .addColumn('label', 'text')
    .addColumn('chars', 'integer', (col) => col.notNull())
    .addColumn('change_count', 'integer', (col) => col.notNull())
    .addColumn('update', bytes, (col) => col.notNull())
    .addColumn('changes', bytes, (col) => col.notNull())
    .addColumn('snapshot', bytes)
    .execute();
  await db.schema.createIndex('history_versions_room_id_id').on('history_versions').columns(['room_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('history_versions').execute();
  await db.schema.dropTable('history_changes').execute();
}
