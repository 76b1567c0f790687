import * as Y from 'yjs';
import { decompressSync } from './compression.ts';
import { readFileTree } from '../../shared/room-files.ts';
import { decodeChangeIndex, decodeUpdateList, type RecordedChange } from './change-index.ts';
import { textEdits, unifiedDiff } from './line-diff.ts';
import { observeOps, type OpsObserver } from './change-ops.ts';
import { thinVersions, type ThinTask } from './thin-versions.ts';
import { docOf, withDoc, type RenderChain } from './render-chain.ts';
import { buildBase, buildVersions, type BuildOptions, type BuildResult, type BuiltVersion } from './build-versions.ts';

export type { RenderChain } from './render-chain.ts';

/**
 * The heavy parts of history as plain functions of plain data, run in the
 * history worker thread (`history-worker.ts`): replaying versions, diffs,
 * blame, playback and building versions. Nothing here runs on the thread
 * that serves sockets.
 */

/** A change index as stored: compressed (a version's) or raw (a segment's, with its update list: its ops are derived by replay). */
export interface StoredIndex {
  bytes: Uint8Array;
  compressed: boolean;
  updates?: Uint8Array;
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
  | { kind: 'playback'; indexes: StoredIndex[]; from: number; to: number; base?: RenderChain }
  | { kind: 'build'; segments: { update: Uint8Array; changes: Uint8Array }[]; options: BuildOptions }
  | { kind: 'build-base'; state: Uint8Array }
  | ({ kind: 'thin' } & ThinTask)
  | { kind: 'warm' };

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

export interface HistoryTaskResults {
  render: RenderedFile[];
  /** The entry file's text. */
  'render-entry': string;
  diff: string;
  'restore-plan': RestorePlan;
  blame: { file: string; lines: BlameLine[] } | null;
  playback: string;
  build: BuildResult;
  'build-base': BuiltVersion;
  /** Each version's coarse change index, compressed. */
  thin: Uint8Array[];
  /** Nothing: the thread has loaded this module. */
  warm: null;
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
      return playback(task.indexes, task.from, task.to, task.base);
    case 'build':
      return buildVersions(task.segments, task.options);
    case 'build-base':
      return buildBase(task.state);
    case 'thin':
      return thinVersions(task);
    case 'warm':
      return null;
    default: {
      const never: never = task;
      throw new Error(`unknown history task ${JSON.stringify(never)}`);
    }
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
  return decodeChangeIndex(index.compressed ? decompressSync(index.bytes) : index.bytes);
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

function playback(indexes: StoredIndex[], from: number, to: number, base?: RenderChain): string {
  let out = '';
  // Segments not grouped into versions yet carry no ops: they are derived by replaying their updates on the newest version.
  let replay: { doc: Y.Doc; observer: OpsObserver } | undefined;
  try {
    for (const index of indexes) {
      const { changes, paths } = decodeIndex(index);
      if (index.updates) {
        if (!replay) {
          const doc = docOf(base ?? { updates: [] });
          replay = { doc, observer: observeOps(doc) };
        }
        const updates = decodeUpdateList(index.updates);
        changes.forEach((change, position) => {
          if (updates[position]) Y.applyUpdate(replay!.doc, updates[position]);
          change.ops = replay!.observer.take();
        });
        for (const [id, path] of replay.observer.paths()) paths.set(id, path);
      }
      for (const change of changes) {
        if (change.at <= from || change.at > to) continue;
        const at = new Date(change.at).toISOString();
        const author = JSON.stringify({ name: change.author.name, color: change.author.color });
        for (const op of change.ops) {
          out += `{"at":"${at}","author":${author},"file":${JSON.stringify(paths.get(op.file) ?? op.file)},"pos":${op.pos},"del":${op.del},"ins":${JSON.stringify(op.ins)}}\n`;
        }
      }
    }
  } finally {
    replay?.observer.stop();
    replay?.doc.destroy();
  }
  return out;
}

