import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { errorBody } from '../../shared/schemas/error.schema.ts';
import {
  blameAnswer, blameQuery, diffQuery, historyList, historyListQuery, labelRequest, playbackChange, playbackQuery, restoreAnswer, restoreRequest, versionContent, versionInfo,
} from '../../shared/schemas/history.schema.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(errorBody, description);
const roomIdParam = z.object({ roomId: z.string().meta({ description: 'Room id (edit or view id)', example: 'h3Kx0Jq2cV9bX1mZp8TtQw' }) });
const versionParams = roomIdParam.extend({ versionId: z.string().meta({ description: 'A version id from the history list', example: '42' }) });

/** The history routes (issue 17, `docs/history.md`) in the OpenAPI document. */
export function registerHistoryPaths(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'get', path: '/api/rooms/{roomId}/history', summary: 'List versions, oldest first (edit or view id)', tags: ['history'],
    description: 'A version closes after a 2 s pause in editing, after a minute of activity, or with a label; creating the room makes the first. `before` pages by version id: the `limit` newest versions before it.',
    request: { params: roomIdParam, query: historyListQuery },
    responses: { 200: json(historyList, 'Versions'), 400: error('`invalid_request`'), 404: error('`room_not_found`') },
  });
  registry.registerPath({
    method: 'post', path: '/api/rooms/{roomId}/history', summary: 'Label the current state (edit id)', tags: ['history'],
    request: { params: roomIdParam, body: { content: { 'application/json': { schema: labelRequest } } } },
    responses: { 201: json(versionInfo, 'The labelled version'), 400: error('`invalid_request`'), 403: error('`forbidden`: a view id'), 404: error('`room_not_found`') },
  });
  registry.registerPath({
    method: 'get', path: '/api/rooms/{roomId}/history/{versionId}', summary: 'Every file at a version (edit or view id)', tags: ['history'],
    request: { params: versionParams },
    responses: {
      200: { description: 'The files (JSON), or the entry file with `Accept: text/plain`', content: { 'application/json': { schema: versionContent }, 'text/plain': { schema: z.string() } } },
      404: error('`room_not_found`, `not_found` (no such version)'),
    },
  });
  registry.registerPath({
    method: 'post', path: '/api/rooms/{roomId}/history/{versionId}/restore', summary: 'Make the room equal to a version, as one new change (edit id)', tags: ['history'],
    description: 'Applies the smallest line diff, so untouched text keeps its authors; everyone connected sees it as an edit, and history records it (author: the token subject, else the optional `by` of the body — the web client sends who pressed Restore — else `REST API`).',
    request: { params: versionParams, body: { required: false, content: { 'application/json': { schema: restoreRequest } } } },
    responses: {
      200: json(restoreAnswer, 'The version that holds the restore'),
      403: error('`forbidden`: a view id'),
      404: error('`room_not_found`, `not_found`'),
      503: error('`service_unavailable`: applied but not stored yet'),
    },
  });
  registry.registerPath({
    method: 'get', path: '/api/rooms/{roomId}/diff', summary: 'Unified diff of every changed file between two points (edit or view id)', tags: ['history'],
    request: { params: roomIdParam, query: diffQuery },
    responses: { 200: { description: 'A unified diff per changed file', content: { 'text/x-diff': { schema: z.string() } } }, 400: error('`invalid_request`'), 404: error('`room_not_found`, `not_found`') },
  });
  registry.registerPath({
    method: 'get', path: '/api/rooms/{roomId}/playback', summary: 'The changes between two points, one per line (edit or view id)', tags: ['history'],
    description: '`from` and `to` take an ISO 8601 time or a version id (default: the whole history). Applied in order to the text at `from`, the lines give the text at `to`.',
    request: { params: roomIdParam, query: playbackQuery },
    responses: { 200: { description: 'NDJSON, one change per line', content: { 'application/x-ndjson': { schema: playbackChange } } }, 400: error('`invalid_request`'), 404: error('`room_not_found`, `not_found`') },
  });
  registry.registerPath({
    method: 'get', path: '/api/rooms/{roomId}/blame', summary: 'Author and time of the newest character of each line (edit or view id)', tags: ['history'],
    request: { params: roomIdParam, query: blameQuery },
    responses: { 200: json(blameAnswer, 'One entry per line of the current text'), 404: error('`room_not_found`, `not_found` (no such file)') },
  });
}
