import * as Y from 'yjs';
import { CODE_TEXT, ENTRY_FILE_ID, FILES_MAP } from '../../shared/protocol.ts';
import type { RecordedChange } from './change-index.ts';
import { pushDeltaOps, type OpsObserver } from './change-ops.ts';
import { ChangedItems, type TextDeltaReader } from './text-delta.ts';

/**
 * Applies recorded changes to a build document in order and sets each
 * one's ops. Runs of text-only changes (`RecordedChange.textOnly`) go in
 * one transaction per run ({@link applyTextChanges}); any other change (a
 * file made, removed or renamed, or a change stored before the flag) in a
 * transaction of its own, its ops read off its events by `observer`
 * (`change-ops.ts`). Notes in `paths` the path each file an op touches had
 * then (a file may be gone by the version's end).
 */
export function replayChanges(doc: Y.Doc, group: readonly RecordedChange[], observer: OpsObserver, paths: Map<string, string>): void {
  const notePaths = (from: number, to: number) => {
    for (let index = from; index < to; index++) {
      for (const op of group[index].ops) if (!paths.has(op.file)) paths.set(op.file, observer.paths().get(op.file) ?? '');
    }
  };
  let index = 0;
  while (index < group.length) {
    // A run of text-only changes in one transaction; while something is pending, every change goes alone (see applyTextChanges).
    if (group[index].textOnly && doc.store.pendingStructs === null && doc.store.pendingDs === null) {
      let end = index;
      while (end < group.length && group[end].textOnly) end++;
      const from = index;
      observer.pause();
      try {
        index += applyTextChanges(doc, group, index, end, observer.reader);
      } finally {
        observer.resume();
      }
      notePaths(from, index);
      continue;
    }
    const change = group[index];
    if (change.update) Y.applyUpdate(doc, change.update);
    change.ops = observer.take();
    notePaths(index, index + 1);
    index++;
  }
}

/**
 * Replays a run of text-only changes (`RecordedChange.textOnly`) in one Yjs
 * transaction and reads each change's ops as it is applied, instead of one
 * transaction per change with text events (`change-ops.ts`). A transaction
 * per keystroke cost more than applying the keystroke: its cleanup merges
 * items and delete sets, calls observers and emits half a dozen events
 * (about half of a build's time on the paper trace). Inside one
 * transaction nothing merges until it ends, so each change's items are
 * found from its own Yjs ids: the ones it created (the clocks its clients
 * gained) and the ones it deleted (the entries it added to the
 * transaction's delete set). The deltas are read with the observer's
 * reader, which remembers where each text was last changed.
 *
 * Stops while structs or deletions are pending (a change arrived before
 * one it depends on): what integrates then belongs to whichever change
 * brings it, which text events see and this does not. The caller replays
 * the next change in a transaction of its own. Returns how many of
 * `changes[from..to)` were applied.
 */
export function applyTextChanges(doc: Y.Doc, changes: readonly RecordedChange[], from: number, to: number, reader: TextDeltaReader): number {
  const store = doc.store;
  const code = doc.getText(CODE_TEXT);
  const files = doc.getMap(FILES_MAP);
  let index = from;
  doc.transact((transaction) => {
    // Nothing may be pending before a change: what it would let integrate is not in its own ids.
    while (index < to && store.pendingStructs === null && store.pendingDs === null) {
      const change = changes[index++];
      const created = createdBefore(store, change);
      const deletions = deleteSetLengths(transaction.deleteSet);
      if (change.update) Y.applyUpdate(doc, change.update);
      const items = new ChangedItems();
      for (const [client, first, end] of change.ranges) {
        items.collect(store, client, Math.max(first, created.get(client) ?? 0), Math.min(end, Y.getState(store, client)), true);
      }
      for (const [client, ranges] of transaction.deleteSet.clients) {
        for (let n = deletions.get(client) ?? 0; n < ranges.length; n++) items.collect(store, client, ranges[n].clock, ranges[n].clock + ranges[n].len, false);
      }
      change.ops = [];
      for (const text of items.byText.keys()) {
        // Yjs fires no event for a text whose file was removed (by a concurrent change): no ops either.
        if (text._item?.deleted) continue;
        const fileId = text === code ? ENTRY_FILE_ID : fileIdOf(text, files);
        if (fileId === undefined) continue;
        const delta = reader.readChange(text, items);
        if (!delta) throw new Error(`history: the items of a change are not in the text of file ${fileId}`);
        pushDeltaOps(change.ops, fileId, delta);
      }
    }
  });
  return index - from;
}

/** Each of the change's clients' next clock before it is applied. */
function createdBefore(store: Y.Doc['store'], change: RecordedChange): Map<number, number> {
  const clocks = new Map<number, number>();
  for (const [client] of change.ranges) clocks.set(client, Y.getState(store, client));
  return clocks;
}

/** How many delete-set entries each client has so far (a transaction's delete set only grows until it ends). */
function deleteSetLengths(deleteSet: Y.Transaction['deleteSet']): Map<number, number> {
  const lengths = new Map<number, number>();
  for (const [client, ranges] of deleteSet.clients) lengths.set(client, ranges.length);
  return lengths;
}

/** The id of the file whose text `text` is (its record's key in the files map), or `undefined` for any other text. */
function fileIdOf(text: Y.AbstractType<unknown>, files: Y.Map<unknown>): string | undefined {
  const record = text._item?.parent;
  if (!(record instanceof Y.Map)) return undefined;
  const entry = record._item;
  return entry && !entry.deleted && entry.parent === files && typeof entry.parentSub === 'string' ? entry.parentSub : undefined;
}
