import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/**
 * Splits a Yjs (V1) update into a sequence of smaller updates that, applied in
 * order, give the same document as the whole one, and each of which integrates
 * completely given the ones before it (no pending structs in between). A large
 * room's stored state is split this way off the main thread, so that loading
 * it can yield to the event loop between chunks (see `docs/durability.md`).
 *
 * Each chunk holds, per client, one contiguous clock range of whole structs.
 * The ranges are chosen greedily: a struct joins the current chunk once every
 * struct it depends on (its client's previous struct, its origin, right origin
 * and the item holding its parent type, for files' nested types) is in this
 * chunk or an earlier one. The history that made
 * the document is such an order, so the walk always advances. The delete set
 * travels with the last chunk.
 *
 * `structsPerChunk` bounds the structs of each chunk (the last may also carry
 * the delete set). Returns `[update]` when the document has too few structs to split.
 */
export function splitUpdate(update: Uint8Array, structsPerChunk: number): Uint8Array[] {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  try {
    return splitDoc(doc, structsPerChunk) ?? [update];
  } finally {
    doc.destroy();
  }
}

type Struct = Y.Item | Y.GC;

function splitDoc(doc: Y.Doc, structsPerChunk: number): Uint8Array[] | undefined {
  const clients = doc.store.clients as Map<number, Struct[]>;
  let total = 0;
  for (const structs of clients.values()) total += structs.length;
  if (total <= structsPerChunk) return undefined;
  if (doc.store.pendingStructs !== null || doc.store.pendingDs !== null) return undefined;

  // next[client]: index of the first struct not taken yet; covered[client]: the clock it starts at.
  const next = new Map<number, number>();
  const covered = new Map<number, number>();
  for (const [client, structs] of clients) {
    next.set(client, 0);
    covered.set(client, structs[0]?.id.clock ?? 0);
  }
  const has = (id: Y.ID | null): boolean => id === null || id.clock < (covered.get(id.client) ?? 0);
  const isReady = (struct: Struct): boolean => {
    if (!(struct instanceof Y.Item)) return true;
    return has(struct.origin) && has(struct.rightOrigin) && has(parentIdOf(struct));
  };

  const chunks: Uint8Array[] = [];
  let chunkStart = new Map(covered);
  let inChunk = 0;
  let taken = 0;
  const cut = () => {
    chunks.push(encodeRange(clients, chunkStart, covered));
    chunkStart = new Map(covered);
    inChunk = 0;
  };
  while (taken < total) {
    let advanced = false;
    for (const [client, structs] of clients) {
      let index = next.get(client)!;
      while (index < structs.length && isReady(structs[index])) {
        const struct = structs[index++];
        covered.set(client, struct.id.clock + struct.length);
        next.set(client, index);
        taken++;
        advanced = true;
        if (++inChunk >= structsPerChunk && taken < total) cut();
      }
    }
    // A store that integrated fully always has a causal order; refuse to guess otherwise.
    if (!advanced) return undefined;
  }
  // The rest of the structs and the whole delete set.
  chunks.push(Y.encodeStateAsUpdate(doc, encodeClocks(chunkStart)));
  return chunks;
}

/**
 * The id of the item holding the nested type `item` is written into, when
 * the encoding names it (no origins, so Yjs places the item by its parent):
 * a file's first character, a record's first `language`. In a document the
 * parent is the type itself; the id is its item's.
 */
function parentIdOf(item: Y.Item): Y.ID | null {
  if (item.origin !== null || item.rightOrigin !== null) return null;
  const parent = item.parent;
  if (parent instanceof Y.ID) return parent;
  return (parent as Y.AbstractType<unknown> | null)?._item?.id ?? null;
}

/** Encodes, per client, the structs from `from` up to (not including) `to`, with an empty delete set. */
function encodeRange(clients: Map<number, Struct[]>, from: Map<number, number>, to: Map<number, number>): Uint8Array {
  const encoder = new Y.UpdateEncoderV1();
  const ranges = [...to]
    .filter(([client, end]) => end > from.get(client)!)
    .sort((a, b) => b[0] - a[0]); // higher client ids first, as Yjs writes them
  encoding.writeVarUint(encoder.restEncoder, ranges.length);
  for (const [client, end] of ranges) {
    const structs = clients.get(client)!;
    const start = from.get(client)!;
    const first = Y.findIndexSS(structs, start);
    let last = first;
    while (last < structs.length && structs[last].id.clock < end) last++;
    encoding.writeVarUint(encoder.restEncoder, last - first);
    encoder.writeClient(client);
    encoding.writeVarUint(encoder.restEncoder, start);
    for (let i = first; i < last; i++) structs[i].write(encoder, 0);
  }
  encoding.writeVarUint(encoder.restEncoder, 0); // no deletions
  return encoder.toUint8Array();
}

/** Encodes clocks as a Yjs state vector. */
function encodeClocks(clocks: Map<number, number>): Uint8Array {
  const encoder = encoding.createEncoder();
  const entries = [...clocks].filter(([, clock]) => clock > 0);
  encoding.writeVarUint(encoder, entries.length);
  for (const [client, clock] of entries) {
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, clock);
  }
  return encoding.toUint8Array(encoder);
}
