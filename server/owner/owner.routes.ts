import express, { Router, type Request, type Response } from 'express';
import { MAX_BODY_BYTES } from '../../shared/protocol.ts';
import { patchRoomRequest } from '../../shared/schemas/room.schema.ts';
import type { Grant } from '../auth/tokens.ts';
import { HttpError, invalidRequest } from '../http/errors.ts';
import { originOf } from '../http/rooms.routes.ts';
import { MAX_NOTES_BYTES, OwnerError, type OwnerCredentials, type OwnerService } from './owner.service.ts';

/**
 * The owner's routes under `/api/rooms` (`docs/owner.md`): `PATCH /:roomId`,
 * `DELETE /:roomId`, `POST /:roomId/rotate`,
 * `POST /:roomId/participants/:clientId/remove`, `GET`/`PUT /:roomId/notes`.
 * Mounted before the JSON parser: the notes are `text/plain`.
 */
export function createOwnerRouter({ owner, tokensRequired }: { owner: OwnerService; tokensRequired: boolean }): Router {
  const router = Router();

  /** The room, when the request is its owner's: `Authorization: Bearer <ownerKey>`, or (tokens on) a token with role `owner`. */
  const authorize = async (req: Request, res: Response) => {
    let credentials: OwnerCredentials;
    if (tokensRequired) credentials = { kind: 'token', grant: res.locals.grant as Grant | undefined };
    else {
      const header = req.get('authorization') ?? '';
      credentials = { kind: 'key', key: header.startsWith('Bearer ') ? header.slice(7).trim() : undefined };
    }
    return owner.authorize(req.params.roomId as string, credentials).catch(rethrow);
  };

  const json = [
    (req: Request, _res: Response, next: () => void) => {
      const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
      if (hasBody && !req.is('application/json')) throw new HttpError('unsupported_media_type', 'Send the body as application/json');
      next();
    },
    express.json({ limit: MAX_BODY_BYTES, strict: false }),
  ];

  router.patch('/:roomId', ...json, async (req, res) => {
    const room = await authorize(req, res);
    const parsed = patchRoomRequest.safeParse(req.body ?? {});
    if (!parsed.success) throw invalidRequest(parsed.error);
    res.json(await owner.patch(room, parsed.data, originOf(req)).catch(rethrow));
  });

  router.delete('/:roomId', async (req, res) => {
    const room = await authorize(req, res);
    await owner.deleteRoom(room).catch(rethrow);
    res.status(204).end();
  });

  router.post('/:roomId/rotate', async (req, res) => {
    const room = await authorize(req, res);
    res.json(await owner.rotate(room, originOf(req)).catch(rethrow));
  });

  router.post('/:roomId/participants/:clientId/remove', async (req, res) => {
    const room = await authorize(req, res);
    const participant = req.params.clientId;
    if (participant.length === 0 || participant.length > 128) throw new HttpError('invalid_request', 'clientId: an awareness client id or a user id');
    // On other instances too; only this one's count is known here.
    res.json({ closed: owner.removeParticipant(room, participant) });
  });

  router.get('/:roomId/notes', async (req, res) => {
    const room = await authorize(req, res);
    const notes = await owner.readNotes(room).catch(rethrow);
    // Private: no cache anywhere on the way.
    res.set('Cache-Control', 'no-store').type('text/plain; charset=utf-8').send(notes);
  });

  router.put('/:roomId/notes', async (req, res) => {
    const room = await authorize(req, res);
    if (!req.is('text/plain')) throw new HttpError('unsupported_media_type', 'Send the notes as text/plain');
    await new Promise<void>((resolve, reject) => express.text({ type: 'text/plain', limit: MAX_NOTES_BYTES })(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
    await owner.writeNotes(room, typeof req.body === 'string' ? req.body : '').catch(rethrow);
    res.status(204).end();
  });

  return router;
}

function rethrow(error: unknown): never {
  throw error instanceof OwnerError ? new HttpError(error.code, error.message) : error;
}
