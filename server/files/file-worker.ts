import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { runFileTask, type FileTask, type FileTaskResults } from './file-tasks.ts';

/** Runs file tasks: large ones in a worker thread, small ones here (a round trip would cost more). */
export interface FileWorker {
  run<K extends FileTask['kind']>(task: Extract<FileTask, { kind: K }>, bytes: number): Promise<FileTaskResults[K]>;
  close(): Promise<void>;
}

/** A thread left idle this long stops (a server that never handles a large room keeps none). */
const IDLE_MS = 30_000;

/**
 * Decoding a stored room of a few MB, or encoding a new one, takes
 * 50–200 ms of CPU (`npm run bench:files-zip`); on the event loop that would
 * stall every socket. Tasks of at least `minBytes` (stored state, or new
 * text) go to one worker thread, started at the first and stopped when idle.
 */
export function createFileWorker({ minBytes }: { minBytes: number }): FileWorker {
  let pool: Piscina | undefined;
  const start = () => {
    // From the TypeScript sources (tsx, vitest) the thread loads tsx itself; the build runs the `.js`.
    const fromSource = import.meta.url.endsWith('.ts');
    const filename = fileURLToPath(new URL(`./file-tasks.worker.${fromSource ? 'ts' : 'js'}`, import.meta.url));
    const hasTsx = process.execArgv.some((argument) => argument.includes('tsx'));
    return new Piscina({
      filename,
      execArgv: fromSource && !hasTsx ? [...process.execArgv, '--import', 'tsx'] : process.execArgv,
      minThreads: 0,
      maxThreads: 1,
      idleTimeout: IDLE_MS,
      name: 'default',
    });
  };
  return {
    run(task, bytes) {
      if (bytes < minBytes) return runFileTask(task);
      pool ??= start();
      return pool.run(task) as never;
    },
    async close() {
      await pool?.destroy();
      pool = undefined;
    },
  };
}
