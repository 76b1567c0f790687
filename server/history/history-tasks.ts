import { deflateSync, inflateSync } from 'node:zlib';
import * as Y from 'yjs';
import { readFileTree } from '../../shared/room-files.ts';
import { mergeInRounds } from '../collab/update-journal.ts';
import { decodeChangeIndex, encodeChangeIndex, type HistoryAuthor, type RecordedChange } from './change-index.ts';
import { textEdits, unifiedDiff } from './line-diff.ts';

/**
 * The heavy parts of history as plain functions of plain data, run in the
 * history worker thread (`history-worker.ts`): replaying versions, diffs,
 * blame, playback and building versions. Nothing here runs on the thread
 * that serves sockets.
 */

/** What renders a room at a version: a deflated snapshot, deflated version updates, then raw (ungrouped) updates. */
export interface RenderChain {
  snapshot?: Uint8Array;
  updates: Uint8Array[];
  raw?: Uint8Array[];
}

/** A change index as stored: deflated (a version's) or raw (a segment's). */
export interface StoredIndex {
  bytes: Uint8Array;
  deflated: boolean;
}

/** One file of a rendered version. */
export interface RenderedFile {
  path: string;
  content: string;
}

export type HistoryTask =
  | { kind: 'render'; chain: RenderChain }
  | { kind: 'render-entry'; chain: RenderChain }
  | { kind: 'diff'; from: RenderChain; to: RenderChain }
  | { kind: 'restore-plan'; target: RenderChain; current: RenderedFile[] }
  | { kind: 'blame'; chain: RenderChain; indexes: StoredIndex[]; path: string; fallbackAt: number }
  | { kind: 'playback'; indexes: StoredIndex[]; from: number; to: number }
  | { kind: 'build'; segments: { update: Uint8Array; changes: Uint8Array }[]; previousChars: number; snapshotBase?: RenderChain };

/** A file's edits to make it equal to the target (absent files: create; `remove`: delete). */
export interface RestorePlan {
  edit: { path: string; edits: { pos: number; del: number; ins: string }[] }[];
  create: RenderedFile[];
  remove: string[];
}

/** One line of blame. */
export interface BlameLine {
  line: number;
  author: { name: string; color: string };
  at: string;
}

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

export interface HistoryTaskResults {
  render: RenderedFile[];
  /** The entry file's text. */
  'render-entry': string;
  diff: string;
  'restore-plan': RestorePlan;
  blame: { file: string; lines: BlameLine[] } | null;
  playback: string;
  build: BuiltVersion;
}

/** Runs a task here (in the worker, or in tests). */
export function runHistoryTask<K extends HistoryTask['kind']>(task: Extract<HistoryTask, { kind: K }>): HistoryTaskResults[K];
export function runHistoryTask(task: HistoryTask): HistoryTaskResults[HistoryTask['kind']] {
  switch (task.kind) {
    case 'render':
      return withDoc(task.chain, filesOf);
    case 'render-entry':
      return withDoc(task.chain, (doc) => {
        const tree = readFileTree(doc);
        return tree.files.find((file) => file.path === tree.entry)?.text.toString() ?? '';
      });
    case 'diff': {
      const from = withDoc(task.from, filesOf);
      const to = withDoc(task.to, filesOf);
      return diffFiles(from, to);
    }
    case 'restore-plan':
      return planRestore(task.current, withDoc(task.target, filesOf));
    case 'blame':
      return withDoc(task.chain, (doc) => blame(doc, task.indexes, task.path, task.fallbackAt));
    case 'playback':
      return playback(task.indexes, task.from, task.to);
    case 'build':
      return buildVersion(task.segments, task.previousChars, task.snapshotBase);
    default: {
      const never: never = task;
      throw new Error(`unknown history task ${JSON.stringify(never)}`);
    }
  }
}

/** The room at the end of a chain, in a document that keeps deleted content (later updates may refer to it). */
function withDoc<T>(chain: RenderChain, read: (doc: Y.Doc) => T): T {
  const doc = new Y.Doc({ gc: false });
  try {
    doc.transact(() => {
      if (chain.snapshot) Y.applyUpdate(doc, inflateSync(chain.snapshot));
      for (const update of chain.updates) Y.applyUpdate(doc, inflateSync(update));
      for (const update of chain.raw ?? []) Y.applyUpdate(doc, update);
    });
    return read(doc);
  } finally {
    doc.destroy();
  }
}

function filesOf(doc: Y.Doc): RenderedFile[] {
  return readFileTree(doc).files.map((file) => ({ path: file.path, content: file.text.toString() }));
}

function diffFiles(from: RenderedFile[], to: RenderedFile[]): string {
  const before = new Map(from.map((file) => [file.path, file.content]));
  const after = new Map(to.map((file) => [file.path, file.content]));
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  let out = '';
  for (const path of paths) {
    const a = before.get(path);
    const b = after.get(path);
    out += unifiedDiff({ from: a === undefined ? null : path, to: b === undefined ? null : path }, a ?? '', b ?? '');
  }
  return out;
}

function planRestore(current: RenderedFile[], target: RenderedFile[]): RestorePlan {
  const now = new Map(current.map((file) => [file.path, file.content]));
  const wanted = new Set(target.map((file) => file.path));
  const plan: RestorePlan = { edit: [], create: [], remove: current.filter((file) => !wanted.has(file.path)).map((file) => file.path) };
  for (const file of target) {
    const content = now.get(file.path);
    if (content === undefined) plan.create.push(file);
    else if (content !== file.content) plan.edit.push({ path: file.path, edits: textEdits(content, file.content) });
  }
  return plan;
}

