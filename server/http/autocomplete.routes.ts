import { Router, type RequestHandler } from 'express';
import { isRoomIdFormat, MAX_BODY_BYTES } from '../../shared/protocol.ts';
import { autocompleteRequest, MAX_AUTOCOMPLETE_ITEMS } from '../../shared/schemas/autocomplete.schema.ts';
import type { Autocompleter } from '../autocomplete/index.ts';
import type { Metrics } from '../metrics.ts';
import type { RoomService } from '../rooms/room.service.ts';
import type { RestAuth } from './auth.ts';
import { HttpError, invalidRequest } from './errors.ts';

/** Header a client may send so that its newer request cancels its own older one, not a neighbour's. */
export const CLIENT_ID_HEADER = 'x-pairpad-client';

/** `POST /api/autocomplete`: completes `code`, or the live text of `roomId`, at `cursorPosition`. */
export function createAutocompleteRouter({
  autocompleter,
  rooms,
  auth,
  limit,
  metrics,
}: {
  autocompleter: Autocompleter;
  rooms: RoomService;
  auth: RestAuth;
  limit: RequestHandler;
  metrics: Pick<Metrics, 'autocompleteDuration'>;
}): Router {
  const router = Router();

  router.post('/', limit, async (req, res) => {
    const endTimer = metrics.autocompleteDuration.startTimer();
    const parsed = autocompleteRequest.safeParse(req.body ?? {});
    if (!parsed.success) throw invalidRequest(parsed.error);
    const request = parsed.data;

    let code = request.code;
    if (code === undefined) {
      await auth.authorize(res, 'view', request.roomId);
      const roomId = request.roomId!;
      code = isRoomIdFormat(roomId) ? await rooms.readCode(roomId) : undefined;
      if (code === undefined) throw new HttpError('room_not_found', 'No such room');
    }
    // Bytes of UTF-8, as the body limit counts them; a room's live text is held to the same limit.
    if (Buffer.byteLength(code, 'utf8') > MAX_BODY_BYTES) {
      throw new HttpError('payload_too_large', 'The code is larger than 1 MiB');
    }
    if (request.cursorPosition > code.length) {
      throw new HttpError('invalid_request', `cursorPosition: must be between 0 and ${code.length} (the code's length)`);
    }

    const clientId = req.get(CLIENT_ID_HEADER)?.slice(0, 64);
    const answer = await autocompleter.complete({
      code,
      cursorPosition: request.cursorPosition,
      language: request.language,
      limit: Math.min(request.limit, MAX_AUTOCOMPLETE_ITEMS),
      explicit: request.explicit,
      clientKey: `${req.ip}|${clientId ?? ''}|${request.roomId ?? ''}`,
    });
    res.json(answer);
    endTimer();
  });

  return router;
}
