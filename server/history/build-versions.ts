import * as Y from 'yjs';
import { mergeInRounds } from '../collab/merge-updates.ts';
import { buildDocs } from './build-cache.ts';
import { decodeChangeIndex, decodeUpdateList, encodeChangeIndex, encodeUpdateList, type HistoryAuthor, type RecordedChange } from './change-index.ts';
import { replayChanges } from './batch-ops.ts';
import { observeOps } from './change-ops.ts';
import { compressSync } from './compression.ts';
import { roomLength } from './doc-size.ts';
import { docOf, type RenderChain } from './render-chain.ts';
import { encodeVersionUpdate } from './version-update.ts';

/**
 * Building versions from recorded changes, in the history worker
 * (`history-tasks.ts` runs it; `version-builder.ts` decides when, and
 * stores what it makes): changes grouped at pauses, each change replayed
 * on the room as of the previous version to derive its ops, each version's
 * update read off that document, snapshots now and then.
 */

/** A built version's payload (see `history.repository.ts`'s `NewVersion`). */
export interface BuiltVersion {
  startedAt: number;
  at: number;
  authors: HistoryAuthor[];
  chars: number;
  changeCount: number;
  update: Uint8Array;
  changes: Uint8Array;
  snapshot: Uint8Array | null;
}

/** What a build makes: closed versions in order, and the changes of the open one (a new segment), if any. */
export interface BuildResult {
  versions: BuiltVersion[];
  remainder: { update: Uint8Array; changes: Uint8Array; firstAt: number; lastAt: number } | null;
  /** The worker kept the document the build ended with (`build-cache.ts`): its token, and the snapshot counters as they end. */
  kept?: { token: string; sinceBytes: number; sinceVersions: number; snapshotAtBytes: number };
  /** `cached` named a document the worker no longer holds: build again with `base`. */
  miss?: true;
}

/** How a build groups changes and when it snapshots. */
export interface BuildOptions {
  now: number;
  pauseMs: number;
  maxSpanMs: number;
  /** Close the open version too (a label). */
  closeOpen: boolean;
  /** Compressed update bytes and versions since the newest snapshot, and the snapshot bytes that trigger the next. */
  sinceBytes: number;
  sinceVersions: number;
  snapshotAtBytes: number;
  /** After a snapshot, the next comes at least this share of its size later (compressed update bytes). */
  snapshotShare: number;
  snapshotAtVersions: number;
  /** The room at the newest version (ops are derived by replaying on it; snapshots need it)... */
  base?: RenderChain;
  /** ...or the token of the document the room's last build left in the worker, which is the room at the newest version. */
  cached?: string;
  roomId: string;
}

export function buildVersions(segments: { update: Uint8Array; changes: Uint8Array }[], options: BuildOptions): BuildResult {
  const changes: RecordedChange[] = [];
  for (const segment of segments) {
    const index = decodeChangeIndex(segment.changes);
    const updates = decodeUpdateList(segment.update);
    index.changes.forEach((change, position) => {
      change.update = updates[position];
      changes.push(change);
    });
  }
  // Stable: changes of one time keep the order they were written in.
  changes.sort((x, y) => x.at - y.at);
  const groups: RecordedChange[][] = [];
  for (const change of changes) {
    const group = groups.at(-1);
    if (group && change.at - group.at(-1)!.at < options.pauseMs && change.at - group[0].at < options.maxSpanMs) group.push(change);
    else groups.push([change]);
  }
  let remainder: BuildResult['remainder'] = null;
  const open = groups.at(-1);
  if (open && !options.closeOpen && options.now - open.at(-1)!.at < options.pauseMs) {
    groups.pop();
    remainder = {
      update: encodeUpdateList(open.flatMap((change) => (change.update ? [change.update] : []))),
      changes: encodeChangeIndex(open, new Map()),
      firstAt: open[0].at,
      lastAt: open.at(-1)!.at,
    };
  }
  // The room as of the newest version; each change's update is applied to it in turn, and its ops read off the text events.
  const cachedDoc = options.cached === undefined ? undefined : buildDocs?.take(options.roomId, options.cached);
  if (options.cached !== undefined && !cachedDoc && !options.base) return { versions: [], remainder: null, miss: true };
  // Only a document that started at the newest version holds the room's past: snapshots and the next build need that.
  const fromNewest = cachedDoc !== undefined || options.base !== undefined;
  const doc = cachedDoc ?? docOf(options.base ?? { updates: [] });
  const observer = observeOps(doc);
  // Each change's deletions, for the version's update (`version-update.ts`).
  let deleted: Y.Transaction['deleteSet'][] = [];
  const onTransaction = (transaction: Y.Transaction) => {
    if (transaction.deleteSet.clients.size > 0) deleted.push(transaction.deleteSet);
  };
  doc.on('afterTransaction', onTransaction);
  let keep = false;
  const paths = new Map(observer.paths());
  try {
    let sinceBytes = options.sinceBytes;
    let sinceVersions = options.sinceVersions;
    let snapshotAtBytes = options.snapshotAtBytes;
    const versions: BuiltVersion[] = groups.map((group) => {
      const authors = new Map<string, HistoryAuthor>();
      const before = Y.encodeStateVector(doc);
      deleted = [];
      // Changes decoded from one segment share their author object: one key per run of them, not per change.
      let lastAuthor: HistoryAuthor | undefined;
      for (const change of group) {
        if (change.author === lastAuthor) continue;
        lastAuthor = change.author;
        authors.set(`${change.author.name}\u0000${change.author.color}`, { name: change.author.name, color: change.author.color });
      }
      replayChanges(doc, group, observer, paths);
      for (const [id, path] of observer.paths()) paths.set(id, path);
      const merged = encodeVersionUpdate(doc, before, deleted, group.length) ?? mergeInRounds(group.flatMap((change) => (change.update ? [change.update] : [])));
      const update = compressSync(merged);
      sinceBytes += update.length;
      sinceVersions++;
      let snapshot: Uint8Array | null = null;
      if (fromNewest && (sinceBytes >= snapshotAtBytes || sinceVersions >= options.snapshotAtVersions)) {
        snapshot = compressSync(Y.encodeStateAsUpdate(doc));
        sinceBytes = 0;
        sinceVersions = 0;
        snapshotAtBytes = Math.max(snapshotAtBytes, snapshot.length * options.snapshotShare);
      }
      return {
        startedAt: group[0].at,
        at: group.at(-1)!.at,
        authors: [...authors.values()],
        chars: roomLength(doc),
        changeCount: group.length,
        update,
        changes: compressSync(encodeChangeIndex(group, paths)),
        snapshot,
      };
    });
    // The worker keeps the document for the next build, named by a token (it destroys one too large to keep); the main thread keeps none.
    keep = fromNewest && buildDocs !== undefined;
    const token = keep ? buildDocs!.keep(options.roomId, doc) : undefined;
    return token === undefined ? { versions, remainder } : { versions, remainder, kept: { token, sinceBytes, sinceVersions, snapshotAtBytes } };
  } finally {
    observer.stop();
    doc.off('afterTransaction', onTransaction);
    if (!keep) doc.destroy();
  }
}

/** A version made of one whole state (the first version of a room stored before history existed). */
export function buildBase(state: Uint8Array): BuiltVersion {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, state);
    const update = compressSync(state);
    const now = Date.now();
    return {
      startedAt: now, at: now, authors: [], changeCount: 0, update, snapshot: update,
      chars: roomLength(doc),
      changes: compressSync(encodeChangeIndex([], new Map())),
    };
  } finally {
    doc.destroy();
  }
}
