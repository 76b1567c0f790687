import express, { Router, type Request, type RequestHandler } from 'express';
import { MAX_BODY_BYTES, MAX_FILES, MAX_FOLDERS } from '../../shared/protocol.ts';
import { FileError } from '../../shared/room-files.ts';
import { createRoomFromZipQuery, moveFileRequest, writeFileQuery } from '../../shared/schemas/files.schema.ts';
import { DEFAULT_LANGUAGE } from '../../shared/protocol.ts';
import type { RestAuth } from '../http/auth.ts';
import { HttpError, invalidRequest } from '../http/errors.ts';
import { RoomTooLargeError, type RoomService } from '../rooms/room.service.ts';
import { FileServiceError, type FileService } from './file.service.ts';
import { restAuthorOf } from '../history/rest-author.ts';
import { readZip, ZipError } from './zip-reader.ts';

/** A file route: `/:roomId/files/<path>`, matched without Express decoding anything (we decode each segment). */
const FILE_ROUTE = /^\/[^/]+\/files\/.+$/;

/** Turns the errors of files, zips and rooms into the catalogue's; anything else passes unchanged. */
export function toHttpError(error: unknown): unknown {
  if (error instanceof FileError || error instanceof FileServiceError || error instanceof ZipError) return new HttpError(error.code, error.message);
  if (error instanceof RoomTooLargeError) return new HttpError('payload_too_large', error.message);
  return error;
}

/** The room id and the file path of a file route, each segment percent-decoded. */
function fileTarget(req: Request): { roomId: string; path: string } {
  const [, rawRoomId, , ...segments] = req.path.split('/');
  const decoded = segments.map((segment) => {
    let value: string;
    try {
      value = decodeURIComponent(segment);
    } catch {
      throw new HttpError('invalid_path', `Not a percent-encoded path segment: ${JSON.stringify(segment.slice(0, 100))}`);
    }
    // An encoded "/" inside a segment would smuggle in a separator.
    if (value.includes('/')) throw new HttpError('invalid_path', `A path segment may not hold "/": ${JSON.stringify(value.slice(0, 100))}`);
    return value;
  });
  let roomId: string;
  try {
    roomId = decodeURIComponent(rawRoomId);
  } catch {
    roomId = rawRoomId;
  }
  return { roomId, path: decoded.join('/') };
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A `text/*` body as UTF-8 text; any other type is 415, bytes that are not UTF-8 are 400. */
function textBody(req: Request): string {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return '';
  if (!req.is('text/*')) throw new HttpError('unsupported_media_type', 'Send the file as text/plain (UTF-8)');
  const charset = /;\s*charset="?([^";]+)/i.exec(req.get('content-type') ?? '')?.[1]?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') throw new HttpError('unsupported_media_type', 'Send the file in UTF-8');
  const body: unknown = req.body;
  if (!Buffer.isBuffer(body)) return '';
  try {
    return utf8.decode(body);
  } catch {
    throw new HttpError('invalid_request', 'The body is not UTF-8 text');
  }
}

const refuseUndecodableBody: express.ErrorRequestHandler = (error, _req, _res, next) => {
  const zlibError = typeof error?.code === 'string' && error.code.startsWith('Z_');
  next(zlibError ? new HttpError('invalid_request', 'The body does not decode as its Content-Encoding says') : error);
};

/**
 * The files of a room over REST (issue 15; `docs/files.md`):
 * `GET /:roomId/files`, `GET|PUT|DELETE /:roomId/files/<path>`,
 * `POST /:roomId/files/move`, `GET /:roomId/archive`, and `POST /` with a
 * zip body. Mounted at `/api/rooms` before the JSON body parser: each route
 * parses its own body. An edit id (or an edit token) changes, a view id reads.
 */
