import type { Hocuspocus } from '@hocuspocus/server';
import * as Y from 'yjs';
import { deletePath, FileError, findFile, writeFile } from '../../shared/room-files.ts';
import { readFileTree } from '../../shared/room-files.ts';
import type { HistoryList, VersionContent, VersionInfo } from '../../shared/schemas/history.schema.ts';
import type { Kysely } from 'kysely';
import type { Logger } from '../log.ts';
import { RoomNotFoundRefusal } from '../collab/refusals.ts';
import type { UpdateJournal } from '../collab/update-journal.ts';
import type { RoomAccessResolver } from '../rooms/room-access.ts';
import type { Database } from '../storage/database.ts';
import { REST_AUTHOR, type HistoryContext } from './change-recorder.ts';
import type { HistoryAuthor } from './change-index.ts';
import { encodeChangeIndex, TIME_UNIT_MS } from './change-index.ts';
import { compress } from './compression.ts';
import {
  findLatestVersion,
  findVersion,
  insertVersion,
  listVersions,
  readHistorySegments,
  readRenderChain,
  readVersionIndexes,
  setVersionLabel,
  type VersionSummary,
} from './history.repository.ts';
import type { BlameLine, RenderChain, RestorePlan, StoredIndex } from './history-tasks.ts';
import { chainBytes, type HistoryWorker } from './history-worker.ts';
import type { VersionBuilder } from './version-builder.ts';
import { textEdits } from './line-diff.ts';

/** Why a history request was refused; each maps to a code of `shared/errors.ts`. */
export class HistoryError extends Error {
  constructor(
    readonly code: 'room_not_found' | 'not_found' | 'forbidden' | 'invalid_request' | 'service_unavailable',
    message: string,
  ) {
    super(message);
    this.name = 'HistoryError';
  }
}

/** How long a restore waits to become durable before it answers 503 (as file writes do). */
const DURABLE_WAIT_MS = 30_000;

/** The history of rooms over REST (issue 17). Ids: an edit id or a view id reads; only an edit id labels or restores. */
export interface HistoryService {
  list(id: string, page: { before?: number; limit: number }): Promise<HistoryList>;
  /** Labels the current state: closes the open version (or makes an empty one) and labels it. */
  label(id: string, label: string): Promise<VersionInfo>;
  version(id: string, versionId: string): Promise<VersionContent>;
  /** The entry file's text at a version. */
  versionEntryText(id: string, versionId: string): Promise<string>;
  /** A unified diff of every changed file between two points (`current`: now). */
  diff(id: string, from: string, to: string): Promise<string>;
  /** Makes the room equal to a version, as one change by `author`; returns the version that holds it. */
  restore(id: string, versionId: string, author: HistoryAuthor): Promise<{ versionId: string; restoredFrom: string }>;
  /** The changes between two points as NDJSON lines. */
  playback(id: string, from?: string, to?: string): Promise<string>;
  /** For each line of a file's current text, the author and time of its newest character. */
  blame(id: string, path: string): Promise<{ file: string; lines: BlameLine[] }>;
}

export function toVersionInfo(version: VersionSummary): VersionInfo {
  return {
    versionId: String(version.id),
    at: new Date(version.at).toISOString(),
    authors: version.authors.map(({ name, color }) => ({ name, color })),
    ...(version.label ? { label: version.label } : {}),
    chars: version.chars,
  };
}

