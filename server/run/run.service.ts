import { randomBytes } from 'node:crypto';
import type { Hocuspocus } from '@hocuspocus/server';
import type { ErrorCode } from '../../shared/errors.ts';
import { RUN_OUTPUT_FLUSH_BYTES, RUN_OUTPUT_FLUSH_MS, type Language } from '../../shared/protocol.ts';
import type { RunSummary } from '../../shared/schemas/run-event.schema.ts';
import { RUN_LIST_LIMIT, type Runtimes, type StartRunRequest } from '../../shared/schemas/run.schema.ts';
import type { RunConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Database } from '../storage/database.ts';
import type { RoomStore } from '../storage/room-store.ts';
import { toStoredText } from '../storage/stored-text.ts';
import type { Kysely } from 'kysely';
import { readRoomFiles } from './room-files.ts';
import type { RunEvents } from './run-events.ts';
import { OUTPUT_BATCH_CHARS, OUTPUT_BATCH_MS, piecesOf, RunOutputLog, sliceWholeCharacters } from './run-output-log.ts';
import { appendRunOutput } from './run-output.repository.ts';
import { RunQueue } from './run-queue.ts';
import {
  failActiveRuns, findActiveRuns, findRun, findRunSummary, finishRun, insertRun, listRuns, markRunStarted, RunInProgressError,
  type RunEnd, type RunWithOutput,
} from './run.repository.ts';
import type { RunFile, RunOutcome, Runner } from './runner.ts';

/** A request the run service refuses, with the REST error code that says why. */
export class RunRefusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RunRefusal';
  }
}

/** What the name of whoever started a run is when none is given. */
export const DEFAULT_STARTED_BY = 'someone';
/** The message of runs a server stopping (or stopped) left unfinished. */
export const SERVER_RESTARTED = 'server restarted';

/** Runs of rooms' code: start, read, list, cancel; the queue, storage and live events behind them. */
export interface RunService {
  /** `GET /api/runtimes`. */
  runtimes(): Promise<Runtimes>;
  /**
   * Queues a run of the room's current files; refuses with {@link RunRefusal}.
   * `client` (the client IP) is whose turn it takes in the queue, which is fair between clients.
   */
  start(roomId: string, request: StartRunRequest, client?: string): Promise<{ runId: string; status: 'queued' }>;
  /** The run, with its output so far (as stored, or from memory when it is running here). */
  get(roomId: string, runId: string): Promise<RunWithOutput | undefined>;
  /** The latest runs of the room, newest first. */
  list(roomId: string): Promise<RunWithOutput[]>;
  /** The ids of the room's runs still queued or running, on any instance (no output read). */
  activeRunIds(roomId: string): Promise<string[]>;
  /** Stops a queued or running run; refuses with {@link RunRefusal} (`run_not_found`, `run_over`). */
  cancel(roomId: string, runId: string): Promise<RunWithOutput>;
  /**
   * Marks runs that a stopped or crashed instance left queued or running as
   * `failed`. Called once at the start (before serving), then, with Redis,
   * now and then for instances that died.
   */
  recoverOrphans(): Promise<number>;
  /** Stops taking runs, ends this instance's as `failed` ("server restarted"). */
  close(): Promise<void>;
}

/** A run queued or running on this instance. */
interface ActiveRun {
  roomId: string;
  summary: RunSummary;
  /** Its output, held once; stored in batches as it comes. */
  output: RunOutputLog;
  /** Batches handed to storage so far (the next one's `seq`). */
  batches: number;
  batchTimer: NodeJS.Timeout | undefined;
  /** Settles when every batch handed to storage is stored (or given up on). */
  storing: Promise<void>;
  abort: AbortController;
  /** Why it is being stopped: a user, or this server shutting down. */
  stopping: 'user' | 'shutdown' | undefined;
  pending: ['stdout' | 'stderr', string][];
  pendingChars: number;
  flushTimer: NodeJS.Timeout | undefined;
  seq: number;
  /** Settles when the run is stored as over. */
  done: Promise<void>;
  settle: () => void;
}

const newRunId = () => randomBytes(12).toString('base64url');

