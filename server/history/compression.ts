import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

/**
 * How history compresses what it stores (version updates, change indexes,
 * snapshots): brotli. On the paper trace's versions it stores 35% less than
 * deflate; it runs in the history worker (or zlib's thread pool), never on
 * the socket thread, and decompresses as fast.
 *
 * Two qualities. What is written as people type (each version's update and
 * change index, a few KiB each) uses quality 5: on the paper trace's
 * versions, quality 10 (and 11) stores ~20% fewer bytes but costs 15–30×
 * the CPU (qualities 10 and 11 search for an optimal parse), and compressing
 * at 10 was a third of the history worker's time while typing, ~15 µs per
 * keystroke. Snapshots (one per tens of thousands of keystrokes, the largest
 * rows) keep quality 10: they are rare, so their CPU per keystroke is small,
 * and they are half of the stored bytes.
 */
const STREAM_QUALITY = 5;
/**
 * A version's compressed update at {@link STREAM_QUALITY} is ~25% larger
 * than at quality 10: the snapshot cadence, counted in compressed version
 * bytes (`version-builder.ts`), scales by this so that a render replays as
 * much as it did (and the snapshots, the largest rows, do not multiply).
 */
export const STREAM_BYTES_SCALE = 1.25;
const SNAPSHOT_QUALITY = 10;
const options = (size: number, quality: number) => ({ params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: size } });

/** Compresses a version's update or change index here (the history worker). */
export function compressSync(bytes: Uint8Array): Uint8Array {
  return brotliCompressSync(bytes, options(bytes.length, STREAM_QUALITY));
}

/** Compresses a snapshot (a whole room state) here (the history worker): harder, they are rare and large. */
export function compressSnapshotSync(bytes: Uint8Array): Uint8Array {
  return brotliCompressSync(bytes, options(bytes.length, SNAPSHOT_QUALITY));
}

const compressAsync = promisify(brotliCompress);

/** Compresses in zlib's thread pool (the main thread). */
export function compress(bytes: Uint8Array): Promise<Uint8Array> {
  return compressAsync(bytes, options(bytes.length, STREAM_QUALITY));
}

export function decompressSync(bytes: Uint8Array): Uint8Array {
  return brotliDecompressSync(bytes);
}
