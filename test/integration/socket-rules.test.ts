import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { connectClient } from '../support/providers.ts';
import { expectError } from '../support/http.ts';
import { createRoom, fetchRoomCode, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { MAX_MESSAGE_BYTES: '65536', CORS_ORIGINS: 'https://allowed.example' } });
});
afterAll(() => server.close());

function openSocket(path: string, headers: Record<string, string> = {}): Promise<{ socket: WebSocket; closed: Promise<{ code: number; reason: string }> }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${server.wsUrl}${path}`, { headers });
    const closed = new Promise<{ code: number; reason: string }>((done) => {
      socket.on('close', (code, reason) => done({ code, reason: reason.toString() }));
    });
    socket.on('open', () => resolve({ socket, closed }));
    socket.on('error', reject);
  });
}

describe('socket rules', () => {
  it('closes a socket that sends a message over MAX_MESSAGE_BYTES with 1009, and the room is untouched', async () => {
    const { roomId } = await createRoom(server.baseUrl, { code: 'small' });
    const { socket, closed } = await openSocket(`/yjs/${roomId}`);
    socket.send(new Uint8Array(65537));
    expect((await closed).code).toBe(1009);
    expect(await fetchRoomCode(server.baseUrl, roomId)).toBe('small');
  });

  it('refuses sockets from origins that are neither this site nor allowed with 4403', async () => {
    const { roomId } = await createRoom(server.baseUrl);
    const foreign = await openSocket(`/yjs/${roomId}`, { origin: 'https://evil.example' });
    expect(await foreign.closed).toEqual({ code: 4403, reason: 'origin not allowed' });
    const collab = await openSocket('/collab', { origin: 'https://evil.example' });
    expect((await collab.closed).code).toBe(4403);

    for (const origin of ['https://allowed.example', `http://127.0.0.1:${server.pairpad.port}`, undefined]) {
      const { socket } = await openSocket(`/yjs/${roomId}`, origin ? { origin } : {});
      // An accepted socket answers sync step 1 with the room's state.
      const answer = new Promise<Buffer>((resolve) => socket.once('message', resolve));
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 0);
      encoding.writeVarUint(encoder, 0);
      encoding.writeVarUint8Array(encoder, Y.encodeStateVector(new Y.Doc()));
      socket.send(encoding.toUint8Array(encoder));
      expect((await answer)[0]).toBe(0);
      socket.close();
    }
  });

  it('answers upgrades on unknown paths with 404', async () => {
    await expect(openSocket('/elsewhere')).rejects.toThrow(/404/);
  });

  it('serves the web client and API with security headers and a CSP', async () => {
    const response = await fetch(`${server.baseUrl}/api/rooms/AAAAAAAAAAAAAAAAAAAAAA`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('refuses REST calls from pages of other sites with 403, and answers listed origins with CORS headers', async () => {
    const create = (origin?: string) =>
      fetch(`${server.baseUrl}/api/rooms`, { method: 'POST', headers: origin ? { origin } : {} });
    const foreign = await create('https://evil.example');
    await expectError(foreign, 403, 'forbidden');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const read = await fetch(`${server.baseUrl}/api/rooms/AAAAAAAAAAAAAAAAAAAAAA`, { headers: { origin: 'https://evil.example' } });
    await expectError(read, 403, 'forbidden');

    const allowed = await create('https://allowed.example');
    expect(allowed.status).toBe(201);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://allowed.example');
    const preflight = await fetch(`${server.baseUrl}/api/rooms`, {
      method: 'OPTIONS',
      headers: { origin: 'https://allowed.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://allowed.example');
    // The site itself and clients that are not browsers (no Origin) need no listing.
    expect((await create(`http://127.0.0.1:${server.pairpad.port}`)).status).toBe(201);
    expect((await create()).status).toBe(201);
  });

  it('keeps a HocuspocusProvider working beside all this', async () => {
    const { roomId } = await createRoom(server.baseUrl);
    const client = connectClient(server.wsUrl, roomId);
    await client.synced;
    client.text.insert(0, 'still fine');
    await vi.waitFor(async () => expect(await fetchRoomCode(server.baseUrl, roomId)).toBe('still fine'));
    client.destroy();
  });
});
