import * as encoding from 'lib0/encoding';

/** An id as Yjs writes it: a client and a clock. */
export interface RawId {
  client: number;
  clock: number;
}

/** A struct written by hand, as an attacker would: nothing checks that it makes sense. */
export type RawStruct =
  | { kind: 'gc'; length: number }
  | { kind: 'skip'; length: number }
  | {
      kind: 'item';
      origin?: RawId;
      rightOrigin?: RawId;
      /** Used only without origins: a root type's name, or a nested type's id. */
      parent?: string | RawId;
      parentSub?: string;
      content: RawContent;
    };

/**
 * An item's content: a string, a deleted run, plain values, a nested type
 * (Yjs type refs: 0 Y.Array, 1 Y.Map, 2 Y.Text, 4 Y.XmlFragment, 6 Y.XmlText),
 * a format or an embed.
 */
export type RawContent =
  | { type: 'string'; text: string }
  | { type: 'deleted'; length: number }
  | { type: 'any'; values: unknown[] }
  | { type: 'type'; typeRef: 0 | 1 | 2 | 4 | 6 }
  | { type: 'format'; key: string; value: unknown }
  | { type: 'embed'; value: unknown };

/** Yjs content refs, by our names. */
const CONTENT_REFS = { deleted: 1, string: 4, embed: 5, format: 6, type: 7, any: 8 } as const;

/** A block of structs of one client starting at `clock`. */
export interface RawBlock {
  client: number;
  clock: number;
  structs: RawStruct[];
}

/** A delete-set range, in any order the attacker likes. */
export interface RawDelete {
  client: number;
  clock: number;
  length: number;
}

/** Encodes a V1 update byte for byte as given: blocks in order, delete ranges grouped by client but not sorted or merged. */
export function encodeRawUpdate(blocks: RawBlock[], deletes: RawDelete[] = []): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, blocks.length);
  for (const block of blocks) {
    encoding.writeVarUint(encoder, block.structs.length);
    encoding.writeVarUint(encoder, block.client);
    encoding.writeVarUint(encoder, block.clock);
    for (const struct of block.structs) writeStruct(encoder, struct);
  }
  const byClient = new Map<number, RawDelete[]>();
  for (const range of deletes) {
    const list = byClient.get(range.client);
    if (list) list.push(range);
    else byClient.set(range.client, [range]);
  }
  encoding.writeVarUint(encoder, byClient.size);
  for (const [client, ranges] of byClient) {
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, ranges.length);
    for (const range of ranges) {
      encoding.writeVarUint(encoder, range.clock);
      encoding.writeVarUint(encoder, range.length);
    }
  }
  return encoding.toUint8Array(encoder);
}

function writeStruct(encoder: encoding.Encoder, struct: RawStruct): void {
  switch (struct.kind) {
    case 'gc':
      encoding.writeUint8(encoder, 0);
      encoding.writeVarUint(encoder, struct.length);
      return;
    case 'skip':
      encoding.writeUint8(encoder, 10);
      encoding.writeVarUint(encoder, struct.length);
      return;
    case 'item': {
      const contentRef = CONTENT_REFS[struct.content.type];
      const hasOrigins = struct.origin !== undefined || struct.rightOrigin !== undefined;
      const info = contentRef | (struct.origin ? 0x80 : 0) | (struct.rightOrigin ? 0x40 : 0) | (!hasOrigins && struct.parentSub !== undefined ? 0x20 : 0);
      encoding.writeUint8(encoder, info);
      if (struct.origin) writeId(encoder, struct.origin);
      if (struct.rightOrigin) writeId(encoder, struct.rightOrigin);
      if (!hasOrigins) {
        const parent = struct.parent ?? 'code';
        if (typeof parent === 'string') {
          encoding.writeVarUint(encoder, 1);
          encoding.writeVarString(encoder, parent);
        } else {
          encoding.writeVarUint(encoder, 0);
          writeId(encoder, parent);
        }
        if (struct.parentSub !== undefined) encoding.writeVarString(encoder, struct.parentSub);
      }
      writeContent(encoder, struct.content);
      return;
    }
    default:
      throw new Error(`unknown struct ${(struct satisfies never) as string}`);
  }
}

function writeContent(encoder: encoding.Encoder, content: RawContent): void {
  switch (content.type) {
    case 'string':
      return encoding.writeVarString(encoder, content.text);
    case 'deleted':
      return encoding.writeVarUint(encoder, content.length);
    case 'any':
      encoding.writeVarUint(encoder, content.values.length);
      for (const value of content.values) encoding.writeAny(encoder, value as never);
      return;
    case 'type':
      return encoding.writeVarUint(encoder, content.typeRef);
    case 'format':
      encoding.writeVarString(encoder, content.key);
      return encoding.writeVarString(encoder, JSON.stringify(content.value));
    case 'embed':
      return encoding.writeVarString(encoder, JSON.stringify(content.value));
    default:
      throw new Error(`unknown content ${(content satisfies never) as string}`);
  }
}

function writeId(encoder: encoding.Encoder, id: RawId): void {
  encoding.writeVarUint(encoder, id.client);
  encoding.writeVarUint(encoder, id.clock);
}
