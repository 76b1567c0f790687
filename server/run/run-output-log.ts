/**
 * The output of one run, held once: the stretches of stdout and stderr in
 * the order they were produced. `stdout`, `stderr` and `output` (the two
 * interleaved) are derived from it when asked for, and it is handed to
 * storage in batches as the run goes (the `run_output` table: a batch's text
 * plus a segment map saying which stream each stretch came from).
 */

export type OutputStream = 'stdout' | 'stderr';

/** A run's output as the REST API gives it. */
export interface RunTexts {
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved in the order they were produced. */
  output: string;
}

/** One stored batch: its text and which stream each stretch of it is (see {@link encodeSegments}). */
export interface OutputBatch {
  text: string;
  segments: string;
}

/**
 * A batch is stored once it holds this many UTF-16 units (64 Ki): small
 * enough that writing or reading one row holds the event loop a few ms at
 * most (`npm run bench:run-output`: ~3 ms of CPU on a busy 2-core machine,
 * where one statement with the whole 1 MiB three times took ~20), large
 * enough that the 1 MiB a run may print is 16 rows.
 */
export const OUTPUT_BATCH_CHARS = 64 * 1024;
/** Longest output waits before it is stored, in ms: what a crash of the server may lose of a run's output. */
export const OUTPUT_BATCH_MS = 500;

const STREAM_CODES = { stdout: 'o', stderr: 'e' } as const;

/** The segment map of stretches: `o` (stdout) or `e` (stderr) and a length in UTF-16 units, each in turn (`o120e14o3`). */
export function encodeSegments(stretches: readonly { stream: OutputStream; length: number }[]): string {
  let map = '';
  for (const { stream, length } of stretches) map += `${STREAM_CODES[stream]}${length}`;
  return map;
}

/**
 * A run's output as it is held: its stretches in order, each of one stream.
 * Nothing is joined into one big string until it is sent, and then piece by
 * piece (`server/http/run-json.ts`).
 */
export interface OutputStretches {
  texts: readonly string[];
  streams: readonly OutputStream[];
}

/** A run's `stdout`, `stderr` and `output`, each as the pieces it is made of, in order. */
export interface OutputPieces {
  stdout: readonly string[];
  stderr: readonly string[];
  output: readonly string[];
}

/** The pieces of each text (the same strings, no copy of the text). */
export function piecesOf(output: OutputStretches): OutputPieces {
  const of = (stream: OutputStream) => output.texts.filter((_, i) => output.streams[i] === stream);
  return { stdout: of('stdout'), stderr: of('stderr'), output: output.texts };
}

/** The three texts, each joined into one string. */
export function joinPieces(pieces: OutputPieces): RunTexts {
  return { stdout: pieces.stdout.join(''), stderr: pieces.stderr.join(''), output: pieces.output.join('') };
}

/**
 * The stretches of a run's output from its stored batches (in order). Text a
 * segment map does not account for (one edited by hand, say) counts as
 * stdout, so the output is always every batch's text.
 */
export function decodeOutputBatches(batches: readonly OutputBatch[]): OutputStretches {
  const texts: string[] = [];
  const streams: OutputStream[] = [];
  const add = (stream: OutputStream, text: string) => {
    if (text.length === 0) return;
    texts.push(text);
    streams.push(stream);
  };
  for (const { text, segments } of batches) {
    // The common case, a batch of one stream, keeps the row's string as it is.
    const whole = /^([oe])(\d+)$/.exec(segments);
    if (whole && Number(whole[2]) === text.length) {
      add(whole[1] === 'e' ? 'stderr' : 'stdout', text);
      continue;
    }
    let at = 0;
    for (const match of segments.matchAll(/([oe])(\d+)/g)) {
      if (at >= text.length) break;
      const end = Math.min(text.length, at + Number(match[2]));
      add(match[1] === 'e' ? 'stderr' : 'stdout', text.slice(at, end));
      at = end;
    }
    add('stdout', text.slice(at));
  }
  return { texts, streams };
}

/** Where a string may be cut without splitting a surrogate pair: `end`, or one unit before it. */
function wholeCharacterEnd(text: string, end: number): number {
  if (end <= 0 || end >= text.length) return end;
  const before = text.charCodeAt(end - 1);
  const after = text.charCodeAt(end);
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff ? end - 1 : end;
}

/** `text` cut into pieces of at most `size` UTF-16 units, never inside a surrogate pair (at `size` 1 a pair stays whole: two units). */
export function sliceWholeCharacters(text: string, size: number): string[] {
  if (text.length <= size) return [text];
  const pieces: string[] = [];
  for (let at = 0; at < text.length; ) {
    let end = wholeCharacterEnd(text, Math.min(text.length, at + size));
    // A size of 1 and a pair: take the pair whole.
    if (end === at) end = at + 2;
    pieces.push(text.slice(at, end));
    at = end;
  }
  return pieces;
}

/** A running run's output: appended as it comes, read whole, handed to storage in batches. */
export class RunOutputLog {
  private readonly pieces: string[] = [];
  private readonly streams: OutputStream[] = [];
  /** Pieces before this one were handed to storage. */
  private firstUnstored = 0;
  private unstored = 0;

  /** UTF-16 units appended and not yet handed to storage. */
  get unstoredLength(): number {
    return this.unstored;
  }

  /** Adds a chunk of one stream (whole characters: a runner's chunks never split one). */
  append(stream: OutputStream, text: string): void {
    if (text.length === 0) return;
    const last = this.pieces.length - 1;
    // Consecutive chunks of one stream are one stretch, unless the first is already stored.
    if (last >= this.firstUnstored && this.streams[last] === stream) this.pieces[last] += text;
    else {
      this.pieces.push(text);
      this.streams.push(stream);
    }
    this.unstored += text.length;
  }

  /** What was appended since the last batch, as one batch to store; undefined when nothing was. */
  takeBatch(): OutputBatch | undefined {
    if (this.firstUnstored === this.pieces.length) return undefined;
    const stretches: { stream: OutputStream; length: number }[] = [];
    const texts: string[] = [];
    for (let i = this.firstUnstored; i < this.pieces.length; i++) {
      stretches.push({ stream: this.streams[i], length: this.pieces[i].length });
      texts.push(this.pieces[i]);
    }
    this.firstUnstored = this.pieces.length;
    this.unstored = 0;
    return { text: texts.join(''), segments: encodeSegments(stretches) };
  }

  /** The output so far (a copy of the lists, not of the text). */
  stretches(): OutputStretches {
    return { texts: [...this.pieces], streams: [...this.streams] };
  }
}
