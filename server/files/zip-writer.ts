import { promisify } from 'node:util';
import zlib from 'node:zlib';

const deflateRaw = promisify(zlib.deflateRaw);

/** A file (its text) or an empty folder (`directory`) to put in a zip. */
export type ZipEntry = { path: string; content: string; directory?: false } | { path: string; directory: true };

/** Bit 11 of the general purpose flags: the name is UTF-8. */
const UTF8_NAMES = 0x0800;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

/**
 * A zip of `entries` in the order given: files deflated (off the event loop,
 * in libuv's thread pool) unless that makes them larger, folders as
 * `path/` directory entries, UTF-8 names, Unix modes (0644 files, 0755
 * folders). No ZIP64: a room is far below 4 GiB and 65,535 entries.
 */
export async function writeZip(entries: readonly ZipEntry[], now = new Date()): Promise<Uint8Array> {
  const { time, date } = dosDateTime(now);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.directory ? `${entry.path}/` : entry.path, 'utf8');
    const data = entry.directory ? Buffer.alloc(0) : Buffer.from(entry.content, 'utf8');
    const crc = data.length === 0 ? 0 : zlib.crc32(data);
    let method = 0;
    let stored: Buffer = data;
    if (data.length > 0) {
      const deflated = await deflateRaw(data);
      if (deflated.length < data.length) {
        method = 8;
        stored = deflated;
      }
    }
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(UTF8_NAMES, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, stored);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, spec 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(UTF8_NAMES, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(stored.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    // extra, comment, disk, internal attributes: 0
    const mode = entry.directory ? S_IFDIR | 0o755 : S_IFREG | 0o644;
    central.writeUInt32LE(((mode << 16) | (entry.directory ? 0x10 : 0)) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + stored.length;
  }
  const directorySize = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directorySize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** MS-DOS time and date fields (local time, 2-second resolution, 1980 to 2107). */
function dosDateTime(at: Date): { time: number; date: number } {
  const year = Math.min(2107, Math.max(1980, at.getFullYear()));
  return {
    time: (at.getHours() << 11) | (at.getMinutes() << 5) | (at.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((at.getMonth() + 1) << 5) | at.getDate(),
  };
}