async function withRetries<T>(what: () => Promise<T>, log: Logger, context: object): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await what();
    } catch (error) {
      if (attempt >= 5) throw error;
      log.warn({ err: error, ...context, attempt }, 'storing a run failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

export function createRunService({
  runner,
  config,
  db,
  store,
  hocuspocus,
  events,
  instanceId,
  isInstanceAlive,
  log,
}: {
  /** Undefined when running is off (`RUNNER=off`, or no sandbox here). */
  runner: Runner | undefined;
  config: RunConfig;
  db: Kysely<Database>;
  store: RoomStore;
  hocuspocus: Hocuspocus;
  events: RunEvents;
  /** Who this instance is among those sharing the database (its Redis identifier), stored with each run. */
  instanceId: string;
  /** With Redis: whether the instance that took a run is still up. Without: none other is. */
  isInstanceAlive?: (instance: string) => Promise<boolean>;
  log: Logger;
}): RunService {
  const queue = new RunQueue(config.concurrency);
  const active = new Map<string, ActiveRun>();
  let closing = false;
  /** False until the first {@link RunService.recoverOrphans}, which runs before anything is served. */
  let started = false;
  let runtimeList: Promise<Runtimes['runtimes']> | undefined;
  const listRuntimes = () =>
    (runtimeList ??= (runner ? runner.runtimes() : Promise.resolve([])).catch((error: unknown) => {
      runtimeList = undefined;
      throw error;
    }));

  const withOutput = (run: ActiveRun): RunWithOutput => ({ summary: run.summary, output: piecesOf(run.output.stretches()) });

  /** Hands what the run printed since the last batch to storage, after the batches before it. */
  const storeBatch = (run: ActiveRun) => {
    clearTimeout(run.batchTimer);
    run.batchTimer = undefined;
    const batch = run.output.takeBatch();
    if (!batch) return;
    const row = { runId: run.summary.runId, roomId: run.roomId, seq: run.batches++, ...batch };
    run.storing = run.storing.then(() =>
      withRetries(() => appendRunOutput(db, row), log, { runId: row.runId }).catch((error: unknown) => {
        log.error({ err: error, runId: row.runId, seq: row.seq }, 'could not store a batch of a run\'s output');
      }),
    );
  };

  const flush = (run: ActiveRun) => {
    clearTimeout(run.flushTimer);
    run.flushTimer = undefined;
    if (run.pending.length === 0) return;
    const chunks = run.pending;
    run.pending = [];
    run.pendingChars = 0;
    events.publish(run.roomId, { type: 'run.output', runId: run.summary.runId, seq: run.seq++, chunks });
  };

  const onOutput = (run: ActiveRun) => (stream: 'stdout' | 'stderr', text: string) => {
    // Held, sent and stored in the form storage keeps (NUL and lone surrogates as U+FFFD), so a
    // reader sees the same text during the run, from the events and after it.
    const storable = toStoredText(text);
    // A remote engine hands over all the output at once: slice it, so no event is larger than a batch.
    for (const chunk of sliceWholeCharacters(storable, RUN_OUTPUT_FLUSH_BYTES)) appendOutput(run, stream, chunk);
  };

  const appendOutput = (run: ActiveRun, stream: 'stdout' | 'stderr', chunk: string) => {
    run.output.append(stream, chunk);
    if (run.output.unstoredLength >= OUTPUT_BATCH_CHARS) storeBatch(run);
    else run.batchTimer ??= setTimeout(() => storeBatch(run), OUTPUT_BATCH_MS);
    const last = run.pending.at(-1);
    // Consecutive chunks of one stream travel as one.
    if (last && last[0] === stream) last[1] += chunk;
    else run.pending.push([stream, chunk]);
    run.pendingChars += chunk.length;
    if (run.pendingChars >= RUN_OUTPUT_FLUSH_BYTES) flush(run);
    else run.flushTimer ??= setTimeout(() => flush(run), RUN_OUTPUT_FLUSH_MS);
  };

  /** Stores how the run ended, tells the room, and forgets it. */
  const finish = async (run: ActiveRun, outcome: RunOutcome, startedAt: Date | null) => {
    flush(run);
    storeBatch(run);
    const stoppedByShutdown = run.stopping === 'shutdown' && (outcome.status === 'canceled' || outcome.status === 'failed');
    const end: RunEnd = {
      status: stoppedByShutdown ? 'failed' : outcome.status,
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      truncated: outcome.truncated,
      message: stoppedByShutdown ? SERVER_RESTARTED : (outcome.message ?? (outcome.status === 'canceled' ? 'stopped by a user' : null)),
      startedAt,
      finishedAt: new Date(),
      wallMs: startedAt ? outcome.wallMs : null,
      cpuMs: outcome.cpuMs,
      maxRssKb: outcome.maxRssKb,
    };
    run.summary = {
      ...run.summary,
      status: end.status,
      exitCode: end.exitCode,
      signal: end.signal,
      truncated: end.truncated,
      message: end.message,
      startedAt: startedAt?.toISOString() ?? null,
      finishedAt: end.finishedAt.toISOString(),
      wallMs: end.wallMs === null ? null : Math.round(end.wallMs),
      cpuMs: end.cpuMs === null ? null : Math.round(end.cpuMs),
      maxRssKb: end.maxRssKb === null ? null : Math.round(end.maxRssKb),
    };
    // The output first: once the run reads as over, a reader of the database expects all of it.
    await run.storing;
    try {
      await withRetries(() => finishRun(db, run.summary.runId, end), log, { runId: run.summary.runId });
    } catch (error) {
      log.error({ err: error, runId: run.summary.runId }, 'could not store how a run ended');
    }
    active.delete(run.summary.runId);
    events.publish(run.roomId, { type: 'run.ended', run: run.summary });
    run.settle();
  };

  const execute = async (run: ActiveRun, job: { language: Language; entry: string; files: RunFile[]; stdin: string; args: string[] }) => {
    const startedAt = new Date();
    try {
      await withRetries(() => markRunStarted(db, run.summary.runId, startedAt), log, { runId: run.summary.runId });
      run.summary = { ...run.summary, status: 'running', startedAt: startedAt.toISOString() };
      events.publish(run.roomId, { type: 'run.started', runId: run.summary.runId, startedAt: startedAt.toISOString() });
      const outcome = run.abort.signal.aborted
        ? canceledOutcome()
        : await runner!.run({ runId: run.summary.runId, ...job, limits: config.limits }, onOutput(run), run.abort.signal);
      await finish(run, outcome, startedAt);
    } catch (error) {
      log.error({ err: error, runId: run.summary.runId }, 'a run failed unexpectedly');
      await finish(run, { ...canceledOutcome(), status: 'failed', message: 'the run could not be started' }, startedAt);
    }
  };

  const canceledOutcome = (): RunOutcome => ({
    status: 'canceled', exitCode: null, signal: null, truncated: false, wallMs: 0, cpuMs: null, maxRssKb: null,
  });

  /** Ends a run that never left the queue. */
  const endQueued = (run: ActiveRun, why: 'user' | 'shutdown') => {
    run.stopping = why;
    return finish(run, canceledOutcome(), null);
  };

  const stopHere = (runId: string): boolean => {
    const run = active.get(runId);
    if (!run) return false;
    if (queue.remove(runId)) void endQueued(run, 'user');
    else {
      run.stopping ??= 'user';
      run.abort.abort();
    }
    return true;
  };
  events.onCancelRequest((runId) => void stopHere(runId));

  return {
    async runtimes() {
      if (!runner) return { runner: 'off', runtimes: [] };
      try {
        return { runner: runner.kind, runtimes: await listRuntimes() };
      } catch (error) {
        log.warn({ err: error }, 'could not list the runner\'s runtimes');
        return { runner: runner.kind, runtimes: [] };
      }
    },

    async start(roomId, request, client) {
      if (!runner) throw new RunRefusal('runner_unavailable', 'This server does not run code (RUNNER=off, or no sandbox installed)');
      if (closing) throw new RunRefusal('service_unavailable', 'The server is restarting; try again in a moment');
      const files = await readRoomFiles(hocuspocus, store, roomId);
      if (!files) throw new RunRefusal('room_not_found', 'No such room');
      const known = await listRuntimes().catch(() => undefined);
      // When the engine cannot say what it runs, the run tries anyway (and says why it failed).
      if (known && !known.some((runtime) => runtime.language === files.language)) {
        throw new RunRefusal('language_unsupported', `This server cannot run ${files.language}; GET /api/runtimes lists what it runs`);
      }
      const queuedAt = new Date();
      const startedBy = request.name || DEFAULT_STARTED_BY;
      let summary: RunSummary;
      try {
        summary = await insertRun(db, { id: newRunId(), roomId, language: files.language, startedBy, instance: instanceId, queuedAt });
      } catch (error) {
        if (error instanceof RunInProgressError) throw new RunRefusal('run_in_progress', 'This room already has a run queued or running; wait for it or stop it');
        throw error;
      }
      let settle!: () => void;
      const done = new Promise<void>((resolve) => (settle = resolve));
      const run: ActiveRun = {
        roomId, summary, output: new RunOutputLog(), batches: 0, batchTimer: undefined, storing: Promise.resolve(),
        abort: new AbortController(), stopping: undefined,
        pending: [], pendingChars: 0, flushTimer: undefined, seq: 0, done, settle,
      };
      active.set(summary.runId, run);
      events.publish(roomId, { type: 'run.queued', run: summary });
      queue.push(summary.runId, () => execute(run, { ...files, stdin: request.stdin, args: request.args }), client);
      return { runId: summary.runId, status: 'queued' };
    },

    async get(roomId, runId) {
      const run = active.get(runId);
      if (run && run.roomId === roomId) return withOutput(run);
      return findRun(db, roomId, runId);
    },

    async list(roomId) {
      const runs = await listRuns(db, roomId, RUN_LIST_LIMIT);
      return runs.map((stored) => {
        const run = active.get(stored.summary.runId);
        return run ? withOutput(run) : stored;
      });
    },

    async activeRunIds(roomId) {
      return (await findActiveRuns(db, roomId)).map((run) => run.id);
    },

    async cancel(roomId, runId) {
      const run = active.get(runId);
      if (run && run.roomId === roomId) {
        stopHere(runId);
        return withOutput(run);
      }
      const stored = await findRun(db, roomId, runId);
      if (!stored) throw new RunRefusal('run_not_found', 'No such run in this room');
      if (stored.summary.status !== 'queued' && stored.summary.status !== 'running') throw new RunRefusal('run_over', `The run is already over (${stored.summary.status})`);
      // Another instance has it; without Redis there is none (it was left by a stop).
      if (!events.requestCancel(runId)) await failActiveRuns(db, [runId], SERVER_RESTARTED, new Date());
      return (await findRun(db, roomId, runId)) ?? stored;
    },

    async recoverOrphans() {
      const orphans: { id: string; roomId: string }[] = [];
      const atStart = !started;
      started = true;
      for (const run of await findActiveRuns(db)) {
        if (active.has(run.id)) continue;
        // This instance's own runs are all in `active` once it serves (one just stored may not be yet);
        // at the start, a row with its id is one a previous process of the same id (no Redis: `local`) left.
        if (run.instance === instanceId && !atStart) continue;
        const alive = run.instance !== instanceId && isInstanceAlive ? await isInstanceAlive(run.instance).catch(() => true) : false;
        if (!alive) orphans.push(run);
      }
      const failed = await failActiveRuns(db, orphans.map((run) => run.id), SERVER_RESTARTED, new Date());
      for (const runId of failed) {
        const roomId = orphans.find((run) => run.id === runId)!.roomId;
        const summary = await findRunSummary(db, roomId, runId);
        if (summary) events.publish(roomId, { type: 'run.ended', run: summary });
      }
      if (failed.length > 0) log.info({ runs: failed.length }, 'marked runs a stopped server left unfinished as failed');
      return failed.length;
    },

    async close() {
      closing = true;
      const waiting = queue.drain();
      await Promise.all(waiting.map((runId) => endQueued(active.get(runId)!, 'shutdown')));
      const running = [...active.values()];
      for (const run of running) {
        run.stopping = 'shutdown';
        run.abort.abort();
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(running.map((run) => run.done)),
        new Promise((resolve) => (timer = setTimeout(resolve, 5_000))),
      ]);
      clearTimeout(timer);
      // Any the runner did not give back in time: the next start would mark them anyway.
      await failActiveRuns(db, [...active.keys()], SERVER_RESTARTED, new Date()).catch((error: unknown) => log.warn({ err: error }, 'could not mark unfinished runs'));
      await events.close();
    },
  };
}
