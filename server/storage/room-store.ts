import { sql } from 'kysely';
import * as Y from 'yjs';
import { readRoomContent } from '../../shared/room-doc.ts';
import { planFileWrites, readRoomFileIndex, writeRoomFiles, type FoldedFile, type StoredFile } from '../files/room-files.repository.ts';
import { bindClientKeyHash, findClientKeyHashes } from './client-key.repository.ts';
import type { Storage } from './database.ts';
import { mayDifferFromDocument } from './stored-text.ts';
import { insertHistorySegments, type HistorySegment } from '../history/history.repository.ts';
import { buildFirstVersion, insertFirstVersion } from '../history/first-version.ts';
import {
  appendRoomUpdates,
  appendRoomUpdatesSqlite,
  deleteRooms,
  findRoomAccess,
  findRoomAccessByKey,
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
  /** The key of the room in every table and the document's name; the edit id too, until a rotation. */
  roomId: string;
  access: 'edit' | 'view';
  /** The edit id now (`roomId` until the room is rotated); never shown to a viewer. */
  editId: string;
  viewId: string;
  /** SHA-256 of the owner key, base64url; absent for rooms made before owners existed. */
  ownerKeyHash?: string;
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
  encode(): { state: Uint8Array; code: string; language: string; title: string; coveredLogIds?: ReadonlySet<number>; files?: readonly FoldedFile[] };
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
  /** Stores a new room; `files` are its `room_files` rows (none for a room of one file made from `code`: its first fold writes them). */
  createRoom(room: { id: string; viewId: string; ownerKeyHash?: string; editId?: string; locked?: boolean; maxEditors?: number; language: string; title: string; code: string; state: Uint8Array; files?: readonly StoredFile[] }): Promise<RoomRecord>;
  /** The `room_files` rows of a room, without content, in path order (empty before its first fold since files existed). */
  readFileIndex(id: string): Promise<{ path: string; fileId: string; language: string; size: number }[]>;
  /** The stored row; its text is the column's, by the rule in `stored-text.ts` (see {@link RoomStore.loadRoomState} for the exact text). */
  findRoom(id: string): Promise<RoomRecord | undefined>;
  roomExists(id: string): Promise<boolean>;
  /** Resolves an edit id or a view id to its room; `undefined` when neither exists. */
  findRoomAccess(id: string): Promise<RoomAccess | undefined>;
  /** The room stored under the key `roomId` (its edit id may differ since a rotation), as edit access. */
  findRoomAccessByKey(roomId: string): Promise<RoomAccess | undefined>;
  /**
   * Snapshot and log. The record's text is the column's; with `exactText`
   * and no log rows, it is the document's exact text (for readers that do not
   * decode the state; a load applies it anyway).
   */
  loadRoomState(id: string, options?: { exactText?: boolean }): Promise<StoredRoomState | undefined>;
  /** Appends log rows; each row's `history` (its recorded changes) goes in the same transaction. */
  appendUpdates(rows: { roomId: string; update: Uint8Array; history?: HistorySegment }[]): Promise<number[]>;
  /** Folds the log into the snapshot; `history` (the recorded changes of updates the fold stores without a log row) is written in the same transaction. */
  foldRoom(id: string, knownVersion: number, knownLogIds: ReadonlySet<number>, callbacks: FoldCallbacks, history?: HistorySegment): Promise<FoldResult>;
  /** Up to `limit` rooms untouched since `cutoff`. */
  findStaleRooms(cutoff: Date, limit: number): Promise<{ id: string; viewId: string }[]>;
  /** Deletes rooms by id, with `cutoff` only those still untouched since then; returns the ids deleted. */
  deleteRooms(ids: string[], cutoff?: Date): Promise<string[]>;
  /** The key hashes client ids of a room are bound to (see "Client keys" in `shared/protocol.ts`); unbound ids are absent. */
  findClientKeys(roomId: string, clientIds?: readonly number[]): Promise<Map<number, string>>;
  /**
   * Binds a client id of a room to a key hash if it is not bound yet (the
   * first binding, from any instance, wins) and returns the hash it is bound
   * to; `undefined` when the room is not stored.
   */
  bindClientKey(roomId: string, clientId: number, keyHash: string): Promise<string | undefined>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Rooms whose exact text {@link ExactTexts} keeps, and their UTF-16 units in all (16 MB at most): only rooms whose columns hold a U+FFFD are kept at all. */
const EXACT_TEXT_CACHE_ROOMS = 16;
const EXACT_TEXT_CACHE_UNITS = 8 * 1024 * 1024;

/**
 * The exact text of stored rooms whose text columns may differ from the
 * document (`stored-text.ts`: only text that holds a U+FFFD), so a REST read
 * of such a room decodes its state once per stored version, not every time.
 */
class ExactTexts {
  /** By room id, least recently used first; `version` is the snapshot's. */
  private readonly rooms = new Map<string, { version: string; code: string; title: string }>();
  private units = 0;

  /** `stored` with its record carrying the document's exact text; as it is when the log has rows (the caller decodes those anyway). */
  apply(stored: StoredRoomState | undefined): StoredRoomState | undefined {
    if (!stored || stored.updates.length > 0) return stored;
    const { record } = stored;
    if (!mayDifferFromDocument(record.code) && !mayDifferFromDocument(record.title)) return stored;
    // Every fold bumps the version; a room deleted and restored starts again, at a new time.
    const version = `${stored.stateVersion}:${record.updatedAt}`;
    let exact = this.rooms.get(record.id);
    if (exact) this.forget(record.id, exact);
    if (exact?.version !== version) exact = { version, ...decodeText(stored.state) };
    this.rooms.set(record.id, exact);
    this.units += exact.code.length + exact.title.length;
    for (const [id, oldest] of this.rooms) {
      if (this.rooms.size <= EXACT_TEXT_CACHE_ROOMS && this.units <= EXACT_TEXT_CACHE_UNITS) break;
      this.forget(id, oldest);
    }
    return { ...stored, record: { ...record, code: exact.code, title: exact.title } };
  }

  private forget(id: string, exact: { code: string; title: string }): void {
    this.rooms.delete(id);
    this.units -= exact.code.length + exact.title.length;
  }
}

function decodeText(state: Uint8Array): { code: string; title: string } {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, state);
    const { code, title } = readRoomContent(doc);
    return { code, title };
  } finally {
    doc.destroy();
  }
}

