import { Router } from 'express';
import type { Grant } from '../auth/tokens.ts';
import { blameQuery, diffQuery, historyListQuery, labelRequest, playbackQuery, restoreRequest } from '../../shared/schemas/history.schema.ts';
import type { RestAuth } from '../http/auth.ts';
import { HttpError, invalidRequest } from '../http/errors.ts';
import { restAuthorOf } from './rest-author.ts';
import { HistoryError, type HistoryService } from './history.service.ts';

function toHttpError(error: unknown): unknown {
  return error instanceof HistoryError ? new HttpError(error.code, error.message) : error;
}

/**
 * History routes under `/api/rooms` (issue 17): `GET|POST /:roomId/history`,
 * `GET /:roomId/history/:versionId`, `POST /:roomId/history/:versionId/restore`,
 * `GET /:roomId/diff`, `GET /:roomId/playback`, `GET /:roomId/blame`.
 * Contract in `docs/history.md`.
 */
export function createHistoryRouter({ history, auth }: { history: HistoryService; auth: RestAuth }): Router {
  const router = Router();
  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw toHttpError(error);
    }
  };

  router.get('/:roomId/history', async (req, res) => {
    await auth.authorize(res, 'view', req.params.roomId);
    const query = historyListQuery.safeParse(req.query);
    if (!query.success) throw invalidRequest(query.error, 'query');
    res.json(await run(() => history.list(req.params.roomId, query.data)));
  });

  router.post('/:roomId/history', async (req, res) => {
    await auth.authorize(res, 'edit', req.params.roomId);
    const body = labelRequest.safeParse(req.body ?? {});
    if (!body.success) throw invalidRequest(body.error);
    res.status(201).json(await run(() => history.label(req.params.roomId, body.data.label)));
  });

  router.get('/:roomId/history/:versionId', async (req, res) => {
    await auth.authorize(res, 'view', req.params.roomId);
    const { roomId, versionId } = req.params;
    if (req.accepts(['application/json', 'text/plain']) === 'text/plain') {
      res.type('text/plain; charset=utf-8').send(await run(() => history.versionEntryText(roomId, versionId)));
      return;
    }
    res.json(await run(() => history.version(roomId, versionId)));
  });

  router.post('/:roomId/history/:versionId/restore', async (req, res) => {
    await auth.authorize(res, 'edit', req.params.roomId);
    const body = restoreRequest.safeParse(req.body ?? {});
    if (!body.success) throw invalidRequest(body.error);
    const by = body.data.by;
    const author = (res.locals.grant as Grant | undefined)?.subject || !by ? restAuthorOf(res) : { name: by.name, color: by.color };
    res.json(await run(() => history.restore(req.params.roomId, req.params.versionId, author)));
  });

  router.get('/:roomId/diff', async (req, res) => {
    await auth.authorize(res, 'view', req.params.roomId);
    const query = diffQuery.safeParse(req.query);
    if (!query.success) throw invalidRequest(query.error, 'query');
    const diff = await run(() => history.diff(req.params.roomId, query.data.from, query.data.to));
    res.type('text/x-diff; charset=utf-8').send(diff);
  });

  router.get('/:roomId/playback', async (req, res) => {
    await auth.authorize(res, 'view', req.params.roomId);
    const query = playbackQuery.safeParse(req.query);
    if (!query.success) throw invalidRequest(query.error, 'query');
    const lines = await run(() => history.playback(req.params.roomId, query.data.from, query.data.to));
    res.type('application/x-ndjson; charset=utf-8').send(lines);
  });

  router.get('/:roomId/blame', async (req, res) => {
    await auth.authorize(res, 'view', req.params.roomId);
    const query = blameQuery.safeParse(req.query);
    if (!query.success) throw invalidRequest(query.error, 'query');
    res.json(await run(() => history.blame(req.params.roomId, query.data.file)));
  });

  return router;
}
