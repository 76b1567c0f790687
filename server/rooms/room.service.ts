import { randomBytes } from 'node:crypto';
import type { Hocuspocus } from '@hocuspocus/server';
import * as Y from 'yjs';
import { ENTRY_FILE_ID, ROOM_ID_BYTES, toLanguage, type Language } from '../../shared/protocol.ts';
import { encodeNewRoomState, readRoomContent, readRoomSettings, type RoomContent, type RoomSettings } from '../../shared/room-doc.ts';
import { FileError, fileCount, readFileTree } from '../../shared/room-files.ts';
import { defaultEntryPath } from '../../shared/file-paths.ts';
import type { Room } from '../../shared/schemas/room.schema.ts';
import type { PersistenceExtension } from '../collab/persistence.extension.ts';
import { planNewRoomFiles, type RequestedFile } from '../files/new-room-files.ts';
import { measureNewRoom } from '../files/room-size.ts';
import type { FileWorker } from '../files/file-worker.ts';
import { generateOwnerKey, hashOwnerKey } from '../owner/owner-key.ts';
import type { RoomAccess, RoomStore } from '../storage/room-store.ts';
import type { RoomAccessResolver } from './room-access.ts';

/** What a new room is made of (`POST /api/rooms`, JSON or zip). */
export interface NewRoomRequest {
  /** The room's language; with `files`, only when the entry file has none (set, or by its extension). */
  language: Language;
  title: string;
  /** The text of the one file (`main.<ext>`) of a room made without `files`. */
  code: string;
  /** The files; the entry's text becomes `code`. */
  files?: readonly RequestedFile[];
  /** The entry file's path (with `files`); see `planNewRoomFiles`. */
  entry?: string;
  /** Empty folders (with `files`). */
  folders?: readonly string[];
  /** Sets the entry file's language, over its own (a zip's `?language=`). */
  entryLanguage?: Language;
}

/** Rooms as the REST API sees them: live from memory when loaded, from the database otherwise. */
export interface RoomService {
  /**
   * Creates a room; `origin` (e.g. `https://pairpad.example`) makes the
   * share links absolute. Rejects with a `FileError` for bad files, a
   * {@link RoomTooLargeError} past `MAX_DOCUMENT_BYTES`.
   */
  createRoom(request: NewRoomRequest, origin: string): Promise<Room>;
  /** The room an edit or view id opens, shaped by that access; `undefined` when there is none. */
  findRoom(id: string, origin: string): Promise<Room | undefined>;
  /** The live code of the room an edit or view id opens, or `undefined`. */
  readCode(id: string): Promise<string | undefined>;
}

/** A room asked for is larger than `MAX_DOCUMENT_BYTES`, measured as the server measures a live room (2 bytes per UTF-16 code unit). */
export class RoomTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`The room would be ${bytes} bytes; the limit is ${limit} (MAX_DOCUMENT_BYTES)`);
  }
}

/** A new room or view id: 128 random bits, url-safe. */
export function generateRoomId(): string {
  return randomBytes(ROOM_ID_BYTES).toString('base64url');
}

/** Where the entry file is and how many files there are. */
interface FileSummary {
  entry: string;
  fileCount: number;
}

function readFileSummary(doc: Y.Doc): FileSummary {
  return { entry: readFileTree(doc).entry, fileCount: fileCount(doc) };
}

function readStoredContent(state: Uint8Array, updates: Uint8Array[]): RoomContent & FileSummary {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  for (const update of updates) Y.applyUpdate(doc, update);
  const content = { ...readRoomContent(doc), ...readFileSummary(doc) };
  doc.destroy();
  return content;
}

interface RoomSnapshot extends RoomContent, FileSummary, RoomSettings {
  viewId: string;
  createdAt: string;
  updatedAt: string;
  activeUsers: number;
}

