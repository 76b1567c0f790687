import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/database.ts';
import { isForeignKeyViolation } from '../storage/database-errors.ts';
import { toStoredText } from '../storage/stored-text.ts';
import type { OutputBatch } from './run-output-log.ts';

/**
 * Rows read per statement. On SQLite a read is synchronous, so a whole run's
 * output (up to `RUN_OUTPUT_BYTES`) in one statement would hold the event
 * loop for tens of ms; two batches (~128 KiB) at a time, with a turn of the
 * loop between, keep every stretch short.
 */
const ROWS_PER_READ = 2;

/**
 * Stores one batch of a run's output, the `seq`-th (text by the rule in
 * `stored-text.ts`, which keeps its length and so its segment map). Nothing
 * when the run is gone (its room was deleted while it ran).
 */
export async function appendRunOutput(
  db: Kysely<Database>,
  row: { runId: string; roomId: string; seq: number } & OutputBatch,
): Promise<void> {
  try {
    await db
      .insertInto('run_output')
      .values({ run_id: row.runId, room_id: row.roomId, seq: row.seq, text: toStoredText(row.text), segments: row.segments })
      // A retry after a write that did land (the answer was lost) stores nothing twice.
      .onConflict((conflict) => conflict.columns(['run_id', 'seq']).doNothing())
      .execute();
  } catch (error) {
    if (!isForeignKeyViolation(error)) throw error;
  }
}

/** The stored batches of a run's output, in order (none for a run stored before `run_output`, or one that printed nothing). */
export async function readRunOutput(db: Kysely<Database>, runId: string): Promise<OutputBatch[]> {
  const batches: OutputBatch[] = [];
  for (let from = 0; ; ) {
    const rows = await db
      .selectFrom('run_output')
      .select(['seq', 'text', 'segments'])
      .where('run_id', '=', runId)
      .where('seq', '>=', from)
      .orderBy('seq')
      .limit(ROWS_PER_READ)
      .execute();
    for (const row of rows) batches.push({ text: row.text, segments: row.segments });
    if (rows.length < ROWS_PER_READ) return batches;
    from = rows.at(-1)!.seq + 1;
    await nextTurn();
  }
}
