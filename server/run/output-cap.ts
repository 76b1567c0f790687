/**
 * Output of one run held to `RUN_OUTPUT_BYTES` (UTF-8 bytes of stdout and
 * stderr together): what fits is passed on, the rest dropped and noted.
 * A runner feeds every chunk through one.
 */
export class OutputCap {
  private bytes = 0;
  /** True once something was dropped. */
  truncated = false;

  constructor(
    private readonly limit: number,
    private readonly onOutput: (stream: 'stdout' | 'stderr', chunk: string) => void,
  ) {}

  write(stream: 'stdout' | 'stderr', chunk: string): void {
    if (chunk.length === 0) return;
    if (this.truncated) return;
    const size = Buffer.byteLength(chunk, 'utf8');
    if (this.bytes + size <= this.limit) {
      this.bytes += size;
      this.onOutput(stream, chunk);
      return;
    }
    this.truncated = true;
    const kept = cutToBytes(chunk, this.limit - this.bytes);
    this.bytes = this.limit;
    if (kept.length > 0) this.onOutput(stream, kept);
  }
}

/** The longest prefix of `text` of at most `bytes` UTF-8 bytes, never splitting a character. */
export function cutToBytes(text: string, bytes: number): string {
  if (bytes <= 0) return '';
  const encoded = Buffer.from(text, 'utf8');
  if (encoded.length <= bytes) return text;
  let end = bytes;
  // Back off continuation bytes (10xxxxxx) so the cut falls between characters.
  while (end > 0 && (encoded[end] & 0xc0) === 0x80) end--;
  return encoded.subarray(0, end).toString('utf8');
}
