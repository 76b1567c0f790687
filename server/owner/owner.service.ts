import type { Hocuspocus } from '@hocuspocus/server';
import type { Kysely } from 'kysely';
import * as Y from 'yjs';
import type { ErrorCode } from '../../shared/errors.ts';
import { CloseCode, CloseReason, META_LANGUAGE, META_LOCKED, META_MAP, META_MAX_EDITORS, META_TITLE } from '../../shared/protocol.ts';
import type { PatchRoomRequest } from '../../shared/schemas/room.schema.ts';
import type { Room } from '../../shared/schemas/room.schema.ts';
import { grantAllows, type Grant } from '../auth/tokens.ts';
import { RoomNotFoundRefusal } from '../collab/refusals.ts';
import type { RoomAccessResolver } from '../rooms/room-access.ts';
import { generateRoomId, type RoomService } from '../rooms/room.service.ts';
import type { Database } from '../storage/database.ts';
import type { RoomAccess } from '../storage/room-store.ts';
import { ownerKeyMatches } from './owner-key.ts';
import { deleteRoomData, readRoomNotes, rotateRoomIds, updateRoomSettings, writeRoomNotes } from './owner.repository.ts';
import type { RunService } from '../run/run.service.ts';
import type { RoomCommands } from './room-commands.ts';

/** Largest owner's notes, in bytes of UTF-8 (100 KB). */
export const MAX_NOTES_BYTES = 100 * 1024;

/** A refusal of an owner's action, with the REST error code it maps to. */
export class OwnerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Who asks: the bearer of the request (the owner key, with tokens off) or its verified token (tokens on). */
export type OwnerCredentials = { kind: 'key'; key: string | undefined } | { kind: 'token'; grant: Grant | undefined };

/** The owner's actions on a room (`docs/owner.md`); each takes the edit id and the asker's credentials. */
export interface OwnerService {
  /** The room, when `credentials` are its owner's; 404 `room_not_found` for an unknown id, 403 `forbidden` otherwise. */
  authorize(id: string, credentials: OwnerCredentials): Promise<RoomAccess>;
  /** Applies settings to the document (`meta`) and the room's row; answers the room. */
  patch(room: RoomAccess, request: PatchRoomRequest, origin: string): Promise<Room>;
  /** Closes a participant's connections on every instance with 4403 `removed`; how many were closed on this one. */
  removeParticipant(room: RoomAccess, participant: string): number;
  /** Deletes the room and every row of it; everyone connected is closed with 4410. */
  deleteRoom(room: RoomAccess): Promise<void>;
  /** New edit and view ids; the old ones open nothing from now on (sockets on them close with 4404 `link rotated`). */
  rotate(room: RoomAccess, origin: string): Promise<Room>;
  readNotes(room: RoomAccess): Promise<string>;
  writeNotes(room: RoomAccess, text: string): Promise<void>;
}

export function createOwnerService({
  db,
  hocuspocus,
  access,
  rooms,
  commands,
  runs,
  log,
}: {
  db: Kysely<Database>;
  hocuspocus: Hocuspocus;
  access: RoomAccessResolver;
  rooms: RoomService;
  commands: RoomCommands;
  /** To stop the room's runs when it is deleted. */
  runs?: Pick<RunService, 'activeRunIds' | 'cancel'>;
  log?: { warn(object: object, message: string): void };
}): OwnerService {
  const findRoom = async (editId: string, origin: string): Promise<Room> => {
    const room = await rooms.findRoom(editId, origin);
    if (!room) throw new OwnerError('room_not_found', 'The room no longer exists');
    return room;
  };

  return {
    async authorize(id, credentials) {
      const room = await access.resolve(id);
      if (!room) throw new OwnerError('room_not_found', `Room ${JSON.stringify(id.slice(0, 80))} does not exist`);
      // Owner actions go through the edit id: a view id never opens them, whatever the credentials.
      const isOwner =
        room.access === 'edit' &&
        (credentials.kind === 'key'
          ? ownerKeyMatches(credentials.key, room.ownerKeyHash)
          : credentials.grant !== undefined && grantAllows(credentials.grant, 'owner', { roomId: room.editId }));
      if (!isOwner) throw new OwnerError('forbidden', 'Forbidden: only the room\'s owner may do this');
      return room;
    },

    async patch(room, request, origin) {
      const connection = await hocuspocus.openDirectConnection(room.roomId).catch((error: unknown) => {
        throw error instanceof RoomNotFoundRefusal ? new OwnerError('room_not_found', 'The room no longer exists') : error;
      });
      try {
        // The document says it to everyone (and, through Redis, to every instance); the row is for reads of a room not loaded.
        await connection.transact((doc: Y.Doc) => {
          const meta = doc.getMap(META_MAP);
          if (request.locked !== undefined) meta.set(META_LOCKED, request.locked);
          if (request.maxEditors === null) meta.delete(META_MAX_EDITORS);
          else if (request.maxEditors !== undefined) meta.set(META_MAX_EDITORS, request.maxEditors);
          if (request.title !== undefined) meta.set(META_TITLE, request.title);
          if (request.language !== undefined) meta.set(META_LANGUAGE, request.language);
        });
        await updateRoomSettings(db, room.roomId, request);
      } finally {
        await connection.disconnect({ unloadImmediately: false });
      }
      return findRoom(room.editId, origin);
    },

    removeParticipant(room, participant) {
      return commands.send({ roomId: room.roomId, close: { code: CloseCode.removed, reason: CloseReason.removed, participant } });
    },

    async deleteRoom(room) {
      // A run still going would write its end into rows about to go, and keep a sandbox busy for nothing.
      const active = (await runs?.activeRunIds(room.roomId).catch(() => [])) ?? [];
      for (const runId of active) {
        await runs?.cancel(room.roomId, runId).catch((error: unknown) => log?.warn({ err: error, roomId: room.roomId }, 'could not stop a run of a deleted room'));
      }
      // Everywhere first (forget its ids, stop storing it, close its sockets), then the rows: nothing stores it again.
      commands.send({
        roomId: room.roomId,
        forget: [room.roomId, room.editId, room.viewId],
        discard: true,
        close: { code: CloseCode.roomDeleted, reason: CloseReason.roomDeleted },
      });
      await deleteRoomData(db, room.roomId);
    },

    async rotate(room, origin) {
      const ids = { editId: generateRoomId(), viewId: generateRoomId() };
      if (!(await rotateRoomIds(db, room.roomId, ids))) throw new OwnerError('room_not_found', 'The room no longer exists');
      // The old ids are dead in the database already; caches forget them, their sockets close.
      commands.send({
        roomId: room.roomId,
        forget: [room.editId, room.viewId],
        rotated: ids,
        close: { code: CloseCode.linkRotated, reason: CloseReason.linkRotated },
      });
      return findRoom(ids.editId, origin);
    },

    readNotes: (room) => readRoomNotes(db, room.roomId),

    async writeNotes(room, text) {
      if (Buffer.byteLength(text, 'utf8') > MAX_NOTES_BYTES) throw new OwnerError('payload_too_large', `Notes are at most ${MAX_NOTES_BYTES} bytes`);
      await writeRoomNotes(db, room.roomId, text, new Date());
    },
  };
}
