import type { RequestHandler, Response } from 'express';
import { grantAllows, TokenRefusal, type Grant, type TokenVerifier } from '../auth/tokens.ts';
import type { RoomAccessResolver } from '../rooms/room-access.ts';
import { HttpError } from './errors.ts';

/**
 * Bearer tokens on the REST API, when `AUTH_JWT_SECRET` or
 * `AUTH_JWT_PUBLIC_KEY` is set: `requireToken` checks the token (401), and
 * routes call `authorize` for the room and role they need (403).
 */
export interface RestAuth {
  requireToken: RequestHandler;
  authorize(res: Response, role: 'edit' | 'view' | 'create', id?: string): Promise<void>;
}

export function createRestAuth(tokens: TokenVerifier | undefined, access: RoomAccessResolver): RestAuth {
  return {
    async requireToken(req, res, next) {
      if (!tokens) return next();
      const header = req.get('authorization') ?? '';
      const token = header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
      try {
        res.locals.grant = await tokens.verify(token);
      } catch (error) {
        const message = error instanceof TokenRefusal ? error.message : 'the token is invalid';
        throw new HttpError('unauthorized', `Unauthorized: ${message}`, { 'WWW-Authenticate': 'Bearer' });
      }
      next();
    },

    async authorize(res, role, id) {
      const grant = res.locals.grant as Grant | undefined;
      if (!tokens || !grant) return;
      // An unknown room is the route's 404 to give; only a real room is checked.
      const room = id === undefined ? undefined : await access.resolve(id);
      if (id !== undefined && !room) return;
      const target = room && { roomId: room.roomId, viewId: room.access === 'view' ? id : undefined };
      if (!grantAllows(grant, role, target)) {
        throw new HttpError('forbidden', `Forbidden: the token does not allow ${role} here`);
      }
    },
  };
}
