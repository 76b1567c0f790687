// Starts `fold.worker.ts` in a worker thread when the server runs from its
// TypeScript sources (tsx, vitest): Node 20 does not apply `--import tsx` to a
// worker's own entry module. The built server starts `fold.worker.js` directly.
import { workerData } from 'node:worker_threads';

const { tsImport } = await import('tsx/esm/api');
await tsImport(workerData.entry, import.meta.url);
