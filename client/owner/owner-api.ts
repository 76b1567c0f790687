import { room, type PatchRoomRequest, type Room } from '../../shared/schemas/room.schema.ts';
import { errorBody } from '../../shared/schemas/error.schema.ts';
import { ApiError } from '../api.ts';

/** The owner's REST actions on one room (`docs/owner.md`), with the owner key as the bearer. */
export interface OwnerApi {
  patch(request: PatchRoomRequest): Promise<Room>;
  rotate(): Promise<Room>;
  deleteRoom(): Promise<void>;
  /** `participant`: an awareness client id or a `user.id`. */
  remove(participant: string): Promise<void>;
  readNotes(): Promise<string>;
  writeNotes(text: string): Promise<void>;
}

/** `roomId()` is read at each call: a rotation changes it. */
export function createOwnerApi(roomId: () => string, ownerKey: string, fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init)): OwnerApi {
  const call = async (method: string, path: string, init: { json?: object; text?: string } = {}): Promise<Response> => {
    let response: Response;
    try {
      response = await fetchImpl(`/api/rooms/${encodeURIComponent(roomId())}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${ownerKey}`,
          ...(init.json ? { 'content-type': 'application/json' } : {}),
          ...(init.text !== undefined ? { 'content-type': 'text/plain; charset=utf-8' } : {}),
        },
        body: init.json ? JSON.stringify(init.json) : init.text,
      });
    } catch {
      throw new ApiError(0, 'network_error', 'The server could not be reached.');
    }
    if (!response.ok) {
      const parsed = errorBody.safeParse(await response.json().catch(() => undefined));
      throw parsed.success ? new ApiError(response.status, parsed.data.error.code, parsed.data.error.message) : new ApiError(response.status, 'internal', `The server answered ${response.status}.`);
    }
    return response;
  };
  const readRoom = async (response: Response) => {
    const parsed = room.safeParse(await response.json());
    if (!parsed.success) throw new ApiError(response.status, 'invalid_response', 'The server sent an unexpected answer.');
    return parsed.data;
  };
  return {
    patch: async (request) => readRoom(await call('PATCH', '', { json: request })),
    rotate: async () => readRoom(await call('POST', '/rotate')),
    deleteRoom: async () => void (await call('DELETE', '')),
    remove: async (participant) => void (await call('POST', `/participants/${encodeURIComponent(participant)}/remove`)),
    readNotes: async () => (await call('GET', '/notes')).text(),
    writeNotes: async (text) => void (await call('PUT', '/notes', { text })),
  };
}
