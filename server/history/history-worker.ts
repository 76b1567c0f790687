import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { runHistoryTask, type HistoryTask, type HistoryTaskResults } from './history-tasks.ts';

/** Runs history tasks (`history-tasks.ts`) in a worker thread; tiny ones here, where a round trip would cost more. */
export interface HistoryWorker {
  run<K extends HistoryTask['kind']>(task: Extract<HistoryTask, { kind: K }>, bytes: number): Promise<HistoryTaskResults[K]>;
  close(): Promise<void>;
}

/** A thread left idle this long stops. */
const IDLE_MS = 30_000;

/**
 * Replaying versions, diffs, blame and playback cost milliseconds to
 * hundreds of milliseconds on a long history; they run in one worker thread
 * (started at the first task, stopped when idle), never on the thread that
 * serves sockets. Tasks whose input is under `inlineBytes` run here.
 */
export function createHistoryWorker({ inlineBytes = 16 * 1024 }: { inlineBytes?: number } = {}): HistoryWorker {
  let pool: Piscina | undefined;
  const start = () => {
    // From the TypeScript sources (tsx, vitest) the thread loads tsx itself; the build runs the `.js`.
    const fromSource = import.meta.url.endsWith('.ts');
    const filename = fileURLToPath(new URL(`./history-tasks.worker.${fromSource ? 'ts' : 'js'}`, import.meta.url));
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
    async run(task, bytes) {
      if (bytes < inlineBytes) return runHistoryTask(task);
      pool ??= start();
      return pool.run(task) as never;
    },
    async close() {
      await pool?.destroy();
      pool = undefined;
    },
  };
}

/** Bytes of the inputs of a render chain (to choose where a task runs). */
export function chainBytes(chain: { snapshot?: Uint8Array; updates: Uint8Array[]; raw?: Uint8Array[] }): number {
  let bytes = chain.snapshot?.length ?? 0;
  for (const update of chain.updates) bytes += update.length;
  for (const update of chain.raw ?? []) bytes += update.length;
  return bytes;
}
