import type { z } from 'zod';
import { errorBody } from '../../shared/schemas/error.schema.ts';
import { run, runList, startRunResponse, type Run, type StartRunResponse } from '../../shared/schemas/run.schema.ts';
import { ApiError } from '../api.ts';

/** The run routes of the REST API, as the run panel uses them (`shared/schemas/run.schema.ts`). */
export interface RunsApi {
  /** `POST /api/rooms/:roomId/runs` (an edit id). */
  start(roomId: string, request: { stdin?: string; name?: string }): Promise<StartRunResponse>;
  /** `GET /api/rooms/:id/runs/:runId` (edit or view id). */
  get(id: string, runId: string): Promise<Run>;
  /** `GET /api/rooms/:id/runs`: the latest, newest first. */
  list(id: string): Promise<Run[]>;
  /** `POST /api/rooms/:roomId/runs/:runId/cancel`. */
  cancel(roomId: string, runId: string): Promise<Run>;
}

export function createRunsApi(baseUrl = '', fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init)): RunsApi {
  const runsUrl = (id: string) => `${baseUrl}/api/rooms/${encodeURIComponent(id)}/runs`;
  async function call<T>(url: string, init: RequestInit, schema: z.ZodType<T>): Promise<T> {
    let response: Response;
    try {
      response = await fetchImpl(url, { ...init, headers: { accept: 'application/json', 'content-type': 'application/json', ...init.headers } });
    } catch {
      throw new ApiError(0, 'network_error', 'The server could not be reached.');
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const error = errorBody.safeParse(body);
      if (error.success) throw new ApiError(response.status, error.data.error.code, error.data.error.message);
      throw new ApiError(response.status, 'invalid_response', `The server answered ${response.status}.`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new ApiError(response.status, 'invalid_response', 'The server sent an unexpected answer.');
    return parsed.data;
  }
  return {
    start: (roomId, request) => call(runsUrl(roomId), { method: 'POST', body: JSON.stringify(request) }, startRunResponse),
    get: (id, runId) => call(`${runsUrl(id)}/${encodeURIComponent(runId)}`, { method: 'GET' }, run),
    list: async (id) => (await call(runsUrl(id), { method: 'GET' }, runList)).runs,
    cancel: (roomId, runId) => call(`${runsUrl(roomId)}/${encodeURIComponent(runId)}/cancel`, { method: 'POST' }, run),
  };
}
