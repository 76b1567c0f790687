import { expect, vi } from 'vitest';

/** One version as `GET /api/rooms/:roomId/history` lists it. */
export interface ListedVersion {
  versionId: string;
  at: string;
  authors: { name: string; color: string }[];
  label?: string;
  chars: number;
}

/** `GET /api/rooms/:roomId/history` (throws unless 200). */
export async function listHistory(baseUrl: string, id: string, query = ''): Promise<ListedVersion[]> {
  const response = await fetch(`${baseUrl}/api/rooms/${id}/history${query}`);
  if (response.status !== 200) throw new Error(`history: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { versions: ListedVersion[] }).versions;
}

/** Waits until the room's history lists `count` versions (they close after a 2 s pause); returns them. */
export async function waitForVersions(baseUrl: string, id: string, count: number): Promise<ListedVersion[]> {
  let versions: ListedVersion[] = [];
  await vi.waitFor(
    async () => {
      versions = await listHistory(baseUrl, id);
      expect(versions.length).toBeGreaterThanOrEqual(count);
    },
    { timeout: 15_000, interval: 200 },
  );
  return versions;
}

/** `GET /api/rooms/:roomId/history/:versionId` as JSON (throws unless 200). */
export async function getVersion(baseUrl: string, id: string, versionId: string): Promise<{ versionId: string; at: string; files: { path: string; content: string }[] }> {
  const response = await fetch(`${baseUrl}/api/rooms/${id}/history/${versionId}`);
  if (response.status !== 200) throw new Error(`version: ${response.status} ${await response.text()}`);
  return (await response.json()) as never;
}

/** A JSON POST (label, restore). */
export function postJson(url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Applies playback lines (NDJSON) to the texts of files, as a client replaying them would. */
export function applyPlayback(files: Map<string, string>, ndjson: string): Map<string, string> {
  const out = new Map(files);
  for (const line of ndjson.split('\n')) {
    if (!line) continue;
    const change = JSON.parse(line) as { file: string; pos: number; del: number; ins: string };
    const text = out.get(change.file) ?? '';
    out.set(change.file, text.slice(0, change.pos) + change.ins + text.slice(change.pos + change.del));
  }
  return out;
}