/** The {@link RoomStore} over an open Kysely database. */
export function createRoomStore({ db, dialect, sqlite }: Storage): RoomStore {
  const exactTexts = new ExactTexts();
  return {
    createRoom: async ({ files, ...room }) => {
      const now = new Date();
      // Creating a room makes its first version (issue 17).
      const chars = files?.length ? files.reduce((sum, file) => sum + file.content.length, 0) : room.code.length;
      const firstVersion = await buildFirstVersion(room.state, chars, now.getTime());
      return db.transaction().execute(async (trx) => {
        const record = await insertRoom(trx, { ...room, now });
        if (files?.length) await writeRoomFiles(trx, room.id, { write: files, remove: [] });
        await insertFirstVersion(trx, room.id, firstVersion);
        return record;
      });
    },
    readFileIndex: (id) => readRoomFileIndex(db, id),
    findRoom: (id) => findRoomById(db, id),
    roomExists: (id) => roomExists(db, id),
    findRoomAccess: (id) => findRoomAccess(db, id),
    findRoomAccessByKey: (roomId) => findRoomAccessByKey(db, roomId),
    findStaleRooms: (cutoff, limit) => findStaleRooms(db, cutoff, limit),
    deleteRooms: (ids, cutoff) => deleteRooms(db, ids, cutoff),
    loadRoomState: async (id, options) => {
      const stored = await loadRoomState(db, id);
      return options?.exactText ? exactTexts.apply(stored) : stored;
    },
    appendUpdates: async (rows) => {
      if (!sqlite) {
        const history = rows.flatMap((row) => (row.history ? [{ roomId: row.roomId, segment: row.history }] : []));
        if (history.length === 0) return appendRoomUpdates(db, rows, new Date());
        return db.transaction().execute(async (trx) => {
          const ids = await appendRoomUpdates(trx, rows.map(({ roomId, update }) => ({ roomId, update })), new Date());
          await insertHistorySegments(trx, history);
          return ids;
        });
      }
      // The append goes to the connection directly, past Kysely's queue: run while a Kysely
      // transaction (a fold) is open on it, it would join that transaction, and be gone with a
      // rollback, or with a crash before the commit, after it was acknowledged as stored.
      while (sqlite.inTransaction) await new Promise((resolve) => setImmediate(resolve));
      return appendRoomUpdatesSqlite(sqlite, rows, new Date());
    },

    foldRoom: (id, knownVersion, knownLogIds, callbacks, history) =>
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
        const storedFiles = await readRoomFileIndex(trx, id);
        const { coveredLogIds, files, ...encoded } = callbacks.encode();
        // In the turn of the encoding: the texts written are the snapshot's.
        const fileWrites = files && planFileWrites(files, storedFiles);
        const foldedLogIds = coveredLogIds ? current.updateIds.filter((logId) => coveredLogIds.has(logId)) : current.updateIds;
        await writeRoomSnapshot(trx, dialect, id, { ...encoded, stateVersion }, foldedLogIds, new Date());
        // On SQLite each statement blocks the event loop while it writes (megabytes for a large
        // room): a turn between them lets other rooms' messages through. Appends wait for the commit.
        if (sqlite) await new Promise((resolve) => setImmediate(resolve));
        if (fileWrites) await writeRoomFiles(trx, id, fileWrites);
        if (history) await insertHistorySegments(trx, [{ roomId: id, segment: history }]);
        return { stateVersion, foldedLogIds };
      }),

    findClientKeys: (roomId, clientIds) => findClientKeyHashes(db, roomId, clientIds),
    bindClientKey: (roomId, clientId, keyHash) => bindClientKeyHash(db, roomId, clientId, keyHash, new Date()),

    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
