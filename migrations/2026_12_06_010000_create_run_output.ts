import type { Kysely } from 'kysely';

// Frozen in time; imports nothing from server/. The output of a run, stored
// once and as it is produced (issue 16): a row per batch of at most a few
// tens of KiB, so no statement writes or reads a whole run's output at once,
// and a run cut short (a crash) keeps what it printed. `text` holds the
// batch's stdout and stderr interleaved in order, by the rule of the text
// columns (NUL and lone surrogates become U+FFFD; see docs/operations.md);
// `segments` says which stream each stretch of it came from: `o` (stdout) or
// `e` (stderr) then a length in UTF-16 code units, repeated (`o120e14o3`).
// The whole output of a run is its rows' `text` in `seq` order.
//
// Runs stored before this keep their output in `runs.stdout`, `stderr` and
// `output` (left as they are, and read as before); newer runs leave those empty.
// Rows go with their run and their room (foreign keys, cascade).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('run_output')
    .addColumn('run_id', 'varchar(64)', (col) => col.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('room_id', 'varchar(64)', (col) => col.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (col) => col.notNull())
    .addColumn('text', 'text', (col) => col.notNull())
    .addColumn('segments', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('run_output_pkey', ['run_id', 'seq'])
    .execute();
  // Deleting a room's rows by room (owner deletion) without a scan.
  await db.schema.createIndex('run_output_room_id').on('run_output').column('room_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('run_output').execute();
}