export function createRoomService({
  store,
  hocuspocus,
  persistence,
  access,
  fileWorker,
  maxDocumentBytes,
}: {
  store: RoomStore;
  hocuspocus: Hocuspocus;
  persistence: PersistenceExtension;
  access: RoomAccessResolver;
  /** Builds the state of a large new room off the event loop. */
  fileWorker: FileWorker;
  /** `MAX_DOCUMENT_BYTES`: a room is created no larger than a live room may grow. */
  maxDocumentBytes: number;
}): RoomService {
  const readLive = (roomId: string): RoomSnapshot | undefined => {
    const document = hocuspocus.documents.get(roomId);
    const loaded = persistence.loadedRoom(roomId);
    if (!document || document.isLoading || !loaded) return undefined;
    return {
      ...readRoomContent(document),
      ...readFileSummary(document),
      ...readRoomSettings(document),
      viewId: loaded.viewId,
      createdAt: loaded.createdAt,
      updatedAt: new Date(document.lastChangeTime || Date.parse(loaded.createdAt)).toISOString(),
      activeUsers: document.getConnectionsCount(),
    };
  };

  const readStored = async (roomId: string): Promise<RoomSnapshot | undefined> => {
    const stored = await store.loadRoomState(roomId, { exactText: true });
    if (!stored) return undefined;
    const { record } = stored;
    // Log rows not yet folded (e.g. after a crash) are newer than the stored text.
    let content: RoomContent & FileSummary;
    if (stored.updates.length === 0) {
      const language = toLanguage(record.language);
      // The rows are the last fold's files; a room not folded since files existed has one file.
      const rows = await store.readFileIndex(roomId);
      const entry = rows.find((row) => row.fileId === ENTRY_FILE_ID)?.path ?? defaultEntryPath(language);
      content = { code: record.code, language, title: record.title, entry, fileCount: Math.max(1, rows.length) };
    } else {
      content = readStoredContent(stored.state, stored.updates.map((row) => row.update));
    }
    return { ...content, locked: record.locked === true, ...(record.maxEditors ? { maxEditors: record.maxEditors } : {}), viewId: record.viewId, createdAt: record.createdAt, updatedAt: record.updatedAt, activeUsers: 0 };
  };

  const shape = (grant: Pick<RoomAccess, 'access' | 'editId' | 'ownerKeyHash'> & { viewId?: string }, room: RoomSnapshot, origin: string): Room => {
    const { viewId: loadedViewId, ...rest } = room;
    // The grant's ids are the room's now (a rotation changes them; the loaded room keeps the ones it was loaded with).
    const viewId = grant.viewId || loadedViewId;
    const view = `${origin}/v/${viewId}`;
    const editId = grant.editId;
    const hasOwner = grant.ownerKeyHash !== undefined;
    // A view never reveals the edit id, in any field.
    return grant.access === 'edit'
      ? { roomId: editId, viewId, access: 'edit', links: { edit: `${origin}/r/${editId}`, view }, hasOwner, ...rest }
      : { viewId, access: 'view', links: { view }, hasOwner, ...rest };
  };

  const read = async (id: string) => {
    const grant = await access.resolve(id);
    if (!grant) return undefined;
    const room = readLive(grant.roomId) ?? (await readStored(grant.roomId));
    return room && { grant, room };
  };

  return {
    async createRoom(request, origin) {
      if (!request.files && request.entry !== undefined) throw new FileError('invalid_path', '`entry` names one of `files`; without `files` the room has one file');
      const plan = request.files
        ? planNewRoomFiles(request.files, { entry: request.entry, folders: request.folders, fallbackLanguage: request.language, entryLanguage: request.entryLanguage })
        : undefined;
      const language = plan?.language ?? request.language;
      const code = plan ? plan.seed.files.find((file) => file.path === plan.seed.entry)!.content : request.code;
      const content = { code, language, title: request.title };
      const bytes = plan ? measureNewRoom(plan.seed, content.title, language) : 2 * (code.length + language.length + content.title.length);
      if (bytes > maxDocumentBytes) throw new RoomTooLargeError(bytes, maxDocumentBytes);
      const roomId = generateRoomId();
      const viewId = generateRoomId();
      let state: Uint8Array;
      let files;
      let summary: FileSummary;
      if (plan) {
        ({ state, files, ...summary } = await fileWorker.run({ kind: 'build', content, seed: plan.seed }, bytes));
      } else {
        state = encodeNewRoomState(content);
        summary = { entry: defaultEntryPath(language), fileCount: 1 };
      }
      // The owner key is answered once, here; only its hash is kept.
      const ownerKey = generateOwnerKey();
      const ownerKeyHash = hashOwnerKey(ownerKey);
      const record = await store.createRoom({ id: roomId, viewId, ownerKeyHash, ...content, state, files });
      access.remember(roomId, viewId, ownerKeyHash);
      const room = shape(
        { access: 'edit', editId: roomId, viewId, ownerKeyHash },
        { ...content, ...summary, locked: false, viewId, createdAt: record.createdAt, updatedAt: record.updatedAt, activeUsers: 0 },
        origin,
      );
      // In the fragment, so the key never reaches a server's or proxy's log.
      return { ...room, ownerKey, links: { ...room.links, owner: `${origin}/r/${roomId}#owner=${ownerKey}` } };
    },

    async findRoom(id, origin) {
      const found = await read(id);
      return found && shape(found.grant, found.room, origin);
    },

    async readCode(id) {
      return (await read(id))?.room.code;
    },
  };
}
