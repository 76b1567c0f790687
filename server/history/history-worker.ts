import { createLazyWorker } from '../workers/lazy-worker.ts';
import { runHistoryTask, type HistoryTask, type HistoryTaskResults } from './history-tasks.ts';

/** Runs history tasks (`history-tasks.ts`) in a worker thread; tiny ones here, where a round trip would cost more. */
export interface HistoryWorker {
  run<K extends HistoryTask['kind']>(task: Extract<HistoryTask, { kind: K }>, bytes: number): Promise<HistoryTaskResults[K]>;
  /** Starts the thread ahead of its first task (see `lazy-worker.ts`); resolves once it is ready. */
  warm(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Replaying versions, diffs, blame and playback cost milliseconds to
 * hundreds of milliseconds on a long history; they run in one worker thread
 * (started at the first task, stopped when idle), never on the thread that
 * serves sockets. Tasks whose input is under `inlineBytes` run here.
 */
export function createHistoryWorker({ inlineBytes = 16 * 1024 }: { inlineBytes?: number } = {}): HistoryWorker {
  const worker = createLazyWorker<HistoryTask, unknown>({ base: import.meta.url, worker: './history-tasks.worker', inlineBytes, runInline: runHistoryTask, warmTask: { kind: 'warm' } });
  return { run: (task, bytes) => worker.run(task, bytes) as never, warm: () => worker.warm(), close: () => worker.close() };
}

/** Bytes of the inputs of a render chain (to choose where a task runs). */
export function chainBytes(chain: { snapshot?: Uint8Array; updates: Uint8Array[]; raw?: Uint8Array[] }): number {
  let bytes = chain.snapshot?.length ?? 0;
  for (const update of chain.updates) bytes += update.length;
  for (const update of chain.raw ?? []) bytes += update.length;
  return bytes;
}
