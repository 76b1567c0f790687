import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';

/** A thread left idle this long stops (a server that never needs it keeps none). */
const IDLE_MS = 30_000;

/**
 * One worker thread running `worker` (a module path relative to `base`,
 * without extension), started at the first task and stopped when idle;
 * tasks smaller than `inlineBytes` run on the calling thread, where a round
 * trip would cost more. Shared by the file and history workers.
 */
export function createLazyWorker<Task, Result>(options: {
  base: string;
  worker: string;
  inlineBytes: number;
  runInline(task: Task): Result | Promise<Result>;
  /** A task that does nothing: run by {@link warm} to start the thread ahead of need. */
  warmTask?: Task;
}) {
  let pool: Piscina | undefined;
  let warming: Promise<void> | undefined;
  const start = () => {
    // From the TypeScript sources (tsx, vitest) the thread loads the module as ESM through tsx (`lazy-worker.boot.mjs`); the build runs the `.js`.
    const fromSource = options.base.endsWith('.ts');
    const entry = new URL(`${options.worker}.${fromSource ? 'ts' : 'js'}`, options.base);
    const filename = fromSource ? fileURLToPath(new URL('./lazy-worker.boot.mjs', import.meta.url)) : fileURLToPath(entry);
    const hasTsx = process.execArgv.some((argument) => argument.includes('tsx'));
    return new Piscina({
      filename,
      workerData: { entry: entry.href },
      execArgv: fromSource && !hasTsx ? [...process.execArgv, '--import', 'tsx'] : process.execArgv,
      minThreads: 0,
      maxThreads: 1,
      idleTimeout: IDLE_MS,
      name: 'default',
    });
  };
  return {
    async run(task: Task, bytes: number): Promise<Result> {
      if (bytes < options.inlineBytes) return options.runInline(task);
      pool ??= start();
      return (await pool.run(task)) as Result;
    },
    /**
     * Starts the thread now (if it is not running) and resolves once it has
     * loaded its module: loading it costs far more than a task, and should
     * not land in the middle of the first task someone waits for.
     */
    warm(): Promise<void> {
      if (options.warmTask === undefined) return Promise.resolve();
      pool ??= start();
      warming ??= pool.run(options.warmTask).then(
        () => {
          warming = undefined;
        },
        (error: unknown) => {
          warming = undefined;
          throw error;
        },
      );
      return warming;
    },
    async close(): Promise<void> {
      await pool?.destroy();
      pool = undefined;
    },
  };
}
