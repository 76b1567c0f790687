import type { z } from 'zod';
import type { ErrorCode } from '../shared/errors.ts';
import {
  autocompleteResponse,
  type autocompleteRequest,
  type AutocompleteResponse,
} from '../shared/schemas/autocomplete.schema.ts';
import { errorBody } from '../shared/schemas/error.schema.ts';
import { room, type CreateRoomRequest, type Room } from '../shared/schemas/room.schema.ts';

/** Why a call failed: an error code of the API, or one of the client's own. */
export type ApiErrorCode = ErrorCode | 'network_error' | 'invalid_response';

/** Body of `POST /api/autocomplete` before defaults (`limit` is optional). */
export type AutocompleteInput = z.input<typeof autocompleteRequest>;

/** A failed API call; `code` is the API's error code when it sent one. */
export class ApiError extends Error {
  constructor(
    /** HTTP status, or 0 when no answer arrived. */
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The REST API as the client uses it (see the README for the routes). */
export interface ApiClient {
  /** `POST /api/rooms`: creates a room; every field is optional. */
  createRoom(request?: Partial<CreateRoomRequest>, signal?: AbortSignal): Promise<Room>;
  /** `GET /api/rooms/:roomId`: the room with its live code; rejects with code `room_not_found` when it does not exist. */
  getRoom(roomId: string, signal?: AbortSignal): Promise<Room>;
  /** URL of `GET /api/rooms/:roomId/code` (a download with a fitting file name). */
  roomCodeUrl(roomId: string): string;
  /** URL of `GET /api/rooms/:roomId/archive` (a zip of every file of the room). */
  roomArchiveUrl(roomId: string): string;
  /** `POST /api/autocomplete`: ranked completions at a cursor position. */
  autocomplete(request: AutocompleteInput, signal?: AbortSignal): Promise<AutocompleteResponse>;
}

/** Options of {@link createApiClient}. */
export interface ApiClientOptions {
  /** Origin (and optional path prefix) of the server; default `''`, the page's own origin. */
  baseUrl?: string;
  /** The fetch implementation; default the global `fetch`. */
  fetch?: typeof fetch;
}

/** Creates a typed client of the REST API; every answer is checked against the shared schemas. */
export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const roomUrl = (roomId: string) => `${baseUrl}/api/rooms/${encodeURIComponent(roomId)}`;

  async function call<T>(url: string, init: RequestInit, schema: z.ZodType<T>): Promise<T> {
    let response: Response;
    try {
      response = await fetchImpl(url, { ...init, headers: { accept: 'application/json', ...init.headers } });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new ApiError(0, 'network_error', 'The server could not be reached.');
    }
    const body = await readJson(response);
    if (!response.ok) throw toApiError(response.status, body);
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new ApiError(response.status, 'invalid_response', 'The server sent an unexpected answer.');
    return parsed.data;
  }

  return {
    createRoom: (request = {}, signal) =>
      call(`${baseUrl}/api/rooms`, { method: 'POST', body: JSON.stringify(request), headers: { 'content-type': 'application/json' }, signal }, room),
    getRoom: (roomId, signal) => call(roomUrl(roomId), { method: 'GET', signal }, room),
    roomCodeUrl: (roomId) => `${roomUrl(roomId)}/code`,
    roomArchiveUrl: (roomId) => `${roomUrl(roomId)}/archive`,
    autocomplete: (request, signal) =>
      call(
        `${baseUrl}/api/autocomplete`,
        { method: 'POST', body: JSON.stringify(request), headers: { 'content-type': 'application/json' }, signal },
        autocompleteResponse,
      ),
  };
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toApiError(status: number, body: unknown): ApiError {
  const parsed = errorBody.safeParse(body);
  if (parsed.success) return new ApiError(status, parsed.data.error.code, parsed.data.error.message);
  return new ApiError(status, status >= 500 ? 'internal' : 'invalid_response', `The server answered ${status}.`);
}
