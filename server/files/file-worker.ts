import { createLazyWorker } from '../workers/lazy-worker.ts';
import { runFileTask, type FileTask, type FileTaskResults } from './file-tasks.ts';

/** Runs file tasks: large ones in a worker thread, small ones here (a round trip would cost more). */
export interface FileWorker {
  run<K extends FileTask['kind']>(task: Extract<FileTask, { kind: K }>, bytes: number): Promise<FileTaskResults[K]>;
  close(): Promise<void>;
}

/**
 * Decoding a stored room of a few MB, or encoding a new one, takes
 * 50–200 ms of CPU (`npm run bench:files-zip`); on the event loop that would
 * stall every socket. Tasks of at least `minBytes` (stored state, or new
 * text) go to one worker thread, started at the first and stopped when idle.
 */
export function createFileWorker({ minBytes }: { minBytes: number }): FileWorker {
  const worker = createLazyWorker<FileTask, unknown>({ base: import.meta.url, worker: './file-tasks.worker', inlineBytes: minBytes, runInline: runFileTask });
  return { run: (task, bytes) => worker.run(task, bytes) as never, close: () => worker.close() };
}
