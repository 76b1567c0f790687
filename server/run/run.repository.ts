import type { Kysely, Selectable } from 'kysely';
import { toLanguage } from '../../shared/protocol.ts';
import type { RunSummary } from '../../shared/schemas/run-event.schema.ts';
import type { RunStatus } from '../../shared/schemas/run.schema.ts';
import type { Database, RunTable } from '../storage/database.ts';
import { toStoredText } from '../storage/stored-text.ts';
import { decodeOutputBatches, piecesOf, type OutputPieces } from './run-output-log.ts';
import { readRunOutput } from './run-output.repository.ts';

/** The room already has a run queued or running (the partial unique index said so). */
export class RunInProgressError extends Error {
  override name = 'RunInProgressError';
}

/** A new run, as it is queued. */
export interface NewRun {
  id: string;
  roomId: string;
  language: string;
  startedBy: string;
  instance: string;
  queuedAt: Date;
}

/** How a run ended (its output is stored as it goes: `run-output.repository.ts`). */
export interface RunEnd {
  status: RunStatus;
  exitCode: number | null;
  signal: string | null;
  truncated: boolean;
  message: string | null;
  startedAt: Date | null;
  finishedAt: Date;
  wallMs: number | null;
  cpuMs: number | null;
  maxRssKb: number | null;
}

/**
 * A run and its output: what `GET …/runs/:runId` answers. The output stays
 * in the pieces it is held in; `server/http/run-json.ts` writes them out.
 */
export interface RunWithOutput {
  summary: RunSummary;
  output: OutputPieces;
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
const int = (value: number | null) => (value === null ? null : Math.round(value));

function toSummary(row: Selectable<RunTable>): RunSummary {
  return {
    runId: row.id,
    language: toLanguage(row.language),
    status: row.status as RunStatus,
    exitCode: row.exit_code,
    signal: row.signal,
    truncated: Boolean(row.truncated),
    startedBy: row.started_by,
    message: row.message,
    queuedAt: iso(row.queued_at)!,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    wallMs: row.wall_ms,
    cpuMs: row.cpu_ms,
    maxRssKb: row.max_rss_kb,
  };
}

/** No output (yet). */
export const NO_OUTPUT: OutputPieces = { stdout: [], stderr: [], output: [] };

/** A stored run with its output: from `run_output`, or from the row itself for a run stored before that table. */
async function withStoredOutput(db: Kysely<Database>, row: Selectable<RunTable>): Promise<RunWithOutput> {
  const summary = toSummary(row);
  if (row.output !== '' || row.stdout !== '' || row.stderr !== '') return { summary, output: { stdout: [row.stdout], stderr: [row.stderr], output: [row.output] } };
  return { summary, output: piecesOf(decodeOutputBatches(await readRunOutput(db, row.id))) };
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Stores a queued run; rejects with {@link RunInProgressError} when its room has one queued or running. */
export async function insertRun(db: Kysely<Database>, run: NewRun): Promise<RunSummary> {
  try {
    const row = await db
      .insertInto('runs')
      .values({
        id: run.id, room_id: run.roomId, language: run.language, status: 'queued', started_by: toStoredText(run.startedBy),
        instance: run.instance, stdout: '', stderr: '', output: '', truncated: 0, queued_at: run.queuedAt.toISOString(),
        exit_code: null, signal: null, message: null, started_at: null, finished_at: null, wall_ms: null, cpu_ms: null, max_rss_kb: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSummary(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw new RunInProgressError('This room already has a run queued or running');
    throw error;
  }
}

/** The run of this room with this id, or `undefined`. */
export async function findRun(db: Kysely<Database>, roomId: string, runId: string): Promise<RunWithOutput | undefined> {
  const row = await findRunRow(db, roomId, runId);
  return row && withStoredOutput(db, row);
}

/** The run of this room with this id without its output (as its events carry it), or `undefined`. */
export async function findRunSummary(db: Kysely<Database>, roomId: string, runId: string): Promise<RunSummary | undefined> {
  const row = await findRunRow(db, roomId, runId);
  return row && toSummary(row);
}

function findRunRow(db: Kysely<Database>, roomId: string, runId: string) {
  return db.selectFrom('runs').selectAll().where('id', '=', runId).where('room_id', '=', roomId).executeTakeFirst();
}

/** The latest `limit` runs of a room, newest first. */
export async function listRuns(db: Kysely<Database>, roomId: string, limit: number): Promise<RunWithOutput[]> {
  const rows = await db
    .selectFrom('runs')
    .selectAll()
    .where('room_id', '=', roomId)
    .orderBy('queued_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  // One after the other: each reads its output in short statements.
  const runs: RunWithOutput[] = [];
  for (const row of rows) runs.push(await withStoredOutput(db, row));
  return runs;
}

/** Marks a queued run as running. */
export async function markRunStarted(db: Kysely<Database>, runId: string, startedAt: Date): Promise<void> {
  await db.updateTable('runs').set({ status: 'running', started_at: startedAt.toISOString() }).where('id', '=', runId).execute();
}

/** Stores how a run ended (its message by the rule in `stored-text.ts`). */
export async function finishRun(db: Kysely<Database>, runId: string, end: RunEnd): Promise<void> {
  await db
    .updateTable('runs')
    .set({
      status: end.status,
      exit_code: end.exitCode,
      signal: end.signal,
      truncated: end.truncated ? 1 : 0,
      message: end.message === null ? null : toStoredText(end.message),
      started_at: iso(end.startedAt),
      finished_at: end.finishedAt.toISOString(),
      wall_ms: int(end.wallMs),
      cpu_ms: int(end.cpuMs),
      max_rss_kb: int(end.maxRssKb),
    })
    .where('id', '=', runId)
    .execute();
}

/** Every run queued or running, on any instance; with `roomId`, that room's only. */
export async function findActiveRuns(db: Kysely<Database>, roomId?: string): Promise<{ id: string; roomId: string; instance: string }[]> {
  let query = db.selectFrom('runs').select(['id', 'room_id', 'instance']).where('status', 'in', ['queued', 'running']);
  if (roomId !== undefined) query = query.where('room_id', '=', roomId);
  const rows = await query.execute();
  return rows.map((row) => ({ id: row.id, roomId: row.room_id, instance: row.instance }));
}

/** Marks runs that are still queued or running as `failed` with `message`; returns the ids changed. */
export async function failActiveRuns(db: Kysely<Database>, runIds: string[], message: string, now: Date): Promise<string[]> {
  if (runIds.length === 0) return [];
  const rows = await db
    .updateTable('runs')
    .set({ status: 'failed', message, finished_at: now.toISOString() })
    .where('id', 'in', runIds)
    .where('status', 'in', ['queued', 'running'])
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}
