import { z } from 'zod';
import { run } from './run.schema.ts';

/**
 * What everyone in a room hears about its runs, live (wire form in
 * `shared/protocol.ts`, "Run events"). A run's events come in this order:
 * `run.queued`, `run.started` (unless it never starts), `run.output` (any
 * number, `seq` counting from 0), `run.ended`.
 */

/** A run as its events carry it: without its output, which comes in `run.output`. */
export const runSummary = run.omit({ stdout: true, stderr: true, output: true });
export type RunSummary = z.infer<typeof runSummary>;

export const runEvent = z.discriminatedUnion('type', [
  /** Someone started a run (`run.startedBy`); it waits for a free slot. */
  z.object({ type: z.literal('run.queued'), run: runSummary }),
  /** It began running. */
  z.object({ type: z.literal('run.started'), runId: z.string(), startedAt: z.iso.datetime() }),
  /**
   * Output as produced, batched (at most every 50 ms or 16 KiB): `chunks` in
   * order, each `[stream, text]`. `seq` counts the run's output events from
   * 0; a gap means one was missed, and `GET …/runs/:runId` has it all.
   */
  z.object({
    type: z.literal('run.output'),
    runId: z.string(),
    seq: z.int().nonnegative(),
    chunks: z.array(z.tuple([z.enum(['stdout', 'stderr']), z.string()])),
  }),
  /** It ended: the final status, exit code, times and memory. */
  z.object({ type: z.literal('run.ended'), run: runSummary }),
]);
export type RunEvent = z.infer<typeof runEvent>;

/** The run event a stateless payload carries, or `undefined` when it is something else (e.g. a client's own message). */
export function parseRunEvent(payload: string): RunEvent | undefined {
  if (!looksLikeRunEvent(payload)) return undefined;
  try {
    const parsed = runEvent.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when a payload may be a run event; a quick test before parsing. The
 * server drops clients' stateless messages that pass it, so nobody can fake
 * a run to the room.
 */
export function looksLikeRunEvent(payload: string): boolean {
  return payload.includes('"run.');
}
