import { randomBytes } from 'node:crypto';
import type { Hocuspocus } from '@hocuspocus/server';
import * as Y from 'yjs';
import { ROOM_ID_BYTES, toLanguage } from '../../shared/protocol.ts';
import { encodeNewRoomState, readRoomContent, type RoomContent } from '../../shared/room-doc.ts';
import type { CreateRoomRequest, Room } from '../../shared/schemas/room.schema.ts';
import type { PersistenceExtension } from '../collab/persistence.extension.ts';
import type { RoomStore } from '../storage/room-store.ts';
import type { RoomAccessResolver } from './room-access.ts';

/** Rooms as the REST API sees them: live from memory when loaded, from the database otherwise. */
export interface RoomService {
  /** Creates a room; `origin` (e.g. `https://pairpad.example`) makes the share links absolute. */
  createRoom(request: CreateRoomRequest, origin: string): Promise<Room>;
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

function readStoredContent(state: Uint8Array, updates: Uint8Array[]): RoomContent {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  for (const update of updates) Y.applyUpdate(doc, update);
  const content = readRoomContent(doc);
  doc.destroy();
  return content;
}

interface RoomSnapshot extends RoomContent {
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
  maxDocumentBytes,
}: {
  store: RoomStore;
  hocuspocus: Hocuspocus;
  persistence: PersistenceExtension;
  access: RoomAccessResolver;
  /** `MAX_DOCUMENT_BYTES`: a room is created no larger than a live room may grow. */
  maxDocumentBytes: number;
}): RoomService {
  const readLive = (roomId: string): RoomSnapshot | undefined => {
    const document = hocuspocus.documents.get(roomId);
    const loaded = persistence.loadedRoom(roomId);
    if (!document || document.isLoading || !loaded) return undefined;
    return {
      ...readRoomContent(document),
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
    const content =
      stored.updates.length === 0
        ? { code: record.code, language: toLanguage(record.language), title: record.title }
        : readStoredContent(stored.state, stored.updates.map((row) => row.update));
    return { ...content, viewId: record.viewId, createdAt: record.createdAt, updatedAt: record.updatedAt, activeUsers: 0 };
  };

  const shape = (roomId: string, grant: 'edit' | 'view', room: RoomSnapshot, origin: string): Room => {
    const { viewId, ...rest } = room;
    const view = `${origin}/v/${viewId}`;
    // A view never reveals the edit id, in any field.
    return grant === 'edit'
      ? { roomId, viewId, access: 'edit', links: { edit: `${origin}/r/${roomId}`, view }, ...rest }
      : { viewId, access: 'view', links: { view }, ...rest };
  };

  const read = async (id: string) => {
    const grant = await access.resolve(id);
    if (!grant) return undefined;
    const room = readLive(grant.roomId) ?? (await readStored(grant.roomId));
    return room && { grant, room };
  };

  return {
    async createRoom(request, origin) {
      const roomId = generateRoomId();
      const viewId = generateRoomId();
      const content = { code: request.code, language: request.language, title: request.title };
      const bytes = 2 * (content.code.length + content.language.length + content.title.length);
      if (bytes > maxDocumentBytes) throw new RoomTooLargeError(bytes, maxDocumentBytes);
      const record = await store.createRoom({ id: roomId, viewId, ...content, state: encodeNewRoomState(content) });
      access.remember(roomId, viewId);
      return shape(roomId, 'edit', { ...content, viewId, createdAt: record.createdAt, updatedAt: record.updatedAt, activeUsers: 0 }, origin);
    },

    async findRoom(id, origin) {
      const found = await read(id);
      return found && shape(found.grant.roomId, found.grant.access, found.room, origin);
    },

    async readCode(id) {
      return (await read(id))?.room.code;
    },
  };
}
