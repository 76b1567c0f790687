import { Router, type RequestHandler, type Response } from 'express';
import { runParams, startRunRequest } from '../../shared/schemas/run.schema.ts';
import type { RoomAccess } from '../storage/room-store.ts';
import type { RoomAccessResolver } from '../rooms/room-access.ts';
import { RunRefusal, type RunService } from '../run/run.service.ts';
import type { RestAuth } from './auth.ts';
import { HttpError, invalidRequest } from './errors.ts';
import { sendRun, sendRunList } from './run-json.ts';

/**
 * `GET /api/runtimes` and the runs of a room: `POST /api/rooms/:roomId/runs`
 * (edit id), `GET …/runs` and `GET …/runs/:runId` (edit or view id),
 * `POST …/runs/:runId/cancel` (edit id).
 */
export function createRunsRouter({
  runs,
  access,
  auth,
  startLimit,
}: {
  runs: RunService;
  access: RoomAccessResolver;
  auth: RestAuth;
  /** Runs before `POST …/runs` (`RATE_LIMIT_RUNS`). */
  startLimit: RequestHandler;
}): Router {
  const router = Router();

  /** The room an id opens, checked for the role the route needs (403 for a view id where editing is needed). */
  const openRoom = async (res: Response, id: string, role: 'edit' | 'view'): Promise<RoomAccess> => {
    await auth.authorize(res, role, id);
    const room = await access.resolve(id);
    if (!room) throw new HttpError('room_not_found', 'No such room');
    if (role === 'edit' && room.access !== 'edit') throw new HttpError('forbidden', 'A view link can watch runs but not start or stop them');
    return room;
  };

  const params = (raw: unknown) => {
    const parsed = runParams.safeParse(raw);
    if (!parsed.success) throw new HttpError('run_not_found', 'No such run in this room');
    return parsed.data;
  };

  const refusal = (error: unknown) => {
    throw error instanceof RunRefusal ? new HttpError(error.code, error.message) : error;
  };

  router.get('/runtimes', async (_req, res) => {
    res.json(await runs.runtimes());
  });

  router.post('/rooms/:roomId/runs', startLimit, async (req, res) => {
    const roomId = String(req.params.roomId);
    const room = await openRoom(res, roomId, 'edit');
    const parsed = startRunRequest.safeParse(req.body ?? {});
    if (!parsed.success) throw invalidRequest(parsed.error);
    const started = await runs.start(room.roomId, parsed.data, req.ip).catch(refusal);
    res.status(202).location(`/api/rooms/${roomId}/runs/${started!.runId}`).json(started);
  });

  router.get('/rooms/:roomId/runs', async (req, res) => {
    const room = await openRoom(res, req.params.roomId, 'view');
    await sendRunList(res, await runs.list(room.roomId));
  });

  router.get('/rooms/:roomId/runs/:runId', async (req, res) => {
    const { runId } = params(req.params);
    const room = await openRoom(res, req.params.roomId, 'view');
    const run = await runs.get(room.roomId, runId);
    if (!run) throw new HttpError('run_not_found', 'No such run in this room');
    await sendRun(res, run);
  });

  router.post('/rooms/:roomId/runs/:runId/cancel', async (req, res) => {
    const { runId } = params(req.params);
    const room = await openRoom(res, req.params.roomId, 'edit');
    await sendRun(res, (await runs.cancel(room.roomId, runId).catch(refusal))!, 202);
  });

  return router;
}
