import cors from 'cors';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { MAX_BODY_BYTES } from '../../shared/protocol.ts';
import type { Limits } from '../../shared/schemas/limits.schema.ts';
import type { Logger } from '../log.ts';
import { isAllowedOrigin } from '../origins.ts';
import type { RoomService } from '../rooms/room.service.ts';
import type { RestAuth } from './auth.ts';
import { createClientRouter } from './client.routes.ts';
import { createDocsRouter } from './docs.routes.ts';
import { handleErrors, HttpError, notFound } from './errors.ts';
import { createHealthRouter, type HealthSources } from './health.routes.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { createRoomsRouter, originOf } from './rooms.routes.ts';
import { createFilesRouter } from '../files/files.routes.ts';
import type { FileService } from '../files/file.service.ts';

/** What the HTTP app is built from. */
export interface HttpAppOptions {
  /** Express's `trust proxy`: whom to believe about the client IP. */
  trustProxy: boolean | number | string[];
  rooms: RoomService;
  /** The files of rooms (`/api/rooms/:roomId/files…`, archives, rooms from zips). */
  files: FileService;
  auth: RestAuth;
  /** Runs before `POST /api/rooms` (the room-creation rate limit). */
  roomCreateLimit: RequestHandler;
  health: HealthSources;
  /** Sizes the server refuses past, served at `GET /api/limits` so the web client refuses them first. */
  limits: Limits;
  /** Extra `/api` routers that read their own bodies (e.g. the owner's text notes), mounted before the JSON parser. */
  ownBodyApiRouters?: Record<string, express.Router>;
  /** Extra `/api` routers (e.g. autocomplete), mounted before the catch-all 404. */
  apiRouters?: Record<string, express.Router>;
  /** Extra routers at the top level (e.g. `/metrics`). */
  routers?: express.Router[];
  corsOrigins: readonly string[];
  clientDir: string;
  version: string;
  log: Logger;
}

// A body that is not JSON would otherwise reach the routes as "no body".
const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is('application/json')) {
    throw new HttpError('unsupported_media_type', 'Send the body as application/json');
  }
  next();
};

/**
 * A body that does not decode as its `Content-Encoding` says (e.g. `gzip`
 * on plain text) is the client's mistake: 400, not the 500 zlib's error
 * would otherwise become.
 */
const refuseUndecodableBody: ErrorRequestHandler = (error, _req, _res, next) => {
  const zlibError = typeof error?.code === 'string' && error.code.startsWith('Z_');
  next(zlibError ? new HttpError('invalid_request', 'The body does not decode as its Content-Encoding says') : error);
};

/** The Express app: REST API, OpenAPI docs, health and the web client. It does not listen. */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'script-src': ["'self'"],
          // CodeMirror and Swagger UI inject <style> elements at run time.
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
          'connect-src': ["'self'"],
          // Self-hosted servers are often reached over plain HTTP on a LAN.
          'upgrade-insecure-requests': null,
        },
      },
    }),
  );

  const api = express.Router();
  // CORS headers only ask the browser to hide answers; a cross-site form post
  // would still create rooms. Refuse other sites' pages before anything runs.
  api.use((req, _res, next) => {
    if (!isAllowedOrigin(req, options.corsOrigins)) throw new HttpError('forbidden', 'This origin may not call the API (CORS_ORIGINS)');
    next();
  });
  if (options.corsOrigins.length > 0) {
    api.use(cors({ origin: options.corsOrigins.includes('*') ? '*' : [...options.corsOrigins] }));
  }
  // Not secret, and needed before any token is at hand.
  api.get('/limits', (_req, res) => {
    res.json(options.limits);
  });
  api.use(options.auth.requireToken);
  // Routes with bodies of their own (text files, zips) come before the JSON parser.
  api.use(
    '/rooms',
    createFilesRouter({
      files: options.files,
      rooms: options.rooms,
      auth: options.auth,
      createLimit: options.roomCreateLimit,
      maxDocumentBytes: options.limits.maxDocumentBytes,
      originOf,
    }),
  );
  for (const [mountPath, router] of Object.entries(options.ownBodyApiRouters ?? {})) api.use(mountPath, router);
  api.use(requireJsonBody, express.json({ limit: MAX_BODY_BYTES, strict: false }), refuseUndecodableBody);
  api.use('/rooms', createRoomsRouter(options.rooms, options.auth, options.roomCreateLimit));
  for (const [mountPath, router] of Object.entries(options.apiRouters ?? {})) api.use(mountPath, router);

  app.use(createDocsRouter(buildOpenApiDocument(options.version)));
  app.use('/api', api);
  app.use(createHealthRouter(options.health));
  for (const router of options.routers ?? []) app.use(router);
  app.use(createClientRouter(options.clientDir));
  app.use(notFound);
  app.use(handleErrors(options.log));
  return app;
}
