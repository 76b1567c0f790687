import { Router, type Request, type RequestHandler } from 'express';
import { LANGUAGE_FILE_EXTENSIONS } from '../../shared/protocol.ts';
import { createRoomRequest } from '../../shared/schemas/room.schema.ts';
import { RoomTooLargeError, type RoomService } from '../rooms/room.service.ts';
import type { RestAuth } from './auth.ts';
import { HttpError, invalidRequest } from './errors.ts';

function roomNotFound(roomId: string): HttpError {
  return new HttpError('room_not_found', `Room ${JSON.stringify(roomId.slice(0, 80))} does not exist`);
}

/** A file name for a download: the title made safe, or the room id, with the language's extension. */
function downloadName(title: string, roomId: string, extension: string): string {
  const base = title.normalize('NFKD').replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);
  return `${base || roomId}.${extension}`;
}

/** The origin the client used, for absolute share links (honours `trust proxy` for X-Forwarded-*). */
function originOf(req: Request): string {
  return `${req.protocol}://${req.get('host')}`;
}

/** `POST /api/rooms`, `GET /api/rooms/:roomId`, `GET /api/rooms/:roomId/code`; `:roomId` may be a view id. */
export function createRoomsRouter(rooms: RoomService, auth: RestAuth, createLimit: RequestHandler): Router {
  const router = Router();

  router.post('/', createLimit, async (req, res) => {
    await auth.authorize(res, 'create');
    const parsed = createRoomRequest.safeParse(req.body ?? {});
    if (!parsed.success) throw invalidRequest(parsed.error);
    const room = await rooms.createRoom(parsed.data, originOf(req)).catch((error: unknown) => {
      throw error instanceof RoomTooLargeError ? new HttpError('payload_too_large', error.message) : error;
    });
    res.status(201).location(`/api/rooms/${room.roomId}`).json(room);
  });

  router.get('/:roomId', async (req, res) => {
    await auth.authorize(res, 'view', req.params.roomId);
    const room = await rooms.findRoom(req.params.roomId, originOf(req));
    if (!room) throw roomNotFound(req.params.roomId);
    res.json(room);
  });

  router.get('/:roomId/code', async (req, res) => {
    await auth.authorize(res, 'view', req.params.roomId);
    const room = await rooms.findRoom(req.params.roomId, originOf(req));
    if (!room) throw roomNotFound(req.params.roomId);
    const fileName = downloadName(room.title, room.roomId ?? room.viewId, LANGUAGE_FILE_EXTENSIONS[room.language]);
    // attachment() would guess the type from the extension (.ts is video/mp2t).
    res.attachment(fileName).type('text/plain; charset=utf-8').send(room.code);
  });

  return router;
}
