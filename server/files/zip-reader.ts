import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { normalizePath } from '../../shared/file-paths.ts';

const inflateRaw = promisify(zlib.inflateRaw);

/** Why a zip was refused; each code is one of `shared/errors.ts`. Nothing was created. */
export class ZipError extends Error {
  constructor(
    readonly code: 'invalid_request' | 'invalid_path' | 'too_many_files' | 'payload_too_large',
    message: string,
  ) {
    super(message);
    this.name = 'ZipError';
  }
}

/** What a zip holds: files (UTF-8 text) and folders (directory entries), with canonical paths, in zip order. */
export interface ZipContents {
  files: { path: string; content: string }[];
  folders: string[];
}

/** Bounds of {@link readZip}. */
export interface ZipLimits {
  /** Entries of any kind the central directory may list; more is `too_many_files` before anything is read. */
  maxEntries: number;
  /** Bytes all entries may inflate to together; past it inflating stops: `payload_too_large`. */
  maxInflatedBytes: number;
}

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads a zip for a new room, trusting nothing it declares:
 * - the central directory is the only authority (names, kinds, offsets);
 *   a local header only tells where the data starts, and every range must
 *   lie inside the body;
 * - more than `maxEntries` entries: `too_many_files`, at once;
 * - names: `\`, a leading `/`, a drive letter (`C:`), `.`/`..` segments or
 *   anything `normalizePath` refuses: `invalid_path` (no zip slip);
 *   `__MACOSX/` entries (Finder's resource forks) are skipped;
 * - symbolic links and other non-regular entries (devices, FIFOs):
 *   `invalid_request`; directory entries become folders;
 * - inflating is bounded by what is left of `maxInflatedBytes` (zlib stops
 *   there, in the thread pool): `payload_too_large`; sizes and CRC-32 are
 *   checked after; only stored and deflated entries, no encryption, no ZIP64;
 * - content that is not UTF-8 (a binary file): `invalid_request`.
 */
export async function readZip(body: Uint8Array, limits: ZipLimits): Promise<ZipContents> {
  const zip = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const end = findEndOfDirectory(zip);
  const count = zip.readUInt16LE(end + 10);
  const directorySize = zip.readUInt32LE(end + 12);
  const directoryOffset = zip.readUInt32LE(end + 16);
  if (count > limits.maxEntries) throw new ZipError('too_many_files', `The zip has ${count} entries; at most ${limits.maxEntries} are read`);
  if (count === 0xffff || directoryOffset === 0xffffffff || directorySize === 0xffffffff) throw new ZipError('invalid_request', 'ZIP64 archives are not supported');
  if (directoryOffset + directorySize > end) throw invalid('its central directory lies outside the file');

  const files: ZipContents['files'] = [];
  const folders: string[] = [];
  let inflated = 0;
  let at = directoryOffset;
  for (let index = 0; index < count; index++) {
    if (at + 46 > end || zip.readUInt32LE(at) !== DIRECTORY_ENTRY) throw invalid('its central directory is truncated');
    const madeBy = zip.readUInt8(at + 5);
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const external = zip.readUInt32LE(at + 38);
    const localOffset = zip.readUInt32LE(at + 42);
    const nameEnd = at + 46 + nameLength;
    if (nameEnd > end) throw invalid('its central directory is truncated');
    const rawName = decodeName(zip.subarray(at + 46, nameEnd));
    at = nameEnd + extraLength + commentLength;

    const mode = madeBy === 3 ? external >>> 16 : 0;
    const kind = mode & S_IFMT;
    const isDirectory = rawName.endsWith('/') || kind === S_IFDIR || (madeBy !== 3 && (external & 0x10) !== 0);
    const path = checkedName(isDirectory ? rawName.replace(/\/$/, '') : rawName);
    if (path === undefined) continue;
    if (kind !== 0 && kind !== S_IFREG && kind !== S_IFDIR) {
      throw new ZipError('invalid_request', `${path} is a ${kind === 0o120000 ? 'symbolic link' : 'special file'}; a room holds regular files and folders only`);
    }
    if (isDirectory) {
      folders.push(path);
      continue;
    }
    if (flags & 0x1) throw new ZipError('invalid_request', `${path} is encrypted`);
    const data = entryData(zip, localOffset, compressedSize, end, path);
    const left = limits.maxInflatedBytes - inflated;
    let content: Buffer;
    if (method === 0) {
      if (data.length > left) throw tooLarge(limits);
      content = data;
    } else if (method === 8) {
      try {
        // zlib stops once the output passes the limit: a bomb costs at most `left` bytes.
        content = await inflateRaw(data, { maxOutputLength: Math.max(1, left) });
      } catch (error) {
        if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limits);
        throw new ZipError('invalid_request', `${path} does not inflate: ${(error as Error).message}`);
      }
      if (content.length > left) throw tooLarge(limits);
    } else {
      throw new ZipError('invalid_request', `${path} uses compression method ${method}; only stored (0) and deflated (8) entries are read`);
    }
    inflated += content.length;
    if (content.length !== size || (content.length > 0 ? zlib.crc32(content) : 0) !== crc) throw invalid(`${path} does not match its size or CRC-32`);
    let text: string;
    try {
      text = utf8.decode(content);
    } catch {
      throw new ZipError('invalid_request', `${path} is not UTF-8 text; a room holds text files only`);
    }
    files.push({ path, content: text });
  }
  return { files, folders };
}

/** The offset of the end-of-central-directory record (searched from the end, past a comment of up to 64 KiB). */
function findEndOfDirectory(zip: Buffer): number {
  if (zip.length < 22) throw invalid('it is too short');
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (zip.readUInt32LE(at) === END_OF_DIRECTORY && at + 22 + zip.readUInt16LE(at + 20) === zip.length) return at;
  }
  throw invalid('no end of central directory was found');
}

/** The compressed bytes of an entry: after its local header, `compressedSize` long, inside the body. */
function entryData(zip: Buffer, localOffset: number, compressedSize: number, limit: number, path: string): Buffer {
  if (localOffset + 30 > limit || zip.readUInt32LE(localOffset) !== LOCAL_HEADER) throw invalid(`the local header of ${path} is missing`);
  const start = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
  if (start + compressedSize > limit) throw invalid(`the data of ${path} lies outside the file`);
  return zip.subarray(start, start + compressedSize);
}

/** A name as UTF-8 (flagged or not: names from tools that do not flag UTF-8 are mostly ASCII). */
function decodeName(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ZipError('invalid_path', `An entry name is not UTF-8: ${JSON.stringify(bytes.toString('latin1').slice(0, 100))}`);
  }
}

/** The canonical path of an entry, `undefined` for one skipped, or `invalid_path`. */
function checkedName(name: string): string | undefined {
  if (name === '__MACOSX' || name.startsWith('__MACOSX/')) return undefined;
  const shown = JSON.stringify(name.slice(0, 300));
  if (name.includes('\\')) throw new ZipError('invalid_path', `${shown}: backslashes are not path separators here`);
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw new ZipError('invalid_path', `${shown} is an absolute path`);
  const path = normalizePath(name);
  if (path === null) throw new ZipError('invalid_path', `${shown} is not a valid path (no ".." or "." segments; letters, digits, "._-" and space)`);
  return path;
}

function invalid(why: string): ZipError {
  return new ZipError('invalid_request', `The body is not a zip that can be read: ${why}`);
}

function tooLarge(limits: ZipLimits): ZipError {
  return new ZipError('payload_too_large', `The zip inflates to more than ${limits.maxInflatedBytes} bytes (MAX_DOCUMENT_BYTES)`);
}
