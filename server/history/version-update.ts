import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { countStructs } from './doc-size.ts';

type DeleteSet = ReturnType<typeof Y.createDeleteSet>;

/**
 * A version's update, read off the document its changes were just applied
 * to: the structs added since `before` (the state vector before the first
 * change) and the deletions the changes made (their transactions' delete
 * sets). Applied to the room as of the previous version it gives the room
 * as of this one, as `Y.mergeUpdates` of the changes' own updates does. It
 * is smaller: text typed and deleted within the version is stored as
 * deleted, without its characters. Its cost grows with the document, not
 * the version: the document's whole delete set is built twice (once inside
 * Yjs), each a walk over every struct, ~35 µs per thousand structs in all.
 * Merging 400 keystrokes' updates takes ~1 ms (~2.5 µs a change), so this
 * is cheaper up to ~70 structs per change of the version and dearer beyond
 * (4 ms against 0.7 ms for 400 changes at 120,000 structs: a long room typed
 * all over): past {@link MAX_STRUCTS_PER_CHANGE} it gives way to the merge.
 *
 * Yjs writes such an update with the document's whole delete set (every
 * deletion ever made); this one keeps the structs and swaps that for the
 * version's own. `undefined` when the document holds pending updates (Yjs
 * then merges them in) or its encoding is not the one expected: the caller
 * merges the changes' updates instead.
 */
export function encodeVersionUpdate(doc: Y.Doc, before: Uint8Array, deleted: readonly DeleteSet[], changes: number): Uint8Array | undefined {
  if (doc.store.pendingStructs || doc.store.pendingDs) return undefined;
  if (countStructs(doc) > MAX_STRUCTS_PER_CHANGE * changes) return undefined;
  const whole = Y.encodeStateAsUpdate(doc, before);
  const wholeDeletes = encodeDeleteSet(Y.createDeleteSetFromStructStore(doc.store));
  if (!endsWith(whole, wholeDeletes)) return undefined;
  const structs = whole.subarray(0, whole.length - wholeDeletes.length);
  const deletes = encodeDeleteSet(Y.mergeDeleteSets([...deleted]));
  const update = new Uint8Array(structs.length + deletes.length);
  update.set(structs);
  update.set(deletes, structs.length);
  return update;
}

/** Structs in the document per change of the version beyond which merging the changes' updates costs less (see {@link encodeVersionUpdate}). */
const MAX_STRUCTS_PER_CHANGE = 64;

/** A delete set as Yjs's v1 update encoding writes it: clients in descending order, each with its (clock, length) ranges. */
function encodeDeleteSet(set: DeleteSet): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, set.clients.size);
  for (const [client, ranges] of [...set.clients.entries()].sort((x, y) => y[0] - x[0])) {
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, ranges.length);
    for (const range of ranges) {
      encoding.writeVarUint(encoder, range.clock);
      encoding.writeVarUint(encoder, range.len);
    }
  }
  return encoding.toUint8Array(encoder);
}

function endsWith(bytes: Uint8Array, tail: Uint8Array): boolean {
  if (tail.length > bytes.length) return false;
  const offset = bytes.length - tail.length;
  for (let index = 0; index < tail.length; index++) if (bytes[offset + index] !== tail[index]) return false;
  return true;
}
