import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { autocompleteRequest, autocompleteResponse } from '../../shared/schemas/autocomplete.schema.ts';
import { errorBody } from '../../shared/schemas/error.schema.ts';
import { health } from '../../shared/schemas/health.schema.ts';
import { limits } from '../../shared/schemas/limits.schema.ts';
import { createRoomRequest, room } from '../../shared/schemas/room.schema.ts';

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
      description: 'Rooms, code and autocomplete of a Pairpad server. Collaboration itself runs over WebSocket: `/collab` (Hocuspocus) and `/yjs/:roomId` (y-websocket), each taking an optional `?clientKey=` (22-128 base64url characters, one random key per Y.Doc) that binds the Yjs client id to it; see docs/protocol.md.',
    },
  });
}
