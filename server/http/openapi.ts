import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { autocompleteRequest, autocompleteResponse } from '../../shared/schemas/autocomplete.schema.ts';
import { errorBody } from '../../shared/schemas/error.schema.ts';
import { health } from '../../shared/schemas/health.schema.ts';
import { limits } from '../../shared/schemas/limits.schema.ts';
import { createRoomRequest, room } from '../../shared/schemas/room.schema.ts';
import { run, runList, runtimes, startRunRequest, startRunResponse } from '../../shared/schemas/run.schema.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const error = (description: string) => json(errorBody, description);
const roomIdParam = z.object({ roomId: z.string().meta({ description: 'Room id', example: 'h3Kx0Jq2cV9bX1mZp8TtQw' }) });

/** The OpenAPI 3.1 document of the REST API, generated from the shared zod schemas. */
export function buildOpenApiDocument(version: string): object {
  const registry = new OpenAPIRegistry();

  registry.registerPath({
    method: 'post', path: '/api/rooms', summary: 'Create a room', tags: ['rooms'],
    request: { body: { required: false, content: { 'application/json': { schema: createRoomRequest } } } },
    responses: {
      201: json(room, 'The new room'),
      400: error('`invalid_json` or `invalid_request` naming the field'),
      413: error('`payload_too_large`: body over 1 MiB, or a room over `MAX_DOCUMENT_BYTES`'),
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
      200: { description: 'The code, with a file name fitting the language', content: { 'text/plain': { schema: z.string() } } },
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
      description: 'Rooms, code, runs and autocomplete of a Pairpad server. Collaboration itself runs over WebSocket: `/collab` (Hocuspocus) and `/yjs/:roomId` (y-websocket).',
    },
  });
}
