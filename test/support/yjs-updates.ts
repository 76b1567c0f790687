import * as Y from 'yjs';

/** The update `change` makes on an existing `doc` (every transaction it makes, merged). */
export function updateOn(doc: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  const updates: Uint8Array[] = [];
  const listener = (update: Uint8Array) => updates.push(update);
  doc.on('update', listener);
  change(doc);
  doc.off('update', listener);
  return Y.mergeUpdates(updates);
}
