import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Response } from 'express';
import type { RunWithOutput } from '../run/run.repository.ts';

/**
 * Characters written to the socket at a time. A run's output may be 1 MiB
 * (`RUN_OUTPUT_BYTES`) and an answer holds it twice (`stdout` or `stderr`,
 * and `output`); written in pieces of this size, with a turn of the event
 * loop between them, no answer holds the loop for more than a few ms
 * (`npm run bench:run-output`), and no copy of the whole output is ever made.
 */
const WRITE_CHARS = 64 * 1024;

/** The JSON text of a run, in parts: the same object `res.json` would send, the output fields last. */
export function* runJsonParts(run: RunWithOutput): Generator<string> {
  const summary = JSON.stringify(run.summary);
  yield summary.slice(0, -1);
  // Each piece holds whole characters, so its escaped form is a valid part of one string.
  const escape = (piece: string) => JSON.stringify(piece).slice(1, -1);
  const { output } = run;
  const isOutput = (pieces: readonly string[]) => pieces.length === output.output.length && pieces.every((piece, i) => piece === output.output[i]);
  // Most programs write to one stream only: its pieces are the output's, escaped once for both
  // (as they are written, so the escaping too is spread over the turns of the loop).
  const shared = { stdout: isOutput(output.stdout), stderr: isOutput(output.stderr), output: true };
  const escaped: string[] = [];
  for (const field of ['stdout', 'stderr', 'output'] as const) {
    yield `,"${field}":"`;
    if (shared[field]) for (let i = 0; i < output.output.length; i++) yield (escaped[i] ??= escape(output.output[i]));
    else for (const piece of output[field]) yield escape(piece);
    yield '"';
  }
  yield '}';
}

function* runListParts(runs: RunWithOutput[]): Generator<string> {
  yield '{"runs":[';
  for (const [i, run] of runs.entries()) {
    if (i > 0) yield ',';
    yield* runJsonParts(run);
  }
  yield ']}';
}

/** Sends one run (`GET …/runs/:runId`, `POST …/cancel`) as JSON, written in pieces. */
export function sendRun(res: Response, run: RunWithOutput, status = 200): Promise<void> {
  return sendJsonParts(res, status, runJsonParts(run));
}

/** Sends `{ runs }` (`GET …/runs`) as JSON, written in pieces. */
export function sendRunList(res: Response, runs: RunWithOutput[]): Promise<void> {
  return sendJsonParts(res, 200, runListParts(runs));
}

/** Writes `parts` as the body, in pieces of about {@link WRITE_CHARS}, with a turn of the loop between them. */
async function sendJsonParts(res: Response, status: number, parts: Iterable<string>): Promise<void> {
  res.status(status).type('application/json');
  let pending: string[] = [];
  let pendingChars = 0;
  for (const part of parts) {
    pending.push(part);
    pendingChars += part.length;
    if (pendingChars < WRITE_CHARS) continue;
    const chunk = pending.join('');
    pending = [];
    pendingChars = 0;
    if (!res.write(chunk)) await drained(res);
    if (res.destroyed) return;
    await nextTurn();
  }
  res.end(pending.join(''));
}

/** Settles when the socket takes more, or is gone. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
