import { sql } from 'kysely';
import * as Y from 'yjs';
import { readRoomContent } from '../../shared/room-doc.ts';
import type { Storage } from './database.ts';
import { mayDifferFromDocument } from './stored-text.ts';
import {
  appendRoomUpdates,
  appendRoomUpdatesSqlite,
  deleteRooms,
  findRoomAccess,
  findStaleRooms,
  findRoomById,
  insertRoom,
  loadRoomState,
  lockRoomForFold,
  readRoomSnapshot,
  readRoomUpdates,
  roomExists,
  writeRoomSnapshot,
  type RoomRecord,
  type StoredRoomState,
} from './room.repository.ts';

/** The room an id opens, and how. */
export interface RoomAccess {
  roomId: string;
  access: 'edit' | 'view';
}

/** How a fold reaches into the live document while the room row is locked. */
export interface FoldCallbacks {
  /** Applies stored bytes our document has not seen (written by another instance). */
  apply(update: Uint8Array): void;
  /**
   * The document: Yjs state plus the plain fields stored beside it. With
   * `coveredLogIds` (an encoding made before the transaction), only those log
   * rows are in it, and only those are folded; without, it holds every row read.
   */
  encode(): { state: Uint8Array; code: string; language: string; title: string; coveredLogIds?: ReadonlySet<number> };
}

/** A fold found no row for its room: the room was deleted while loaded. */
export class RoomDeletedError extends Error {
  override name = 'RoomDeletedError';
  constructor(readonly roomId: string) {
    super(`room ${roomId} is no longer stored`);
  }
}

/** Result of a fold: the new snapshot version and the log rows it replaced. */
export interface FoldResult {
  stateVersion: number;
  foldedLogIds: number[];
}

/**
 * Everything the collaboration server and the REST API need from the
 * database, on either dialect. Not-found is `undefined`; failures reject.
 */
export interface RoomStore {
  createRoom(room: { id: string; viewId: string; language: string; title: string; code: string; state: Uint8Array }): Promise<RoomRecord>;
  /** The stored row; its text is the column's, by the rule in `stored-text.ts` (see {@link RoomStore.loadRoomState} for the exact text). */
  findRoom(id: string): Promise<RoomRecord | undefined>;
  roomExists(id: string): Promise<boolean>;
  /** Resolves an edit id or a view id to its room; `undefined` when neither exists. */
  findRoomAccess(id: string): Promise<RoomAccess | undefined>;
  /** Snapshot and log; with no log rows, the record's text is the document's exact text. */
  loadRoomState(id: string): Promise<StoredRoomState | undefined>;
  appendUpdates(rows: { roomId: string; update: Uint8Array }[]): Promise<number[]>;
  foldRoom(id: string, knownVersion: number, knownLogIds: ReadonlySet<number>, callbacks: FoldCallbacks): Promise<FoldResult>;
  /** Up to `limit` rooms untouched since `cutoff`. */
  findStaleRooms(cutoff: Date, limit: number): Promise<{ id: string; viewId: string }[]>;
  /** Deletes rooms by id, with `cutoff` only those still untouched since then; returns the ids deleted. */
  deleteRooms(ids: string[], cutoff?: Date): Promise<string[]>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A loaded room whose record carries the document's exact text. The text
 * columns replace what SQL cannot hold (`stored-text.ts`); when they may have,
 * and no log row makes the caller decode the state anyway, the text comes
 * from the snapshot. (Rare: only text that holds a U+FFFD.)
 */
function withExactText(stored: StoredRoomState | undefined): StoredRoomState | undefined {
  if (!stored || stored.updates.length > 0) return stored;
  const { record } = stored;
  if (!mayDifferFromDocument(record.code) && !mayDifferFromDocument(record.title)) return stored;
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, stored.state);
    const { code, title } = readRoomContent(doc);
    return { ...stored, record: { ...record, code, title } };
  } finally {
    doc.destroy();
  }
}

/** The {@link RoomStore} over an open Kysely database. */
export function createRoomStore({ db, dialect, sqlite }: Storage): RoomStore {
  return {
    createRoom: (room) => insertRoom(db, { ...room, now: new Date() }),
    findRoom: (id) => findRoomById(db, id),
    roomExists: (id) => roomExists(db, id),
    findRoomAccess: (id) => findRoomAccess(db, id),
    findStaleRooms: (cutoff, limit) => findStaleRooms(db, cutoff, limit),
    deleteRooms: (ids, cutoff) => deleteRooms(db, ids, cutoff),
    loadRoomState: async (id) => withExactText(await loadRoomState(db, id)),
    appendUpdates: async (rows) => (sqlite ? appendRoomUpdatesSqlite(sqlite, rows, new Date()) : appendRoomUpdates(db, rows, new Date())),

    foldRoom: (id, knownVersion, knownLogIds, callbacks) =>
      db.transaction().execute(async (trx) => {
        const current = await lockRoomForFold(trx, dialect, id);
        if (!current) throw new RoomDeletedError(id);
        if (current.stateVersion !== knownVersion) {
          const snapshot = await readRoomSnapshot(trx, id);
          if (snapshot) callbacks.apply(snapshot);
        }
        const unseen = current.updateIds.filter((logId) => !knownLogIds.has(logId));
        for (const update of await readRoomUpdates(trx, id, unseen)) callbacks.apply(update);
        const stateVersion = current.stateVersion + 1;
        const { coveredLogIds, ...encoded } = callbacks.encode();
        const foldedLogIds = coveredLogIds ? current.updateIds.filter((logId) => coveredLogIds.has(logId)) : current.updateIds;
        await writeRoomSnapshot(trx, dialect, id, { ...encoded, stateVersion }, foldedLogIds, new Date());
        return { stateVersion, foldedLogIds };
      }),

    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
