// Loads a lazy worker's task module (`lazy-worker.ts`) in its thread when the
// server runs from its TypeScript sources (tsx, vitest), as an ES module.
// Piscina first tries `require()` on its file: on a `.ts` file that works
// under tsx and loads the whole graph as CommonJS, Yjs included, whose
// CommonJS build reaches lib0 through getters (about a fifth of the history
// worker's time went there). On this `.mjs` file `require()` fails, and
// Piscina imports it. The built server starts the `.js` module directly.
import { workerData } from 'piscina';

const { tsImport } = await import('tsx/esm/api');
const task = await tsImport(workerData.entry, import.meta.url);

export default task.default;
