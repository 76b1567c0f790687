import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

/**
 * How history compresses what it stores (version updates, change indexes,
 * snapshots): brotli. On the paper trace's versions it stores 35% less than
 * deflate; it runs in the history worker (or zlib's thread pool), never on
 * the socket thread, and decompresses as fast. Quality 10, not 11: on the
 * paper trace's versions 11 saves another 4% of bytes for 3.6× the CPU, and
 * compressing was half of the history worker's time while people type.
 */
const QUALITY = 10;
const options = (size: number) => ({ params: { [constants.BROTLI_PARAM_QUALITY]: QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: size } });

/** Compresses here (the history worker). */
export function compressSync(bytes: Uint8Array): Uint8Array {
  return brotliCompressSync(bytes, options(bytes.length));
}

const compressAsync = promisify(brotliCompress);

/** Compresses in zlib's thread pool (the main thread). */
export function compress(bytes: Uint8Array): Promise<Uint8Array> {
  return compressAsync(bytes, options(bytes.length));
}

export function decompressSync(bytes: Uint8Array): Uint8Array {
  return brotliDecompressSync(bytes);
}
