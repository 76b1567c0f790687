import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { connectClient, connectYjsClient, type TestClient, type YjsTestClient } from '../support/providers.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { expectError } from '../support/http.ts';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

function mint(claims: Record<string, unknown>, expiresIn: string | number = '10m'): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(expiresIn).sign(new TextEncoder().encode(SECRET));
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { AUTH_JWT_SECRET: SECRET } });
});
afterAll(() => server.close());
const clients: (TestClient | YjsTestClient)[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.destroy()));

const api = (path: string, token?: string, body?: object) =>
  fetch(`${server.baseUrl}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body && JSON.stringify(body),
  });

async function newRoom(code = 'guarded\n'): Promise<{ roomId: string; viewId: string }> {
  const response = await api('/api/rooms', await mint({ room: '*', role: 'create' }), { code });
  expect(response.status).toBe(201);
  return (await response.json()) as { roomId: string; viewId: string };
}


describe('tokens on the REST API', () => {
  it('refuses a missing, malformed, wrongly signed or expired token with 401', async () => {
    const wrongKey = await new SignJWT({ room: '*', role: '*' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode('another-secret-of-enough-length-000000'));
    for (const token of [undefined, 'not.a.jwt', wrongKey, await mint({ room: '*', role: '*' }, Math.floor(Date.now() / 1000) - 10)]) {
      const response = await api('/api/rooms', token, {});
      await expectError(response, 401, 'unauthorized');
    }
    const unauthorized = await api('/api/rooms', undefined, {});
    expect(unauthorized.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('needs role create (or *) to create a room', async () => {
    await expectError(await api('/api/rooms', await mint({ room: '*', role: 'edit' }), {}), 403, 'forbidden');
    expect((await api('/api/rooms', await mint({ room: '*', role: '*' }), {})).status).toBe(201);
  });

  it('lets a token read only its own room', async () => {
    const room = await newRoom();
    const other = await newRoom();
    expect((await api(`/api/rooms/${room.roomId}`, await mint({ room: room.roomId, role: 'edit' }))).status).toBe(200);
    expect((await api(`/api/rooms/${room.viewId}`, await mint({ room: room.viewId, role: 'view' }))).status).toBe(200);
    await expectError(await api(`/api/rooms/${other.roomId}`, await mint({ room: room.roomId, role: 'edit' })), 403, 'forbidden');
    await expectError(await api(`/api/rooms/${room.roomId}/code`, await mint({ room: room.roomId, role: 'create' })), 403, 'forbidden');
    await expectError(await api('/api/autocomplete', await mint({ room: other.roomId, role: 'view' }), { roomId: room.roomId, cursorPosition: 0, language: 'python' }), 403, 'forbidden');
  });

  it('leaves health, liveness and docs open', async () => {
    expect((await api('/livez')).status).toBe(200);
    expect((await api('/health')).status).toBe(200);
    expect((await api('/api/openapi.json')).status).toBe(200);
  });

  it('accepts ES256 tokens when a public key is configured', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyed = await startTestServer({ env: { AUTH_JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString() } });
    try {
      const token = await new SignJWT({ room: '*', role: 'create' }).setProtectedHeader({ alg: 'ES256' }).setExpirationTime('5m').sign(privateKey);
      const created = await fetch(`${keyed.baseUrl}/api/rooms`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      expect(created.status).toBe(201);
      const hs256 = await mint({ room: '*', role: 'create' });
      expect((await fetch(`${keyed.baseUrl}/api/rooms`, { method: 'POST', headers: { authorization: `Bearer ${hs256}` } })).status).toBe(401);
    } finally {
      await keyed.close();
    }
  });
});

describe('tokens on /collab', () => {
  it('refuses a missing token (unauthorized) and a token for another room (forbidden)', async () => {
    const room = await newRoom();
    const reasons: string[] = [];
    clients.push(connectClient(server.wsUrl, room.roomId, { onAuthenticationFailed: (reason) => reasons.push(reason) }));
    clients.push(connectClient(server.wsUrl, room.roomId, { token: await mint({ room: 'someOtherRoomId0000000', role: 'edit' }), onAuthenticationFailed: (reason) => reasons.push(reason) }));
    await vi.waitFor(() => expect(reasons).toHaveLength(2));
    expect(reasons.sort()).toEqual(['forbidden: the token is not for this room or role', 'unauthorized: a token is required']);
  });

  it('makes a view token read-only, and lets an edit token edit', async () => {
    const room = await newRoom('base\n');
    const editor = connectClient(server.wsUrl, room.roomId, { token: await mint({ room: room.roomId, role: 'edit' }) });
    const viewer = connectClient(server.wsUrl, room.roomId, { token: await mint({ room: room.roomId, role: 'view' }) });
    clients.push(editor, viewer);
    await Promise.all([editor.synced, viewer.synced]);
    viewer.text.insert(0, 'dropped ');
    editor.text.insert(editor.text.length, 'kept\n');
    await vi.waitFor(() => expect(viewer.text.toString()).toContain('kept\n'));
    expect(editor.text.toString()).toBe('base\nkept\n');
  });

  it('closes the socket with 4401 when the token expires', async () => {
    const room = await newRoom();
    const client = connectClient(server.wsUrl, room.roomId, { token: await mint({ room: room.roomId, role: 'edit' }, Math.floor(Date.now() / 1000) + 2) });
    clients.push(client);
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      client.socket.on('close', ({ event }: { event: { code: number; reason: string } }) => resolve({ code: event.code, reason: event.reason })),
    );
    await client.synced;
    expect(await closed).toEqual({ code: 4401, reason: 'unauthorized: the token has expired' });
  });

  it('answers a missing token with unauthorized before looking the room up, even for a room that does not exist', async () => {
    const reasons: string[] = [];
    clients.push(connectClient(server.wsUrl, 'noSuchRoomId0000000000', { onAuthenticationFailed: (reason) => reasons.push(reason) }));
    await vi.waitFor(() => expect(reasons).toHaveLength(1));
    expect(reasons).toEqual(['unauthorized: a token is required']);
    // With a valid token, the same name is simply not found.
    const withToken: string[] = [];
    clients.push(connectClient(server.wsUrl, 'noSuchRoomId0000000000', { token: await mint({ room: '*', role: 'edit' }), onAuthenticationFailed: (reason) => withToken.push(reason) }));
    await vi.waitFor(() => expect(withToken).toEqual(['room not found']));
  });
});

describe('tokens on /yjs', () => {
  const closeOf = (url: string) =>
    new Promise<{ code: number; reason: string }>((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
      socket.on('error', reject);
    });

  it('refuses the upgrade with 401 without a valid token, and closes 4403 with one for another room', async () => {
    const room = await newRoom();
    // Refused before the socket opens (see yjs-endpoint.test.ts), so clients back off.
    await expect(closeOf(`${server.wsUrl}/yjs/${room.roomId}`)).rejects.toThrow('Unexpected server response: 401');
    const foreign = await mint({ room: 'someOtherRoomId0000000', role: 'edit' });
    expect((await closeOf(`${server.wsUrl}/yjs/${room.roomId}?token=${foreign}`)).code).toBe(4403);
  });

  it('syncs with ?token= and closes 4401 when the token expires', async () => {
    const room = await newRoom('over yjs\n');
    const token = await mint({ room: room.roomId, role: 'edit' }, Math.floor(Date.now() / 1000) + 2);
    const client = connectYjsClient(server.wsUrl, room.roomId, { token });
    clients.push(client);
    await client.synced;
    expect(client.text.toString()).toBe('over yjs\n');
    const closed = new Promise<number>((resolve) => client.provider.on('connection-close', (event: any) => resolve(event?.code)));
    expect(await closed).toBe(4401);
  });
});

describe('tokens on the files routes', () => {
  const send = (method: string, path: string, token: string | undefined, body?: string, type = 'text/plain') =>
    fetch(`${server.baseUrl}${path}`, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': type } : {}) }, body });

  it('an edit token changes files, a view token only reads them, no token gets 401, a create token makes rooms from zips', async () => {
    const room = await newRoom('print(1)\n');
    const edit = await mint({ room: room.roomId, role: 'edit' });
    const view = await mint({ room: room.roomId, role: 'view' });
    expect((await send('PUT', `/api/rooms/${room.roomId}/files/a.py`, edit, 'x = 1')).status).toBe(201);
    expect((await send('POST', `/api/rooms/${room.roomId}/files/move`, edit, JSON.stringify({ from: 'a.py', to: 'b.py' }), 'application/json')).status).toBe(200);
    expect(await (await send('GET', `/api/rooms/${room.roomId}/files/b.py`, view)).text()).toBe('x = 1');
    expect((await send('GET', `/api/rooms/${room.roomId}/files`, view)).status).toBe(200);
    expect((await send('GET', `/api/rooms/${room.roomId}/archive`, view)).status).toBe(200);
    await expectError(await send('PUT', `/api/rooms/${room.roomId}/files/c.py`, view, 'no'), 403, 'forbidden');
    await expectError(await send('DELETE', `/api/rooms/${room.roomId}/files/b.py`, view), 403, 'forbidden');
    await expectError(await send('POST', `/api/rooms/${room.roomId}/files/move`, view, JSON.stringify({ from: 'b.py', to: 'c.py' }), 'application/json'), 403, 'forbidden');
    await expectError(await send('GET', `/api/rooms/${room.roomId}/files/b.py`, undefined), 401, 'unauthorized');
    const other = await newRoom();
    await expectError(await send('GET', `/api/rooms/${other.roomId}/files`, edit), 403, 'forbidden');
    const { buildZip } = await import('../support/zips.ts');
    const zip = buildZip([{ name: 'main.py', data: 'print(2)' }]);
    const post = (token: string) => fetch(`${server.baseUrl}/api/rooms`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/zip' }, body: zip });
    await expectError(await post(edit), 403, 'forbidden');
    expect((await post(await mint({ room: '*', role: 'create' }))).status).toBe(201);
  });
});