export function createHistoryService({
  db,
  hocuspocus,
  journal,
  access,
  worker,
  versions,
  durableWaitMs = DURABLE_WAIT_MS,
  log,
}: {
  db: Kysely<Database>;
  hocuspocus: Hocuspocus;
  journal: Pick<UpdateJournal, 'sequence' | 'whenDurable' | 'flush'>;
  access: RoomAccessResolver;
  worker: HistoryWorker;
  versions: VersionBuilder;
  durableWaitMs?: number;
  log?: Logger;
}): HistoryService {
  const roomOf = async (id: string, need: 'view' | 'edit') => {
    const grant = need === 'edit' ? await access.claim(id) : await access.resolve(id);
    if (!grant) throw new HistoryError('room_not_found', `Room ${JSON.stringify(id.slice(0, 80))} does not exist`);
    if (need === 'edit' && grant.access !== 'edit') throw new HistoryError('forbidden', 'A view id cannot change the history; use the edit id');
    return grant.roomId;
  };

  const versionOf = async (roomId: string, versionId: string) => {
    const id = /^\d{1,15}$/.test(versionId) ? Number(versionId) : NaN;
    const version = Number.isSafeInteger(id) ? await findVersion(db, roomId, id) : undefined;
    if (!version) throw new HistoryError('not_found', `No version ${JSON.stringify(versionId.slice(0, 40))} in this room`);
    return version;
  };

  /** The room at a version, or now (`current`: every version and the changes not grouped yet). */
  const chainOf = async (roomId: string, point: string): Promise<RenderChain> => {
    if (point === 'current') {
      const chain = await readRenderChain(db, roomId);
      const segments = await readHistorySegments(db, roomId);
      return { ...chain, raw: segments.map((segment) => segment.update) };
    }
    const version = await versionOf(roomId, point);
    return readRenderChain(db, roomId, version.id);
  };

  /** A point as epoch ms: an ISO time, a version id (its `at`), or `current`. */
  const timeOf = async (roomId: string, point: string): Promise<number> => {
    if (point === 'current') return Date.now();
    if (/^\d{1,15}$/.test(point)) return (await versionOf(roomId, point)).at;
    const time = Date.parse(point);
    if (!/^\d{4}-\d\d-\d\dT/.test(point) || Number.isNaN(time)) throw new HistoryError('invalid_request', `Not a version id or ISO 8601 time: ${JSON.stringify(point.slice(0, 64))}`);
    return time;
  };

  /** Changes of the room flushed and grouped so far, then the versions closed (a label or restore answers with them). */
  const settle = async (roomId: string) => {
    await journal.flush().catch(() => {});
    await versions.build(roomId, true);
  };

  return {
    async list(id, page) {
      const roomId = await roomOf(id, 'view');
      // Changes stored but not grouped yet (e.g. before a restart) become the versions they close.
      await versions.build(roomId).catch((error: unknown) => log?.warn({ err: error, roomId }, 'building history versions failed; listing those built'));
      const rows = await listVersions(db, roomId, page);
      return { versions: rows.map(toVersionInfo) };
    },

    async label(id, label) {
      const roomId = await roomOf(id, 'edit');
      await settle(roomId);
      const latest = await findLatestVersion(db, roomId);
      if (latest && !latest.label) {
        await setVersionLabel(db, roomId, latest.id, label);
        return toVersionInfo({ ...latest, label });
      }
      // The current state already has a label: a new, empty version holds this one.
      const now = Math.round(Date.now() / TIME_UNIT_MS) * TIME_UNIT_MS;
      const empty = await compress(Y.encodeStateAsUpdate(new Y.Doc()));
      const versionId = await insertVersion(db, roomId, {
        startedAt: now, at: now, authors: [], label, chars: latest?.chars ?? 0, changeCount: 0,
        update: empty, changes: await compress(encodeChangeIndex([], new Map())), snapshot: null,
      });
      return toVersionInfo((await findVersion(db, roomId, versionId))!);
    },

    async version(id, versionId) {
      const roomId = await roomOf(id, 'view');
      const version = await versionOf(roomId, versionId);
      const chain = await readRenderChain(db, roomId, version.id);
      const files = await worker.run({ kind: 'render', chain }, chainBytes(chain));
      return { versionId: String(version.id), at: new Date(version.at).toISOString(), files };
    },

    async versionEntryText(id, versionId) {
      const roomId = await roomOf(id, 'view');
      const version = await versionOf(roomId, versionId);
      const chain = await readRenderChain(db, roomId, version.id);
      return worker.run({ kind: 'render-entry', chain }, chainBytes(chain));
    },

    async diff(id, from, to) {
      const roomId = await roomOf(id, 'view');
      const [fromChain, toChain] = await Promise.all([chainOf(roomId, from), chainOf(roomId, to)]);
      return worker.run({ kind: 'diff', from: fromChain, to: toChain }, chainBytes(fromChain) + chainBytes(toChain));
    },

    async restore(id, versionId, author) {
      const roomId = await roomOf(id, 'edit');
      const version = await versionOf(roomId, versionId);
      const target = await readRenderChain(db, roomId, version.id);
      const context: HistoryContext = { historyAuthor: author };
      const connection = await hocuspocus.openDirectConnection(roomId, context as Record<string, unknown>).catch((error: unknown) => {
        throw error instanceof RoomNotFoundRefusal ? new HistoryError('room_not_found', 'The room does not exist') : error;
      });
      try {
        const current = () => readFileTree(connection.document!).files.map((file) => ({ path: file.path, content: file.text.toString() }));
        const before = current();
        const plan = await worker.run({ kind: 'restore-plan', target, current: before }, chainBytes(target));
        await connection.transact((doc) => applyPlan(doc, plan, before));
        const seq = journal.sequence;
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), durableWaitMs);
        });
        const outcome = await Promise.race([journal.whenDurable(roomId, seq), timedOut]).finally(() => clearTimeout(timer));
        if (outcome === 'timeout') throw new HistoryError('service_unavailable', 'The restore is applied but not stored yet (the database is not answering)');
      } finally {
        await connection.disconnect({ unloadImmediately: false });
      }
      await settle(roomId);
      const latest = await findLatestVersion(db, roomId);
      return { versionId: String(latest?.id ?? version.id), restoredFrom: String(version.id) };
    },

    async playback(id, from, to) {
      const roomId = await roomOf(id, 'view');
      // A version id bounds by version, not by time (times are kept at 100 ms): `from` means "after that version".
      const isVersionId = (point: string | undefined) => point !== undefined && /^\d{1,15}$/.test(point);
      const fromVersion = isVersionId(from) ? await versionOf(roomId, from!) : undefined;
      const toVersion = isVersionId(to) ? await versionOf(roomId, to!) : undefined;
      const fromTime = from === undefined || fromVersion ? -Infinity : await timeOf(roomId, from);
      const toTime = to === undefined || toVersion ? Infinity : await timeOf(roomId, to);
      const versionRows = await readVersionIndexes(db, roomId, Number.isFinite(fromTime) ? fromTime : 0, Number.isFinite(toTime) ? toTime : Number.MAX_SAFE_INTEGER, {
        afterId: fromVersion?.id,
        upToId: toVersion?.id,
      });
      const indexes: StoredIndex[] = versionRows.map((bytes) => ({ bytes, compressed: true }));
      // Changes not grouped yet: their ops are derived by replaying them on the newest version.
      const segments = (await readHistorySegments(db, roomId)).sort((x, y) => x.firstAt - y.firstAt || x.id - y.id);
      const ungrouped = !toVersion && segments.some((segment) => segment.lastAt > fromTime);
      if (ungrouped) for (const segment of segments) indexes.push({ bytes: segment.changes, compressed: false, updates: segment.update });
      const base = ungrouped ? await readRenderChain(db, roomId) : undefined;
      const bytes = indexes.reduce((sum, index) => sum + index.bytes.length + (index.updates?.length ?? 0), base ? chainBytes(base) : 0);
      return worker.run({ kind: 'playback', indexes, from: fromTime, to: toTime, base }, bytes);
    },

    async blame(id, path) {
      const roomId = await roomOf(id, 'view');
      const chain = await chainOf(roomId, 'current');
      const indexes: StoredIndex[] = (await readVersionIndexes(db, roomId, 0, Number.MAX_SAFE_INTEGER)).map((bytes) => ({ bytes, compressed: true }));
      for (const segment of await readHistorySegments(db, roomId)) indexes.push({ bytes: segment.changes, compressed: false });
      const [first] = await listVersions(db, roomId, { limit: 1, before: undefined }).then((rows) => rows.slice(0, 1));
      const fallbackAt = first?.at ?? Date.now();
      const bytes = chainBytes(chain) + indexes.reduce((sum, index) => sum + index.bytes.length, 0);
      const result = await worker.run({ kind: 'blame', chain, indexes, path, fallbackAt }, bytes);
      if (!result) throw new HistoryError('not_found', `No file at ${JSON.stringify(path.slice(0, 200))}`);
      return result;
    },
  };
}