function decodeIndex(index: StoredIndex) {
  return decodeChangeIndex(index.deflated ? inflateSync(index.bytes) : index.bytes);
}

/** Per Yjs client, the ranges of ids each change created, sorted by first clock. */
function rangesByClient(indexes: StoredIndex[]): Map<number, { first: number; end: number; change: RecordedChange }[]> {
  const byClient = new Map<number, { first: number; end: number; change: RecordedChange }[]>();
  for (const index of indexes) {
    for (const change of decodeIndex(index).changes) {
      for (const [client, first, end] of change.ranges) {
        let list = byClient.get(client);
        if (!list) byClient.set(client, (list = []));
        list.push({ first, end, change });
      }
    }
  }
  for (const list of byClient.values()) list.sort((x, y) => x.first - y.first);
  return byClient;
}

function blame(doc: Y.Doc, indexes: StoredIndex[], path: string, fallbackAt: number): { file: string; lines: BlameLine[] } | null {
  const file = readFileTree(doc).files.find((candidate) => candidate.path === path);
  if (!file) return null;
  const byClient = rangesByClient(indexes);
  const lines: BlameLine[] = [];
  let newest: RecordedChange | undefined;
  let lineHasChars = false;
  const endLine = () => {
    lines.push({
      line: lines.length + 1,
      author: newest ? { name: newest.author.name, color: newest.author.color } : { name: '', color: '' },
      at: new Date(newest?.at ?? fallbackAt).toISOString(),
    });
    newest = undefined;
    lineHasChars = false;
  };
  for (let item = file.text._start; item !== null; item = item.right) {
    if (item.deleted || !(item.content instanceof Y.ContentString)) continue;
    const text = item.content.str;
    const list = byClient.get(item.id.client);
    // The first range that may hold the item's first clock (binary search), then forward through its chars.
    let index = -1;
    if (list) {
      let low = 0;
      let high = list.length - 1;
      while (low <= high) {
        const middle = (low + high) >> 1;
        if (list[middle].first <= item.id.clock) {
          index = middle;
          low = middle + 1;
        } else high = middle - 1;
      }
    }
    for (let offset = 0; offset < text.length; offset++) {
      const clock = item.id.clock + offset;
      while (list && index + 1 < list.length && list[index + 1].first <= clock) index++;
      const range = list && index >= 0 && list[index].first <= clock && clock < list[index].end ? list[index] : undefined;
      if (range && (!newest || range.change.at >= newest.at)) newest = range.change;
      lineHasChars = true;
      if (text.charCodeAt(offset) === 10) endLine();
    }
  }
  if (lineHasChars || lines.length === 0) endLine();
  return { file: path, lines };
}

function playback(indexes: StoredIndex[], from: number, to: number): string {
  let out = '';
  for (const index of indexes) {
    const { changes, paths } = decodeIndex(index);
    for (const change of changes) {
      if (change.at <= from || change.at > to) continue;
      const at = new Date(change.at).toISOString();
      const author = JSON.stringify({ name: change.author.name, color: change.author.color });
      for (const op of change.ops) {
        out += `{"at":"${at}","author":${author},"file":${JSON.stringify(paths.get(op.file) ?? op.file)},"pos":${op.pos},"del":${op.del},"ins":${JSON.stringify(op.ins)}}\n`;
      }
    }
  }
  return out;
}

function buildVersion(segments: { update: Uint8Array; changes: Uint8Array }[], previousChars: number, snapshotBase?: RenderChain): BuiltVersion {
  const changes: RecordedChange[] = [];
  const paths = new Map<string, string>();
  for (const segment of segments) {
    const index = decodeChangeIndex(segment.changes);
    changes.push(...index.changes);
    for (const [id, path] of index.paths) paths.set(id, path);
  }
  const authors = new Map<string, HistoryAuthor>();
  let chars = previousChars;
  let startedAt = Infinity;
  let at = -Infinity;
  for (const change of changes) {
    authors.set(`${change.author.name}\u0000${change.author.color}`, { name: change.author.name, color: change.author.color });
    for (const op of change.ops) chars += op.ins.length - op.del;
    startedAt = Math.min(startedAt, change.at);
    at = Math.max(at, change.at);
  }
  const merged = mergeInRounds(segments.map((segment) => segment.update));
  let snapshot: Uint8Array | null = null;
  if (snapshotBase) {
    const doc = new Y.Doc({ gc: false });
    try {
      if (snapshotBase.snapshot) Y.applyUpdate(doc, inflateSync(snapshotBase.snapshot));
      for (const update of snapshotBase.updates) Y.applyUpdate(doc, inflateSync(update));
      Y.applyUpdate(doc, merged);
      snapshot = deflateSync(Y.encodeStateAsUpdate(doc));
      // Exact where it is cheap: the ops' sum drifts on changes the recorder could not see (a room older than history).
      chars = filesOf(doc).reduce((sum, file) => sum + file.content.length, 0);
    } finally {
      doc.destroy();
    }
  }
  return {
    startedAt: Number.isFinite(startedAt) ? startedAt : Date.now(),
    at: Number.isFinite(at) ? at : Date.now(),
    authors: [...authors.values()],
    chars: Math.max(0, chars),
    changeCount: changes.length,
    update: deflateSync(merged),
    changes: deflateSync(encodeChangeIndex(changes, paths)),
    snapshot,
  };
}
