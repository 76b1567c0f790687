import { sql, type Kysely } from 'kysely';

// Frozen in time; imports nothing from server/. The runs of a room (issue 16):
// deleted with their room (foreign key, cascade), at most one queued or
// running per room (a partial unique index, so two instances cannot both
// accept a second run).

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name === 'PostgresAdapter';
}

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = isPostgres(db);
  const timestamp = postgres ? sql`timestamptz` : sql`text`;
  await db.schema
    .createTable('runs')
    .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('room_id', 'varchar(64)', (col) => col.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('language', 'varchar(32)', (col) => col.notNull())
    .addColumn('status', 'varchar(16)', (col) => col.notNull())
    .addColumn('started_by', 'text', (col) => col.notNull())
    .addColumn('instance', 'varchar(64)', (col) => col.notNull())
    .addColumn('exit_code', 'integer')
    .addColumn('signal', 'varchar(32)')
    .addColumn('stdout', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('stderr', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('output', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('truncated', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('message', 'text')
    .addColumn('queued_at', timestamp, (col) => col.notNull())
    .addColumn('started_at', timestamp)
    .addColumn('finished_at', timestamp)
    .addColumn('wall_ms', 'integer')
    .addColumn('cpu_ms', 'integer')
    .addColumn('max_rss_kb', 'integer')
    .execute();
  await db.schema.createIndex('runs_room_id_queued_at').on('runs').columns(['room_id', 'queued_at']).execute();
  await db.schema
    .createIndex('runs_one_active_per_room')
    .on('runs')
    .column('room_id')
    .unique()
    .where(sql.ref('status'), 'in', ['queued', 'running'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('runs').execute();
}
