import { StringDecoder } from 'node:string_decoder';

export type OutputStream = 'stdout' | 'stderr';

/** How {@link OutputCapture} cuts and batches a run's output. */
export interface OutputCaptureOptions {
  /** Bytes of stdout and stderr together that are kept; past it output is dropped and `truncated` set. */
  limitBytes: number;
  /**
   * Bytes dropped past the limit before the program counts as a runaway
   * (`onRunaway` is called once; the runner then kills it). Up to this, a
   * program that overshoots keeps running to its own end and exit code.
   */
  runawayBytes: number;
  /** Longest a chunk waits to be merged with the next one of the same stream, in ms (default 20). */
  flushMs?: number;
  /** A batch is handed over as soon as it holds this many characters (default 64 Ki). */
  batchChars?: number;
}

/**
 * The output of one run, in the order it was produced, cut at a byte limit
 * and batched: a program printing 10,000 short lines a second becomes a few
 * dozen `onOutput` calls a second (each one a message to every client of the
 * room), not 10,000. Consecutive chunks of one stream are merged; a change of
 * stream hands over what is pending first, so the interleaving is kept.
 * Bytes are decoded as UTF-8 per stream, so a character split between two
 * reads stays whole.
 */
export class OutputCapture {
  private usedBytes = 0;
  private droppedBytes = 0;
  private runawayReported = false;
  private pendingStream: OutputStream | undefined;
  private pendingText = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly decoders: Record<OutputStream, StringDecoder> = {
    stdout: new StringDecoder('utf8'),
    stderr: new StringDecoder('utf8'),
  };
  private readonly flushMs: number;
  private readonly batchChars: number;

  /** True once anything was dropped. */
  truncated = false;

  constructor(
    private readonly options: OutputCaptureOptions,
    private readonly onOutput: (stream: OutputStream, chunk: string) => void,
    private readonly onRunaway: () => void,
  ) {
    this.flushMs = options.flushMs ?? 20;
    this.batchChars = options.batchChars ?? 64 * 1024;
  }

  /** Takes bytes read from one of the program's pipes. */
  write(stream: OutputStream, bytes: Buffer): void {
    // An empty read at the limit drops nothing, so it must not mark the output truncated.
    if (bytes.length === 0) return;
    const room = this.options.limitBytes - this.usedBytes;
    if (room <= 0) {
      this.drop(bytes.length);
      return;
    }
    const kept = bytes.length > room ? bytes.subarray(0, room) : bytes;
    this.usedBytes += kept.length;
    // A character cut at the limit stays in the decoder and is never emitted.
    this.append(stream, this.decoders[stream].write(kept));
    if (kept.length < bytes.length) this.drop(bytes.length - kept.length);
  }

  /** Hands over everything pending; call once the pipes are closed. */
  end(): void {
    if (!this.truncated) {
      for (const stream of ['stdout', 'stderr'] as const) this.append(stream, this.decoders[stream].end());
    }
    this.flush();
  }

  private drop(bytes: number): void {
    this.truncated = true;
    this.droppedBytes += bytes;
    if (!this.runawayReported && this.droppedBytes > this.options.runawayBytes) {
      this.runawayReported = true;
      this.onRunaway();
    }
  }

  private append(stream: OutputStream, text: string): void {
    if (text.length === 0) return;
    if (this.pendingStream !== undefined && this.pendingStream !== stream) this.flush();
    this.pendingStream = stream;
    this.pendingText += text;
    if (this.pendingText.length >= this.batchChars) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const stream = this.pendingStream;
    const text = this.pendingText;
    this.pendingStream = undefined;
    this.pendingText = '';
    if (stream !== undefined && text.length > 0) this.onOutput(stream, text);
  }
}
