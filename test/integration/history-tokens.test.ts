import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { applyPlayback } from '../support/history.ts';
import { connectClient, type TestClient } from '../support/providers.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const mint = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10m').sign(new TextEncoder().encode(SECRET));

describe('history authors with tokens', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    server = await startTestServer({ env: { AUTH_JWT_SECRET: SECRET } });
  });
  afterEach(() => clients.splice(0).forEach((client) => client.destroy()));
  afterAll(() => server.close());

  const api = (path: string, token: string, method = 'GET') => fetch(`${server.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${token}` } });

  /** A Python room holding `a\n`, created with a create token. */
  async function createPythonRoom(): Promise<string> {
    const create = await fetch(`${server.baseUrl}/api/rooms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await mint({ room: '*', role: 'create' })}`, 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'python', code: 'a\n' }),
    });
    return ((await create.json()) as { roomId: string }).roomId;
  }

  type Version = { versionId: string; authors: { name: string; color: string }[] };
  const listVersions = async (roomId: string, token: string) => ((await (await api(`/api/rooms/${roomId}/history`, token)).json()) as { versions: Version[] }).versions;
  /** The changes since version `from`, one JSON line each. */
  const readPlayback = async (roomId: string, from: string, token: string) => (await api(`/api/rooms/${roomId}/playback?from=${from}`, token)).text();

  it('names the token subject beside the awareness name, and as the author of a restore; a view token may read but not restore', async () => {
    const roomId = await createPythonRoom();
    const edit = await mint({ room: roomId, role: 'edit', sub: 'ada@example.com' });
    const view = await mint({ room: roomId, role: 'view', sub: 'viewer' });
    const ada = connectClient(server.wsUrl, roomId, { token: edit });
    clients.push(ada);
    await ada.synced;
    ada.provider.setAwarenessField('user', { name: 'Ada', color: '#f00' });
    ada.text.insert(2, 'b\n');
    let versions: Version[] = [];
    await vi.waitFor(async () => {
      versions = await listVersions(roomId, view);
      expect(versions).toHaveLength(2);
    }, { timeout: 15_000, interval: 200 });
    expect(versions[1].authors).toEqual([{ name: 'Ada', color: '#f00' }]);

    expect((await api(`/api/rooms/${roomId}/history/${versions[0].versionId}/restore`, view, 'POST')).status).toBe(403);
    const restored = await api(`/api/rooms/${roomId}/history/${versions[0].versionId}/restore`, edit, 'POST');
    expect(restored.status).toBe(200);
    await vi.waitFor(() => expect(ada.text.toString()).toBe('a\n'));
    const lines = await readPlayback(roomId, versions[0].versionId, view);
    const authors = lines.trim().split('\n').map((line) => JSON.parse(line).author.name);
    expect(authors).toEqual(['Ada', 'ada@example.com']);
    expect(applyPlayback(new Map([['main.py', 'a\n']]), lines).get('main.py')).toBe('a\n');
  });

  it('names the token subject as the author of REST file writes, moves and deletes', async () => {
    const roomId = await createPythonRoom();
    const edit = await mint({ room: roomId, role: 'edit', sub: 'ci-bot' });
    const view = await mint({ room: roomId, role: 'view', sub: 'viewer' });
    let first: Version | undefined;
    await vi.waitFor(async () => {
      first = (await listVersions(roomId, view))[0];
      expect(first).toBeDefined();
    });
    const send = (method: string, path: string, body?: string, type = 'text/plain') =>
      fetch(`${server.baseUrl}/api/rooms/${roomId}${path}`, { method, headers: { authorization: `Bearer ${edit}`, 'content-type': type }, body });
    expect((await send('PUT', '/files/notes.md', 'hello\n')).status).toBe(201);
    expect((await send('POST', '/files/move', JSON.stringify({ from: 'notes.md', to: 'docs/notes.md' }), 'application/json')).status).toBe(200);
    expect((await send('PUT', '/files/main.py', 'a\nb\n')).status).toBe(200);
    expect((await send('DELETE', '/files/docs/notes.md')).status).toBe(204);

    const lines = await readPlayback(roomId, first!.versionId, view);
    const changes = lines.trim().split('\n').map((line) => JSON.parse(line) as { author: { name: string }; file: string });
    expect(changes.map((change) => change.file)).toEqual(expect.arrayContaining(['notes.md', 'main.py']));
    expect(new Set(changes.map((change) => change.author.name))).toEqual(new Set(['ci-bot']));
    expect(applyPlayback(new Map([['main.py', 'a\n']]), lines).get('main.py')).toBe('a\nb\n');
  });
});
