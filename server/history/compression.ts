import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

/**
 * How history compresses what it stores (version updates, change indexes,
 * snapshots): brotli at quality 5. On the paper trace's versions it stores
 * 35% less than deflate; it runs in the history worker (or zlib's thread
 * pool), never on the socket thread, and decompresses as fast.
 *
 * Qualities 10 and 11 search for an optimal parse: on the paper trace they
 * store 6–10% fewer bytes than 5 but cost 25–60× the CPU (a 390 KB snapshot:
 * 10 ms at 5, 290 ms at 10). At 10, snapshots alone were a quarter of the
 * history worker's time while typing (~5 µs per keystroke); the snapshots
 * lose more bytes to collecting deleted content (`render-chain.ts`) than
 * they gain from the harder quality.
 */
const QUALITY = 5;
const options = (size: number) => ({ params: { [constants.BROTLI_PARAM_QUALITY]: QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: size } });

/** Compresses a version's update, change index or snapshot here (the history worker). */
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
