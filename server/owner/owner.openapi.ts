import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { errorBody } from '../../shared/schemas/error.schema.ts';
import { patchRoomRequest, room } from '../../shared/schemas/room.schema.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(errorBody, description);
const roomIdParam = z.object({ roomId: z.string().meta({ description: 'The edit id', example: 'h3Kx0Jq2cV9bX1mZp8TtQw' }) });
const OWNER =
  'Owner only: `Authorization: Bearer <ownerKey>` (the key `POST /api/rooms` answered), or, when tokens are required, a token with `role: "owner"` for the room. ' +
  'Anyone else gets 403 `forbidden`, a view id too. See docs/owner.md.';
const denied = {
  401: error('`unauthorized`: tokens are required and the token is missing or invalid'),
  403: error('`forbidden`: not the owner'),
  404: error('`room_not_found`'),
};

/** The owner's routes (`server/owner/owner.routes.ts`) in the OpenAPI document. */
export function registerOwnerPaths(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'patch', path: '/api/rooms/{roomId}', summary: 'Change the room\'s settings: lock, participant limit, title, language (owner)', tags: ['owner'],
    description: `${OWNER} A locked room (\`meta.locked\`) drops every edit but the owner's, on both protocols; \`maxEditors\` refuses editors past it with close code 4409.`,
    request: { params: roomIdParam, body: { required: true, content: { 'application/json': { schema: patchRoomRequest } } } },
    responses: { 200: json(room, 'The room as it is now'), 400: error('`invalid_json`, `invalid_request`'), ...denied, 415: error('`unsupported_media_type`') },
  });
  registry.registerPath({
    method: 'delete', path: '/api/rooms/{roomId}', summary: 'Delete the room and everything of it (owner)', tags: ['owner'],
    description: `${OWNER} Files, runs, history, chat and notes go with it, at once; connected clients are closed with 4410.`,
    request: { params: roomIdParam },
    responses: { 204: { description: 'Deleted' }, ...denied },
  });
  registry.registerPath({
    method: 'post', path: '/api/rooms/{roomId}/rotate', summary: 'New edit and view ids; the old ones stop working (owner)', tags: ['owner'],
    description: `${OWNER} Sockets on the old ids close with 4404 (\`link rotated\`); REST on them answers 404. The owner key stays valid.`,
    request: { params: roomIdParam },
    responses: { 200: json(room, 'The room with its new `roomId`, `viewId` and `links`'), ...denied },
  });
  registry.registerPath({
    method: 'post', path: '/api/rooms/{roomId}/participants/{clientId}/remove', summary: 'Close a participant\'s connections (owner)', tags: ['owner'],
    description: `${OWNER} \`clientId\` is an awareness client id, or the \`user.id\` of an awareness state (every tab of that browser). Its connections, on every instance, close with 4403 (\`removed\`). Not a ban: rotate the links to keep someone out.`,
    request: { params: roomIdParam.extend({ clientId: z.string().meta({ description: 'Awareness client id or user id', example: '2874103321' }) }) },
    responses: { 200: json(z.object({ closed: z.int().nonnegative().meta({ description: 'Connections closed on this instance (others close theirs too)' }) }), 'Closed'), ...denied },
  });
  registry.registerPath({
    method: 'get', path: '/api/rooms/{roomId}/notes', summary: 'Read the owner\'s private notes (owner)', tags: ['owner'],
    description: `${OWNER} Never in the room document, on any socket, or in any other answer.`,
    request: { params: roomIdParam },
    responses: { 200: { description: 'The notes (empty when none)', content: { 'text/plain': { schema: z.string() } } }, ...denied },
  });
  registry.registerPath({
    method: 'put', path: '/api/rooms/{roomId}/notes', summary: 'Replace the owner\'s private notes (owner)', tags: ['owner'],
    description: `${OWNER} \`text/plain\`, at most 100 KB (102,400 bytes of UTF-8).`,
    request: { params: roomIdParam, body: { required: false, content: { 'text/plain': { schema: z.string() } } } },
    responses: { 204: { description: 'Stored' }, ...denied, 413: error('`payload_too_large`'), 415: error('`unsupported_media_type`: not `text/plain`') },
  });
}