/**
 * Applies a restore plan in the room's transaction. A file whose text
 * changed since the plan was made (someone typed meanwhile) is planned again
 * here, against its text now, so the edits land where they were meant.
 */
function applyPlan(doc: Y.Doc, plan: RestorePlan, planned: { path: string; content: string }[]): void {
  const plannedText = new Map(planned.map((file) => [file.path, file.content]));
  for (const { path, edits } of plan.edit) {
    const file = findFile(doc, path);
    if (!file) continue;
    const now = file.text.toString();
    const before = plannedText.get(path)!;
    const wanted = applyEdits(before, edits);
    for (const edit of now === before ? edits : textEdits(now, wanted)) {
      if (edit.del > 0) file.text.delete(edit.pos, edit.del);
      if (edit.ins) file.text.insert(edit.pos, edit.ins);
    }
  }
  // The entry file is never deleted, and a path a folder took is left: the rest of the restore still lands.
  for (const path of plan.remove) ignoreFileError(() => deletePath(doc, path));
  for (const file of plan.create) ignoreFileError(() => writeFile(doc, file.path, file.content));
}

function ignoreFileError(change: () => unknown): void {
  try {
    change();
  } catch (error) {
    if (!(error instanceof FileError)) throw error;
  }
}

function applyEdits(text: string, edits: { pos: number; del: number; ins: string }[]): string {
  let out = text;
  for (const edit of edits) out = out.slice(0, edit.pos) + edit.ins + out.slice(edit.pos + edit.del);
  return out;
}

export { REST_AUTHOR };
