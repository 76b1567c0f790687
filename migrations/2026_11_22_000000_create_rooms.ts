import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep working on the schema as it was when it
// was written. It imports nothing from server/.

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name === 'PostgresAdapter';
}

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = isPostgres(db);
  const bytes = postgres ? sql`bytea` : sql`blob`;
  const timestamp = postgres ? sql`timestamptz` : sql`text`;

  await db.schema
    .createTable('rooms')
    .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('language', 'varchar(32)', (col) => col.notNull())
    .addColumn('title', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('code', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('state', bytes, (col) => col.notNull())
    .addColumn('state_version', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', timestamp, (col) => col.notNull())
    .addColumn('updated_at', timestamp, (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('room_updates')
    .addColumn('id', postgres ? 'bigserial' : 'integer', (col) =>
      postgres ? col.primaryKey() : col.primaryKey().autoIncrement(),
    )
    .addColumn('room_id', 'varchar(64)', (col) => col.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('update', bytes, (col) => col.notNull())
    .addColumn('created_at', timestamp, (col) => col.notNull())
    .execute();

  await db.schema.createIndex('room_updates_room_id_id').on('room_updates').columns(['room_id', 'id']).execute();
  await db.schema.createIndex('rooms_updated_at').on('rooms').column('updated_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('room_updates').execute();
  await db.schema.dropTable('rooms').execute();
}
