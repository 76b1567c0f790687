import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { autocompleteRequest, autocompleteResponse } from '../../shared/schemas/autocomplete.schema.ts';
import { errorBody } from '../../shared/schemas/error.schema.ts';
import { health } from '../../shared/schemas/health.schema.ts';
import { limits } from '../../shared/schemas/limits.schema.ts';
import { createRoomRequest, room } from '../../shared/schemas/room.schema.ts';
import { createRoomFromZipQuery, fileList, moveFileRequest, writeFileQuery } from '../../shared/schemas/files.schema.ts';
import { registerOwnerPaths } from '../owner/owner.openapi.ts';
import { run, runList, runtimes, startRunRequest, startRunResponse } from '../../shared/schemas/run.schema.ts';
import { registerHistoryPaths } from '../history/history.openapi.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const error = (description: string) => json(errorBody, description);
const roomIdParam = z.object({ roomId: z.string().meta({ description: 'Room id', example: 'h3Kx0Jq2cV9bX1mZp8TtQw' }) });
const fileParams = roomIdParam.extend({
  path: z.string().meta({ description: 'The file path: each segment percent-encoded, `/` between them', example: 'src/main.py' }),
});
const text = (description: string) => ({ description, content: { 'text/plain': { schema: z.string() } } });

/** The OpenAPI 3.1 document of the REST API, generated from the shared zod schemas. */
export function buildOpenApiDocument(version: string): object {
  const registry = new OpenAPIRegistry();

  registry.registerPath({
    method: 'post', path: '/api/rooms', summary: 'Create a room: from code or files (JSON), or from a zip', tags: ['rooms'],
    description:
      'With `application/json`: `code` makes a room of one file, `main.<ext>`; `files` (and `entry`) makes a project. ' +
      'With `application/zip` (a body of at most `MAX_DOCUMENT_BYTES`): the zip\'s files and folders, query `entry`, `title`, `language`. ' +
      'Zip entries are checked: no `..`, absolute paths, drive letters or backslashes (`invalid_path`), no symbolic links or special files, ' +
      'UTF-8 text only, stored or deflated only (`invalid_request`), at most 800 entries and 200 files (`too_many_files`), inflating to at most ' +
      '`MAX_DOCUMENT_BYTES` in all (`payload_too_large`, inflation stops there). See docs/files.md.',
    request: {
      query: createRoomFromZipQuery,
      body: {
        required: false,
        content: {
          'application/json': { schema: createRoomRequest },
          'application/zip': { schema: z.string().meta({ format: 'binary' }) },
        },
      },
    },
    responses: {
      201: json(room, 'The new room'),
      400: error('`invalid_json`, `invalid_request` naming the field (or a zip that cannot be read, a symlink, a binary file), `invalid_path`'),
      409: error('`path_exists`: two files at one path, or a file where another needs a folder'),
      413: error('`payload_too_large` (body over 1 MiB of JSON or `MAX_DOCUMENT_BYTES` of zip, a room over `MAX_DOCUMENT_BYTES`, a zip inflating past it), `too_many_files`'),
      415: error('`unsupported_media_type`'),
    },
  });
  registry.registerPath({
    method: 'get', path: '/api/rooms/{roomId}/files', summary: 'List the files (edit or view id)', tags: ['files'],
    request: { params: roomIdParam },
    responses: { 200: json(fileList, 'The entry, every file with its language and UTF-8 size, and the empty folders'), 404: error('`room_not_found`') },
  });
  registry.registerPath({
    method: 'get', path: '/api/rooms/{roomId}/files/{path}', summary: 'Read a file (edit or view id)', tags: ['files'],
    request: { params: fileParams },
    responses: { 200: text('The text, UTF-8'), 400: error('`invalid_path`'), 404: error('`room_not_found`, `file_not_found`') },
  });
  registry.registerPath({
    method: 'put', path: '/api/rooms/{roomId}/files/{path}', summary: 'Create or replace a file (edit id)', tags: ['files'],
    description: 'A replace changes only what differs, as one edit every connected client sees live. Answers once the change is durable.',
    request: { params: fileParams, query: writeFileQuery, body: { required: false, content: { 'text/plain': { schema: z.string() } } } },
    responses: {
      200: json(z.object({ path: z.string() }), 'Replaced'),
      201: json(z.object({ path: z.string() }), 'Created'),
      400: error('`invalid_path`, `invalid_request` (not UTF-8)'),
      403: error('`forbidden`: a view id'),
      404: error('`room_not_found`'),
      409: error('`path_exists`: a folder is there, or a file is where a folder of the path is'),
      413: error('`too_many_files`, `payload_too_large`'),
      415: error('`unsupported_media_type`: not `text/*` in UTF-8'),
      503: error('`service_unavailable`: applied, but not stored within 30 s (the database is away); it is stored once it is back'),
    },
  });
  registry.registerPath({
    method: 'delete', path: '/api/rooms/{roomId}/files/{path}', summary: 'Delete a file, or a folder with everything in it (edit id)', tags: ['files'],
    request: { params: fileParams },
    responses: {
      204: { description: 'Deleted' },
      400: error('`invalid_path`'),
      403: error('`forbidden`'),
      404: error('`room_not_found`, `file_not_found`'),
      409: error('`entry_file`: the entry file (or a folder holding it) cannot be deleted'),
    },
  });
  registry.registerPath({
    method: 'post', path: '/api/rooms/{roomId}/files/move', summary: 'Rename or move a file or folder (edit id)', tags: ['files'],
    description: 'Moving the entry file moves the entry with it.',
    request: { params: roomIdParam, body: { required: true, content: { 'application/json': { schema: moveFileRequest } } } },
    responses: {
      200: json(z.object({ path: z.string() }), 'Moved'),
      400: error('`invalid_path` (also a folder into itself), `invalid_request`'),
      403: error('`forbidden`'),
      404: error('`room_not_found`, `file_not_found`'),
      409: error('`path_exists`'),
      413: error('`payload_too_large`'),
    },
  });
  registry.registerPath({
    method: 'get', path: '/api/rooms/{roomId}/archive', summary: 'Download every file as a zip (edit or view id)', tags: ['files'],
    request: { params: roomIdParam },
    responses: {
      200: { description: 'A zip in path order, empty folders as directory entries, named after the title (else `pairpad-<language>.zip`)', content: { 'application/zip': { schema: z.string().meta({ format: 'binary' }) } } },
      404: error('`room_not_found`'),
    },
  });
  registry.registerPath({
    method: 'get', path: '/api/limits', summary: 'The sizes the server refuses past (no token needed)', tags: ['rooms'],
    responses: { 200: json(limits, 'The limits') },
  });
  registry.registerPath({
    method: 'get', path: '/api/rooms/{roomId}', summary: 'Read a room (live when loaded)', tags: ['rooms'],
    request: { params: roomIdParam },
    responses: { 200: json(room, 'The room'), 404: error('`room_not_found`') },
  });
  registry.registerPath({
    method: 'get', path: '/api/rooms/{roomId}/code', summary: 'Download the code', tags: ['rooms'],
    request: { params: roomIdParam },
    responses: {
      200: { description: 'The entry file\'s text, downloaded as `<title>.<ext>` (else `pairpad-<language>.<ext>`, never the room id)', content: { 'text/plain': { schema: z.string() } } },
      404: error('`room_not_found`'),
    },
  });
  registry.registerPath({
    method: 'post', path: '/api/autocomplete', summary: 'Complete code at a cursor', tags: ['autocomplete'],
    request: { body: { required: true, content: { 'application/json': { schema: autocompleteRequest } } } },
    responses: {
      200: json(autocompleteResponse, 'Ranked completions; empty when there is nothing to suggest'),
      400: error('`invalid_request`'),
      404: error('`room_not_found`'),
      413: error('`payload_too_large`'),
    },
  });
  registerOwnerPaths(registry);
  const runIdParam = roomIdParam.extend({ runId: z.string().meta({ description: 'Run id', example: 'q8Xc1bN0aT5vLk2m' }) });
  registry.registerPath({
    method: 'get', path: '/api/runtimes', summary: 'What this server can run', tags: ['runs'],
    responses: { 200: json(runtimes, 'The runner (`local`, `piston` or `off`) and its runtimes') },
  });
  registry.registerPath({
    method: 'post', path: '/api/rooms/{roomId}/runs', summary: 'Run the room\'s current files (edit id)', tags: ['runs'],
    description: 'Runs the entry file, with the other files beside it, in the room\'s language. Everyone in the room sees it live (see docs/protocol.md, "Run events").',
    request: { params: roomIdParam, body: { required: false, content: { 'application/json': { schema: startRunRequest } } } },
    responses: {
      202: json(startRunResponse, 'Queued'),
      400: error('`invalid_request` naming the field (stdin over 64 KiB, more than 16 args, …)'),
      403: error('`forbidden`: a view id'),
      404: error('`room_not_found`'),
      409: error('`run_in_progress`: the room has a run queued or running'),
      422: error('`language_unsupported`: no runtime for the room\'s language'),
      429: error('`rate_limited` (`RATE_LIMIT_RUNS`)'),
      503: error('`runner_unavailable` (`RUNNER=off`) or `service_unavailable` (restarting)'),
    },
  });
  registry.registerPath({
    method: 'get', path: '/api/rooms/{roomId}/runs', summary: 'The latest 20 runs, newest first (edit or view id)', tags: ['runs'],
    request: { params: roomIdParam },
    responses: { 200: json(runList, 'Runs'), 404: error('`room_not_found`') },
  });
  registry.registerPath({
    method: 'get', path: '/api/rooms/{roomId}/runs/{runId}', summary: 'One run, with its output so far (edit or view id)', tags: ['runs'],
    request: { params: runIdParam },
    responses: { 200: json(run, 'The run'), 404: error('`room_not_found` or `run_not_found`') },
  });
  registry.registerPath({
    method: 'post', path: '/api/rooms/{roomId}/runs/{runId}/cancel', summary: 'Stop a queued or running run (edit id)', tags: ['runs'],
    request: { params: runIdParam },
    responses: {
      202: json(run, 'Stopping; the run as it is now (its end follows as a run event)'),
      403: error('`forbidden`: a view id'),
      404: error('`room_not_found` or `run_not_found`'),
      409: error('`run_over`: it already ended'),
    },
  });
  registerHistoryPaths(registry);
  registry.registerPath({
    method: 'get', path: '/health', summary: 'Readiness: database reachable and writes succeeding', tags: ['operations'],
    responses: { 200: json(health, 'Healthy'), 503: json(health, 'Database unreachable or writes failing') },
  });
  registry.registerPath({
    method: 'get', path: '/livez', summary: 'Liveness: the process runs', tags: ['operations'],
    responses: { 200: json(z.object({ status: z.literal('ok') }), 'Alive') },
  });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Pairpad API',
      version,
      description: 'Rooms, files, runs, code and autocomplete of a Pairpad server. Collaboration itself runs over WebSocket: `/collab` (Hocuspocus) and `/yjs/:roomId` (y-websocket), each taking an optional `?clientKey=` (22-128 base64url characters, one random key per Y.Doc) that binds the Yjs client id to it; see docs/protocol.md.',
    },
  });
}
