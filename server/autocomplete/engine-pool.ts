import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { Logger } from 'pino';
import type { AutocompleteResponse } from '../../shared/schemas/autocomplete.schema.ts';
import { createEmptyResponse, type CompleteInput } from './engine.ts';

/** Runs the engine on worker threads, each request within a time budget. */
export interface EnginePool {
  /** Resolves within about the budget with the engine's answer, or an empty one (overrun, full queue, worker error); never rejects. */
  complete(input: CompleteInput): Promise<AutocompleteResponse>;
  /**
   * Starts the threads now and loads them, so that the first person to type is not the one who waits
   * for it (a thread's start and its corpora take about a second, several on a loaded machine).
   * Resolves once they are ready; never rejects. Without it the threads start at the first request.
   */
  start(): Promise<void>;
  /** Stops the threads; later calls answer empty. */
  close(): Promise<void>;
  /** Number of worker threads. */
  readonly threads: number;
}

/**
 * A thread still busy this long after a request's arrival is terminated: 4 budgets, at least 1 s. The
 * engine stops itself at the budget; the slack is for a busy machine, where a thread is descheduled for
 * tens or hundreds of milliseconds, and a needless termination costs a new thread's start (0.5 s of CPU,
 * seconds of wall time on a loaded machine), while the requests queued behind answer empty meanwhile.
 */
function computeTerminationMs(budgetMs: number): number {
  return Math.max(4 * budgetMs, 1_000);
}

/** Longest a request waits for the first thread to load (its code is compiled on a loaded machine in seconds). */
const STARTUP_WAIT_MS = 10_000;

/** Requests waiting for a thread beyond these are answered empty at once: under a flood they would only expire in the queue. */
const QUEUE_PER_THREAD = 32;

/**
 * Threads by default: one per core, keeping one core for the socket thread,
 * at most 4 (the engine answers in milliseconds; more threads only help a flood).
 */
export function chooseWorkerCount(cores = availableParallelism()): number {
  return Math.max(1, Math.min(4, cores - 1));
}

/**
 * Where the worker's entry is and how to load it: the `.ts` source under tsx
 * (dev, tests), the compiled `.js` beside this file in `dist/`. A worker does
 * not inherit the loader of a host that is not plain node (vitest), so the
 * `.ts` entry brings tsx itself.
 */
function locateWorker(): { filename: string; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  const filename = fileURLToPath(new URL(`./engine.worker.${fromSource ? 'ts' : 'js'}`, import.meta.url));
  const hasTsx = process.execArgv.some((argument) => argument.includes('tsx'));
  return { filename, execArgv: fromSource && !hasTsx ? [...process.execArgv, '--import', 'tsx'] : process.execArgv };
}

/**
 * Creates the pool of `threads` worker threads running the engine. The
 * threads start at `start()` (the server calls it once listening, see
 * `AUTOCOMPLETE_WARM_UP`) or else at the first request (a test suite starts
 * many servers that are never asked); requests that come while the first
 * thread loads wait for it (up to {@link STARTUP_WAIT_MS}) before their
 * budget starts, so the first person to type is not answered empty.
 * Each request gets a deadline of `budgetMs` from then (time in the
 * queue counts): the caller gets what the engine answered by then, or an
 * empty answer; the engine stops itself at the deadline, and a thread still
 * busy at 4 times the budget (at least 1 s) is terminated by Piscina's abort and replaced.
 */
export function createEnginePool(options: { threads: number; budgetMs: number; log: Logger }): EnginePool {
  const { threads, budgetMs, log } = options;
  const terminationMs = computeTerminationMs(budgetMs);
  let pool: Piscina<CompleteInput, AutocompleteResponse> | undefined;
  let closed = false;
  /** Settles once a thread has answered its first task (or gave up); requests before it wait. */
  let loaded: Promise<void> | undefined;
  let waitingForLoad = 0;

  function startThreads(): Piscina<CompleteInput, AutocompleteResponse> {
    const { filename, execArgv } = locateWorker();
    const started = new Piscina<CompleteInput, AutocompleteResponse>({
      filename,
      execArgv,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Infinity,
      maxQueue: threads * QUEUE_PER_THREAD,
      // 'sync' would block an idle thread in Atomics.wait: the parse a budget cut short is carried on while idle.
      atomics: 'async',
      name: 'default',
    });
    // A thread that dies (out of memory, a crash in the engine) is replaced by Piscina; say so once per death.
    started.on('error', (error: unknown) => log.error({ err: error }, 'autocomplete worker failed'));
    started.on('workerDestroy', () => {
      if (!closed) log.warn({ terminationMs }, 'autocomplete worker thread terminated (busy past the hard limit); starting another');
    });
    return started;
  }

  /** Starts the threads unless they run; `loaded` settles once one has answered a first, empty task. */
  function ensureStarted(): Piscina<CompleteInput, AutocompleteResponse> {
    if (pool) return pool;
    pool = startThreads();
    const warmUp = pool.run({ code: '', cursorPosition: 0, language: 'plaintext', limit: 1, deadline: Date.now() + STARTUP_WAIT_MS }).then(
      () => undefined,
      () => undefined,
    );
    let timer: NodeJS.Timeout | undefined;
    loaded = Promise.race([warmUp, new Promise<void>((resolve) => (timer = setTimeout(resolve, STARTUP_WAIT_MS)))]).finally(() => {
      clearTimeout(timer);
      loaded = undefined;
    });
    return pool;
  }

  return {
    threads,
    async start() {
      if (closed) return;
      ensureStarted();
      await loaded;
    },
    async complete(input) {
      if (closed) return createEmptyResponse(input.cursorPosition);
      pool = ensureStarted();
      if (loaded) {
        // As many as the queue would take wait; a flood at start is answered empty at once, not held with its bodies.
        if (waitingForLoad >= threads * QUEUE_PER_THREAD) return createEmptyResponse(input.cursorPosition);
        waitingForLoad++;
        try {
          await loaded;
        } finally {
          waitingForLoad--;
        }
      }
      if (closed) return createEmptyResponse(input.cursorPosition);
      const started = Date.now();
      const empty = createEmptyResponse(input.cursorPosition);
      const answer = pool!
        .run({ ...input, deadline: started + budgetMs }, { signal: AbortSignal.timeout(terminationMs) })
        .catch((error: unknown) => {
          const elapsedMs = Date.now() - started;
          const reason = error instanceof Error ? error.message : String(error);
          // Past the hard limit the task was dropped from the queue, or its thread terminated ('workerDestroy' says which).
          if (elapsedMs >= terminationMs) log.debug({ elapsedMs, language: input.language }, 'autocomplete task aborted at the hard limit');
          else log.warn({ elapsedMs, err: reason, language: input.language }, 'autocomplete failed in its worker');
          return empty;
        });
      // The caller waits no longer than the budget, whatever the thread does.
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<AutocompleteResponse>((resolve) => {
        timer = setTimeout(() => resolve(empty), budgetMs);
      });
      try {
        return await Promise.race([answer, expired]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      closed = true;
      await pool?.close({ force: true });
    },
  };
}