export function createFilesRouter({
  files,
  rooms,
  auth,
  createLimit,
  maxDocumentBytes,
  originOf,
}: {
  files: FileService;
  rooms: RoomService;
  auth: RestAuth;
  /** The room-creation rate limit. */
  createLimit: RequestHandler;
  /** `MAX_DOCUMENT_BYTES`: the largest zip body and file body, and what a zip may inflate to. */
  maxDocumentBytes: number;
  originOf: (req: Request) => string;
}): Router {
  const router = Router();
  const rawBody = (type: string) => [express.raw({ type, limit: maxDocumentBytes }), refuseUndecodableBody];
  const jsonBody = [express.json({ limit: MAX_BODY_BYTES, strict: false }), refuseUndecodableBody];
  const mapped = (handler: RequestHandler): RequestHandler => async (req, res, next) => {
    try {
      await handler(req, res, next);
    } catch (error) {
      throw toHttpError(error);
    }
  };

  router.post(
    '/',
    ((req, _res, next) => next(req.is('application/zip') ? undefined : 'route')) satisfies RequestHandler,
    createLimit,
    ...rawBody('application/zip'),
    mapped(async (req, res) => {
      await auth.authorize(res, 'create');
      const query = createRoomFromZipQuery.safeParse(req.query);
      if (!query.success) throw invalidRequest(query.error, 'query');
      const body: unknown = req.body;
      const zip = await readZip(Buffer.isBuffer(body) ? body : Buffer.alloc(0), {
        // Every file and folder, and a directory entry for each folder that holds files.
        maxEntries: 2 * (MAX_FILES + MAX_FOLDERS),
        maxInflatedBytes: maxDocumentBytes,
      });
      const room = await rooms.createRoom(
        {
          language: query.data.language ?? DEFAULT_LANGUAGE,
          title: query.data.title,
          code: '',
          files: zip.files,
          folders: zip.folders,
          entry: query.data.entry,
          entryLanguage: query.data.language,
        },
        originOf(req),
      );
      res.status(201).location(`/api/rooms/${room.roomId}`).json(room);
    }),
  );

  router.get(
    '/:roomId/files',
    mapped(async (req, res) => {
      await auth.authorize(res, 'view', String(req.params.roomId));
      res.json(await files.listFiles(String(req.params.roomId)));
    }),
  );

  router.post(
    '/:roomId/files/move',
    ...jsonBody,
    mapped(async (req, res) => {
      await auth.authorize(res, 'edit', String(req.params.roomId));
      if (req.body !== undefined && !req.is('application/json')) throw new HttpError('unsupported_media_type', 'Send the body as application/json');
      const parsed = moveFileRequest.safeParse(req.body ?? {});
      if (!parsed.success) throw invalidRequest(parsed.error);
      res.json(await files.movePath(String(req.params.roomId), parsed.data.from, parsed.data.to, restAuthorOf(res)));
    }),
  );

  router.get(
    FILE_ROUTE,
    mapped(async (req, res) => {
      const { roomId, path } = fileTarget(req);
      await auth.authorize(res, 'view', roomId);
      const text = await files.readFile(roomId, path);
      res.type('text/plain; charset=utf-8').send(text);
    }),
  );

  router.put(
    FILE_ROUTE,
    ...rawBody('text/*'),
    mapped(async (req, res) => {
      const { roomId, path } = fileTarget(req);
      await auth.authorize(res, 'edit', roomId);
      const query = writeFileQuery.safeParse(req.query);
      if (!query.success) throw invalidRequest(query.error, 'query');
      const written = await files.writeFile(roomId, path, textBody(req), query.data.language, restAuthorOf(res));
      res.status(written.created ? 201 : 200).json({ path: written.path });
    }),
  );

  router.delete(
    FILE_ROUTE,
    mapped(async (req, res) => {
      const { roomId, path } = fileTarget(req);
      await auth.authorize(res, 'edit', roomId);
      await files.deletePath(roomId, path, restAuthorOf(res));
      res.status(204).end();
    }),
  );

  router.get(
    '/:roomId/archive',
    mapped(async (req, res) => {
      await auth.authorize(res, 'view', String(req.params.roomId));
      const archive = await files.archive(String(req.params.roomId));
      res.attachment(archive.fileName).type('application/zip').send(Buffer.from(archive.zip.buffer, archive.zip.byteOffset, archive.zip.byteLength));
    }),
  );

  return router;
}
