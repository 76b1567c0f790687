import { randomBytes } from 'node:crypto';
import type { Hocuspocus } from '@hocuspocus/server';
import * as Y from 'yjs';
import { isRoomIdFormat, ROOM_ID_BYTES, toLanguage } from '../../shared/protocol.ts';
import { encodeNewRoomState, readRoomContent } from '../../shared/room-doc.ts';
import type { CreateRoomRequest, Room } from '../../shared/schemas/room.schema.ts';
import type { PersistenceExtension } from '../collab/persistence.extension.ts';
import type { RoomStore } from '../storage/room-store.ts';

/** Rooms as the REST API sees them: live from memory when loaded, from the database otherwise. */
export interface RoomService {
  createRoom(request: CreateRoomRequest): Promise<Room>;
  /** The room, or `undefined` when the id is malformed or no such room exists. */
  findRoom(roomId: string): Promise<Room | undefined>;
  /** The live code of a room, or `undefined` when there is no such room. */
  readCode(roomId: string): Promise<string | undefined>;
}

function readStoredContent(state: Uint8Array, updates: Uint8Array[]) {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  for (const update of updates) Y.applyUpdate(doc, update);
  const content = readRoomContent(doc);
  doc.destroy();
  return content;
}

/** A new room id: 128 random bits, url-safe. */
export function generateRoomId(): string {
  return randomBytes(ROOM_ID_BYTES).toString('base64url');
}

export function createRoomService({
  store,
  hocuspocus,
  persistence,
}: {
  store: RoomStore;
  hocuspocus: Hocuspocus;
  persistence: PersistenceExtension;
}): RoomService {
  const findLiveRoom = (roomId: string): Room | undefined => {
    const document = hocuspocus.documents.get(roomId);
    const createdAt = persistence.loadedRoomCreatedAt(roomId);
    if (!document || document.isLoading || createdAt === undefined) return undefined;
    return {
      roomId,
      ...readRoomContent(document),
      createdAt,
      updatedAt: new Date(document.lastChangeTime || Date.parse(createdAt)).toISOString(),
      activeUsers: document.getConnectionsCount(),
    };
  };

  return {
    async createRoom(request) {
      const roomId = generateRoomId();
      const content = { code: request.code, language: request.language, title: request.title };
      const record = await store.createRoom({ id: roomId, ...content, state: encodeNewRoomState(content) });
      return { roomId, ...content, createdAt: record.createdAt, updatedAt: record.updatedAt, activeUsers: 0 };
    },

    async findRoom(roomId) {
      if (!isRoomIdFormat(roomId)) return undefined;
      const live = findLiveRoom(roomId);
      if (live) return live;
      const stored = await store.loadRoomState(roomId);
      if (!stored) return undefined;
      const { record } = stored;
      // Log rows not yet folded (e.g. after a crash) are newer than the stored text.
      const content =
        stored.updates.length === 0
          ? { code: record.code, language: toLanguage(record.language), title: record.title }
          : readStoredContent(stored.state, stored.updates.map((row) => row.update));
      return { roomId, ...content, createdAt: record.createdAt, updatedAt: record.updatedAt, activeUsers: 0 };
    },

    async readCode(roomId) {
      return (await this.findRoom(roomId))?.code;
    },
  };
}
