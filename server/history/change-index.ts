import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/**
 * The compact record of what each change did (the "change index"), stored
 * beside the merged Yjs update of a version: enough for playback (time,
 * author, file, position, deleted count, inserted text) and blame (the Yjs
 * ids each change inserted). Encoded column by column with varints, so that
 * brotli of it costs a few bytes per keystroke.
 */

/** Who made a change: the connection's awareness `user`, plus the token subject when tokens are used. */
export interface HistoryAuthor {
  name: string;
  color: string;
  subject?: string;
}

/** One edit of one file's text; `pos` counts UTF-16 units of the text just before it (after the change's earlier ops). */
export interface ChangeOp {
  /** The file's id in the room document (`code` for the entry file). */
  file: string;
  pos: number;
  del: number;
  ins: string;
}

/** One recorded change: one Yjs transaction of the room. */
export interface RecordedChange {
  /** Epoch ms, kept at 100 ms resolution. */
  at: number;
  author: HistoryAuthor;
  ops: ChangeOp[];
  /** The Yjs ids it created: `[client, firstClock, endClock)`. */
  ranges: [number, number, number][];
  /** Its Yjs update (carried beside the index, never inside it). */
  update?: Uint8Array;
  /**
   * It changed the content of texts and nothing else (no file made, removed
   * or renamed): a build may replay it inside one transaction with its
   * neighbours (`batch-ops.ts`). Unknown (false) for changes stored before
   * the recorder said so.
   */
  textOnly?: boolean;
}

/** Encodes a list of updates (a segment's, one per change) as one byte array. */
export function encodeUpdateList(updates: readonly Uint8Array[]): Uint8Array {
  const out = encoding.createEncoder();
  encoding.writeVarUint(out, updates.length);
  for (const update of updates) encoding.writeVarUint8Array(out, update);
  return encoding.toUint8Array(out);
}

/** Decodes {@link encodeUpdateList}. */
export function decodeUpdateList(bytes: Uint8Array): Uint8Array[] {
  const input = decoding.createDecoder(bytes);
  const updates: Uint8Array[] = [];
  for (let n = decoding.readVarUint(input); n > 0; n--) updates.push(decoding.readVarUint8Array(input));
  return updates;
}

/** A decoded index: its changes and the path each file id had when it was written. */
export interface ChangeIndex {
  changes: RecordedChange[];
  paths: Map<string, string>;
}

/** Format 2 adds each change's flags (bit 0: `textOnly`); format 1 is still read. */
const FORMAT = 2;
const TEXT_ONLY = 1;
/** Times are stored in these units (ms). */
export const TIME_UNIT_MS = 100;

/** Encodes changes (in their order) with the paths their files had. */
export function encodeChangeIndex(changes: readonly RecordedChange[], paths: ReadonlyMap<string, string>): Uint8Array {
  const authors = new Map<string, number>();
  const authorList: HistoryAuthor[] = [];
  const files = new Map<string, number>();
  const clients = new Map<number, number>();
  const time = encoding.createEncoder();
  const who = encoding.createEncoder();
  const shape = encoding.createEncoder();
  const opFile = encoding.createEncoder();
  const opPos = encoding.createEncoder();
  const opDel = encoding.createEncoder();
  const opInsLength = encoding.createEncoder();
  const range = encoding.createEncoder();
  let inserted = '';
  let lastTime = 0;
  let lastEnd = 0;
  const clientEnds: number[] = [];
  for (const change of changes) {
    const t = Math.round(change.at / TIME_UNIT_MS);
    encoding.writeVarInt(time, t - lastTime);
    lastTime = t;
    const authorKey = `${change.author.name}\u0000${change.author.color}\u0000${change.author.subject ?? ''}`;
    let authorIndex = authors.get(authorKey);
    if (authorIndex === undefined) {
      authors.set(authorKey, (authorIndex = authorList.length));
      authorList.push(change.author);
    }
    encoding.writeVarUint(who, authorIndex);
    encoding.writeVarUint(shape, change.ops.length);
    encoding.writeVarUint(shape, change.ranges.length);
    encoding.writeVarUint(shape, change.textOnly ? TEXT_ONLY : 0);
    for (const op of change.ops) {
      let fileIndex = files.get(op.file);
      if (fileIndex === undefined) files.set(op.file, (fileIndex = files.size));
      encoding.writeVarUint(opFile, fileIndex);
      encoding.writeVarInt(opPos, op.pos - lastEnd);
      lastEnd = op.pos + op.ins.length;
      encoding.writeVarUint(opDel, op.del);
      encoding.writeVarUint(opInsLength, op.ins.length);
      inserted += op.ins;
    }
    for (const [client, first, end] of change.ranges) {
      let clientIndex = clients.get(client);
      if (clientIndex === undefined) {
        clients.set(client, (clientIndex = clients.size));
        clientEnds.push(0);
      }
      encoding.writeVarUint(range, clientIndex);
      encoding.writeVarInt(range, first - clientEnds[clientIndex]);
      encoding.writeVarUint(range, end - first);
      clientEnds[clientIndex] = end;
    }
  }
  const out = encoding.createEncoder();
  encoding.writeVarUint(out, FORMAT);
  encoding.writeVarUint(out, changes.length);
  encoding.writeVarUint(out, authorList.length);
  for (const author of authorList) {
    encoding.writeVarString(out, author.name);
    encoding.writeVarString(out, author.color);
    encoding.writeVarString(out, author.subject ?? '');
  }
  encoding.writeVarUint(out, files.size);
  for (const file of files.keys()) {
    encoding.writeVarString(out, file);
    encoding.writeVarString(out, paths.get(file) ?? '');
  }
  encoding.writeVarUint(out, clients.size);
  for (const client of clients.keys()) encoding.writeVarUint(out, client);
  for (const column of [time, who, shape, opFile, opPos, opDel, opInsLength, range]) encoding.writeVarUint8Array(out, encoding.toUint8Array(column));
  // UTF-8 unless the text holds a lone surrogate (Yjs can split a pair): that is kept as UTF-16 units.
  const wellFormed = (inserted as string & { isWellFormed(): boolean }).isWellFormed();
  encoding.writeVarUint(out, wellFormed ? 0 : 1);
  if (wellFormed) encoding.writeVarString(out, inserted);
  else {
    encoding.writeVarUint(out, inserted.length);
    for (let index = 0; index < inserted.length; index++) encoding.writeUint16(out, inserted.charCodeAt(index));
  }
  return encoding.toUint8Array(out);
}

