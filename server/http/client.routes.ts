import fs from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { HttpError } from './errors.ts';

/**
 * The built web client: its assets, and `index.html` for the pages the
 * client routes itself (`/`, `/r/:roomId`, `/v/:viewId`).
 */
export function createClientRouter(clientDir: string): Router {
  const router = Router();
  const indexFile = path.join(clientDir, 'index.html');

  // Hashed file names never change, so they may be cached for good.
  router.use('/assets', express.static(path.join(clientDir, 'assets'), { immutable: true, maxAge: '1y', index: false }));
  router.use(express.static(clientDir, { index: false }));
  router.get(['/', '/r/:roomId', '/v/:viewId'], (_req, res) => {
    if (!fs.existsSync(indexFile)) {
      throw new HttpError('not_found', 'The web client is not built; run `npm run build:client`');
    }
    res.set('Cache-Control', 'no-cache').sendFile(indexFile);
  });
  return router;
}
