import * as Y from 'yjs';
import { readFileTree } from '../../shared/room-files.ts';
import { decodeChangeIndex, encodeChangeIndex, type ChangeOp, type HistoryAuthor, type RecordedChange } from './change-index.ts';
import { compressSync, decompressSync } from './compression.ts';
import { textEdits } from './line-diff.ts';

/** What thins consecutive versions: the room just before the first (a render chain), and each version's stored update and change index. */
export interface ThinTask {
  base: { snapshot?: Uint8Array; updates: Uint8Array[] };
  versions: { update: Uint8Array; changes: Uint8Array; at: number }[];
}

/**
 * The coarse change index of each version (compressed, in order): one
 * change per version instead of one per keystroke. Its time is the
 * version's, its author the version's (whoever made most of its changes),
 * its Yjs ids all those the version's changes created (so blame names the
 * version for those characters), and its ops the line edits from the
 * version before to this one, file by file (so playback steps version by
 * version and still ends at the right text). Runs in the history worker.
 */
export function thinVersions(task: ThinTask): Uint8Array[] {
  const doc = new Y.Doc();
  try {
    doc.transact(() => {
      if (task.base.snapshot) Y.applyUpdate(doc, decompressSync(task.base.snapshot));
      for (const update of task.base.updates) Y.applyUpdate(doc, decompressSync(update));
    });
    let before = textsOf(doc);
    return task.versions.map((version) => {
      const index = decodeChangeIndex(decompressSync(version.changes));
      Y.applyUpdate(doc, decompressSync(version.update));
      const after = textsOf(doc);
      const ops: ChangeOp[] = [];
      for (const file of new Set([...before.keys(), ...after.keys()])) {
        const from = before.get(file)?.text ?? '';
        const to = after.get(file)?.text ?? '';
        if (from === to) continue;
        for (const edit of textEdits(from, to)) ops.push({ file, ...edit });
      }
      const paths = new Map(index.paths);
      for (const [file, { path }] of [...before, ...after]) paths.set(file, path);
      before = after;
      const coarse: RecordedChange = { at: version.at, author: mainAuthor(index.changes), ops, ranges: mergedRanges(index.changes) };
      return compressSync(encodeChangeIndex([coarse], paths));
    });
  } finally {
    doc.destroy();
  }
}

function textsOf(doc: Y.Doc): Map<string, { path: string; text: string }> {
  return new Map(readFileTree(doc).files.map((file) => [file.id, { path: file.path, text: file.text.toString() }]));
}

/** The author of most of the changes (the later one on a tie). */
function mainAuthor(changes: readonly RecordedChange[]): HistoryAuthor {
  const counts = new Map<string, { author: HistoryAuthor; count: number }>();
  let best: { author: HistoryAuthor; count: number } | undefined;
  for (const change of changes) {
    const key = `${change.author.name}\u0000${change.author.color}\u0000${change.author.subject ?? ''}`;
    const entry = counts.get(key) ?? { author: change.author, count: 0 };
    entry.count++;
    counts.set(key, entry);
    if (!best || entry.count >= best.count) best = entry;
  }
  return best?.author ?? { name: '', color: '' };
}

/** Every Yjs id range the changes created, adjacent ranges of a client joined. */
function mergedRanges(changes: readonly RecordedChange[]): [number, number, number][] {
  const byClient = new Map<number, [number, number][]>();
  for (const change of changes) {
    for (const [client, first, end] of change.ranges) {
      let list = byClient.get(client);
      if (!list) byClient.set(client, (list = []));
      list.push([first, end]);
    }
  }
  const merged: [number, number, number][] = [];
  for (const [client, list] of byClient) {
    list.sort((x, y) => x[0] - y[0]);
    let open: [number, number, number] | undefined;
    for (const [first, end] of list) {
      if (open && first <= open[2]) open[2] = Math.max(open[2], end);
      else merged.push((open = [client, first, end]));
    }
  }
  return merged;
}
