import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** One edit of a trace: delete `deleteCount` UTF-16 units at `position`, then insert `text` there. */
export type TracePatch = [position: number, deleteCount: number, text: string];

/** An editing trace in the `editing-traces` format (see `../shared/data/README.md`). */
export interface EditingTrace {
  startContent: string;
  endContent: string;
  txns: { time?: string; patches: TracePatch[] }[];
}

/** Reads a gzip-compressed JSON editing trace. */
export function readEditingTrace(tracePath: string): EditingTrace {
  const trace = JSON.parse(gunzipSync(readFileSync(tracePath)).toString('utf8')) as EditingTrace;
  if (typeof trace.endContent !== 'string' || !Array.isArray(trace.txns)) throw new Error(`${tracePath}: not an editing trace`);
  return trace;
}

/** Number of patches in the first transactions up to (at least) `edits` patches, or all of them. */
export function countTransactions(trace: EditingTrace, edits: number | undefined): number {
  if (edits === undefined) return trace.txns.length;
  let patches = 0;
  for (let index = 0; index < trace.txns.length; index++) {
    patches += trace.txns[index].patches.length;
    if (patches >= edits) return index + 1;
  }
  return trace.txns.length;
}

/**
 * The text after the first `transactions` transactions, replayed on a plain
 * string. Used to check a partial replay; a full one is checked against
 * `endContent`.
 */
export function replayOnString(trace: EditingTrace, transactions: number): string {
  if (transactions >= trace.txns.length) return trace.endContent;
  let text = trace.startContent;
  for (let index = 0; index < transactions; index++) {
    for (const [position, deleteCount, insert] of trace.txns[index].patches) {
      text = text.slice(0, position) + insert + text.slice(position + deleteCount);
    }
  }
  return text;
}
