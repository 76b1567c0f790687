import { Router, type Request, type RequestHandler } from 'express';
import { LANGUAGE_FILE_EXTENSIONS } from '../../shared/protocol.ts';
import { createRoomRequest } from '../../shared/schemas/room.schema.ts';
import { downloadName } from '../files/file.service.ts';
import { toHttpError } from '../files/files.routes.ts';
import type { RoomService } from '../rooms/room.service.ts';
import type { RestAuth } from './auth.ts';
import { HttpError, invalidRequest } from './errors.ts';

function roomNotFound(roomId: string): HttpError {
  return new HttpError('room_not_found', `Room ${JSON.stringify(roomId.slice(0, 80))} does not exist`);
}

/** The origin the client used, for absolute share links (honours `trust proxy` for X-Forwarded-*). */
export function originOf(req: Request): string {
  return `${req.protocol}://${req.get('host')}`;
}

/** `POST /api/rooms` (JSON), `GET /api/rooms/:roomId`, `GET /api/rooms/:roomId/code`; `:roomId` may be a view id. The files routes are `server/files/files.routes.ts`. */
export function createRoomsRouter(rooms: RoomService, auth: RestAuth, createLimit: RequestHandler): Router {
  const router = Router();

  router.post('/', createLimit, async (req, res) => {
    await auth.authorize(res, 'create');
    const parsed = createRoomRequest.safeParse(req.body ?? {});
    if (!parsed.success) throw invalidRequest(parsed.error);
    const room = await rooms.createRoom(parsed.data, originOf(req)).catch((error: unknown) => {
      throw toHttpError(error);
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
    // Never the room id: a saved file's name must not carry the edit link.
    const fileName = downloadName(room.title, `pairpad-${room.language}`, LANGUAGE_FILE_EXTENSIONS[room.language]);
    // attachment() would guess the type from the extension (.ts is video/mp2t).
    res.attachment(fileName).type('text/plain; charset=utf-8').send(room.code);
  });

  return router;
}