/** Decodes {@link encodeChangeIndex}. */
export function decodeChangeIndex(bytes: Uint8Array): ChangeIndex {
  const input = decoding.createDecoder(bytes);
  const format = decoding.readVarUint(input);
  if (format !== 1 && format !== FORMAT) throw new Error(`unknown change index format ${format}`);
  const count = decoding.readVarUint(input);
  const authors: HistoryAuthor[] = [];
  for (let n = decoding.readVarUint(input); n > 0; n--) {
    const name = decoding.readVarString(input);
    const color = decoding.readVarString(input);
    const subject = decoding.readVarString(input);
    authors.push(subject ? { name, color, subject } : { name, color });
  }
  const fileIds: string[] = [];
  const paths = new Map<string, string>();
  for (let n = decoding.readVarUint(input); n > 0; n--) {
    const id = decoding.readVarString(input);
    fileIds.push(id);
    paths.set(id, decoding.readVarString(input));
  }
  const clients: number[] = [];
  for (let n = decoding.readVarUint(input); n > 0; n--) clients.push(decoding.readVarUint(input));
  const [time, who, shape, opFile, opPos, opDel, opInsLength, range] = Array.from({ length: 8 }, () => decoding.createDecoder(decoding.readVarUint8Array(input)));
  let inserted: string;
  if (decoding.readVarUint(input) === 0) inserted = decoding.readVarString(input);
  else {
    const units: number[] = [];
    for (let n = decoding.readVarUint(input); n > 0; n--) units.push(decoding.readUint16(input));
    inserted = String.fromCharCode(...units);
  }
  let insertedAt = 0;
  let lastTime = 0;
  let lastEnd = 0;
  const clientEnds = clients.map(() => 0);
  const changes: RecordedChange[] = [];
  for (let index = 0; index < count; index++) {
    lastTime += decoding.readVarInt(time);
    const author = authors[decoding.readVarUint(who)];
    const opCount = decoding.readVarUint(shape);
    const rangeCount = decoding.readVarUint(shape);
    const flags = format === 1 ? 0 : decoding.readVarUint(shape);
    const ops: ChangeOp[] = [];
    for (let n = 0; n < opCount; n++) {
      const file = fileIds[decoding.readVarUint(opFile)];
      const pos = lastEnd + decoding.readVarInt(opPos);
      const del = decoding.readVarUint(opDel);
      const length = decoding.readVarUint(opInsLength);
      const ins = inserted.slice(insertedAt, insertedAt + length);
      insertedAt += length;
      lastEnd = pos + length;
      ops.push({ file, pos, del, ins });
    }
    const ranges: [number, number, number][] = [];
    for (let n = 0; n < rangeCount; n++) {
      const clientIndex = decoding.readVarUint(range);
      const first = clientEnds[clientIndex] + decoding.readVarInt(range);
      const end = first + decoding.readVarUint(range);
      clientEnds[clientIndex] = end;
      ranges.push([clients[clientIndex], first, end]);
    }
    const change: RecordedChange = { at: lastTime * TIME_UNIT_MS, author, ops, ranges };
    if (flags & TEXT_ONLY) change.textOnly = true;
    changes.push(change);
  }
  return { changes, paths };
}
