import type { z } from 'zod';
import { errorBody } from '../../shared/schemas/error.schema.ts';
import { blameAnswer, historyAuthor, historyList, playbackChange, versionContent, versionInfo, type VersionContent } from '../../shared/schemas/history.schema.ts';
import { ApiError } from '../api.ts';

export type HistoryAuthor = z.infer<typeof historyAuthor>;
export type HistoryVersion = z.infer<typeof versionInfo>;
export type PlaybackChange = z.infer<typeof playbackChange>;
export type Blame = z.infer<typeof blameAnswer>;
export type { VersionContent };

/** The history routes of the REST API (issue 17), as the history panel and the blame gutter use them. */
export interface HistoryApi {
  /** Every version, oldest first (follows the pages). */
  versions(id: string): Promise<HistoryVersion[]>;
  version(id: string, versionId: string): Promise<VersionContent>;
  /** The changes between two versions (or times), in order. */
  playback(id: string, from: string, to: string): Promise<PlaybackChange[]>;
  blame(id: string, file: string): Promise<Blame>;
  /** Labels the current state (an edit id). */
  label(roomId: string, label: string): Promise<void>;
  /** Makes the room equal to a version, as one new change (an edit id); `by` is who pressed Restore, history's author of it. */
  restore(roomId: string, versionId: string, by?: HistoryAuthor): Promise<void>;
}

/** Most versions asked for per page. */
const PAGE = 200;

export function createHistoryApi(baseUrl = '', fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init)): HistoryApi {
  const roomUrl = (id: string) => `${baseUrl}/api/rooms/${encodeURIComponent(id)}`;
  async function request(url: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetchImpl(url, { ...init, headers: { accept: 'application/json', 'content-type': 'application/json', ...init.headers } });
    } catch {
      throw new ApiError(0, 'network_error', 'The server could not be reached.');
    }
    if (!response.ok) {
      const error = errorBody.safeParse(await response.json().catch(() => undefined));
      if (error.success) throw new ApiError(response.status, error.data.error.code, error.data.error.message);
      throw new ApiError(response.status, 'invalid_response', `The server answered ${response.status}.`);
    }
    return response;
  }
  async function json<T>(url: string, schema: z.ZodType<T>, init?: RequestInit): Promise<T> {
    const response = await request(url, init);
    const parsed = schema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new ApiError(response.status, 'invalid_response', 'The server sent an unexpected answer.');
    return parsed.data;
  }
  return {
    async versions(id) {
      // Pages go backwards from the newest (`before` a version id); the panel wants them oldest first.
      const all: HistoryVersion[] = [];
      let before: string | undefined;
      for (;;) {
        const query = new URLSearchParams({ limit: String(PAGE), ...(before ? { before } : {}) });
        const page = (await json(`${roomUrl(id)}/history?${query}`, historyList)).versions;
        const fresh = page.filter((version) => !all.some((known) => known.versionId === version.versionId));
        all.push(...fresh);
        if (page.length < PAGE || fresh.length === 0) break;
        before = fresh.reduce((oldest, version) => (version.at < oldest.at ? version : oldest)).versionId;
      }
      return all.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    },
    version: (id, versionId) => json(`${roomUrl(id)}/history/${encodeURIComponent(versionId)}`, versionContent),
    async playback(id, from, to) {
      const query = new URLSearchParams({ from, to });
      const text = await (await request(`${roomUrl(id)}/playback?${query}`, { headers: { accept: 'application/x-ndjson' } })).text();
      const changes: PlaybackChange[] = [];
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        const parsed = playbackChange.safeParse(JSON.parse(line));
        if (!parsed.success) throw new ApiError(200, 'invalid_response', 'The server sent an unexpected playback line.');
        changes.push(parsed.data);
      }
      return changes;
    },
    blame: (id, file) => json(`${roomUrl(id)}/blame?${new URLSearchParams({ file })}`, blameAnswer),
    async label(roomId, label) {
      await request(`${roomUrl(roomId)}/history`, { method: 'POST', body: JSON.stringify({ label }) });
    },
    async restore(roomId, versionId, by) {
      await request(`${roomUrl(roomId)}/history/${encodeURIComponent(versionId)}/restore`, { method: 'POST', body: JSON.stringify(by ? { by } : {}) });
    },
  };
}
