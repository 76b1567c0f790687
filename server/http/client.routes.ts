import fs from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { HttpError } from './errors.ts';
import { sendClientFile, servePrecompressed } from './precompressed.ts';

/** Hashed file names never change: a browser may keep them for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** `index.html` names the current hashed assets: asked again on every load (a 304 when unchanged). */
const REVALIDATE = 'no-cache';

/**
 * The built web client: its assets (brotli or gzip copies from the build
 * when the browser takes them), and `index.html` for the pages the client
 * routes itself (`/`, `/r/:roomId`, `/v/:viewId`), and with a 404 for any
 * other page a browser asks for.
 */
export function createClientRouter(clientDir: string): Router {
  const router = Router();
  const indexFile = path.join(clientDir, 'index.html');
  const assetsDir = path.join(clientDir, 'assets');

  router.use('/assets', servePrecompressed(assetsDir, { cacheControl: IMMUTABLE }));
  router.use('/assets', express.static(assetsDir, { immutable: true, maxAge: '1y', index: false }));
  // The rest of the top level (favicon.svg): not hashed, so revalidated.
  router.use(servePrecompressed(clientDir, { cacheControl: REVALIDATE }));
  router.use(express.static(clientDir, { index: false, cacheControl: false, setHeaders: (res) => res.set('Cache-Control', REVALIDATE) }));
  router.get(['/', '/r/:roomId', '/v/:viewId'], (req, res, next) => {
    if (!fs.existsSync(indexFile)) {
      throw new HttpError('not_found', 'The web client is not built; run `npm run build:client`');
    }
    sendClientFile(req, res, indexFile, REVALIDATE, next);
  });
  // A browser navigating to an unknown page (`/nonsense`, `/r/`) gets the
  // client, which shows its not-found page, with a 404; API paths, assets
  // and programs asking for JSON keep the JSON error of `notFound`.
  router.get(/.*/, (req, res, next) => {
    const wantsPage = !/^\/(api|assets)(\/|$)/.test(req.path) && req.accepts(['json', 'html']) === 'html';
    if (!wantsPage || !fs.existsSync(indexFile)) return next();
    res.status(404);
    sendClientFile(req, res, indexFile, REVALIDATE, next);
  });
  return router;
}
