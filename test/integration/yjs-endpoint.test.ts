import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import * as encoding from 'lib0/encoding';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { CloseCode, CloseReason } from '../../shared/protocol.ts';
import { spawnServer } from '../support/child-server.ts';
import { connectClient, connectYjsClient, createRandom, makeRandomEdit, type TestClient, type YjsTestClient } from '../support/providers.ts';
import { createRoom, fetchRoomCode, startTestServer, type TestServer } from '../support/server.ts';
import { connectStockClient } from '../support/stock-clients.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const clients: (TestClient | YjsTestClient)[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.destroy()));

/** The HTTP status an upgrade on `path` gets: 101 when the socket opens. */
function upgradeStatus(path: string): Promise<number> {
  return upgradeStatusAt(server.wsUrl, path);
}

function upgradeStatusAt(wsUrl: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${wsUrl}${path}`);
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('error', (error) => {
      if (socket.readyState !== WebSocket.CLOSED) reject(error);
    });
  });
}

/** Opens a raw socket on `path`, sends `frames`, and resolves with how the server closed it. */
function sendRaw(path: string, frames: (Uint8Array | string)[]): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${server.wsUrl}${path}`);
    socket.on('open', () => frames.forEach((frame) => socket.send(frame)));
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    socket.on('error', reject);
  });
}

describe('/yjs/:roomId with a stock y-websocket WebsocketProvider', () => {
  it('converges with a HocuspocusProvider over 300 concurrent random edits each, and the stored code matches', async () => {
    const { roomId } = await createRoom(server.baseUrl, { code: 'shared\n' });
    const yjs = connectYjsClient(server.wsUrl, roomId);
    const hocus = connectClient(server.wsUrl, roomId);
    clients.push(yjs, hocus);
    await Promise.all([yjs.synced, hocus.synced]);
    expect(yjs.text.toString()).toBe('shared\n');

    const randomY = createRandom(11);
    const randomH = createRandom(12);
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 10; i++) makeRandomEdit(yjs.text, randomY, 'qrs\n');
      for (let i = 0; i < 10; i++) makeRandomEdit(hocus.text, randomH, 'tuv\n');
      await new Promise((resolve) => setImmediate(resolve));
    }
    await vi.waitFor(() => expect(yjs.text.toString()).toBe(hocus.text.toString()), { timeout: 10_000 });
    const merged = yjs.text.toString();
    expect(merged).toMatch(/[qrs]/);
    expect(merged).toMatch(/[tuv]/);
    expect(await fetchRoomCode(server.baseUrl, roomId)).toBe(merged);

    yjs.destroy();
    hocus.destroy();
    await vi.waitFor(() => expect(server.pairpad.collab.hocuspocus.documents.has(roomId)).toBe(false));
    expect((await server.pairpad.store.findRoom(roomId))?.code).toBe(merged);
  });

  it('carries awareness both ways and removes it when a client leaves', async () => {
    const { roomId } = await createRoom(server.baseUrl);
    const yjs = connectYjsClient(server.wsUrl, roomId);
    const hocus = connectClient(server.wsUrl, roomId);
    clients.push(yjs, hocus);
    await Promise.all([yjs.synced, hocus.synced]);

    yjs.provider.awareness.setLocalStateField('user', { name: 'Yara', color: '#f00', colorLight: '#f003' });
    hocus.provider.setAwarenessField('user', { name: 'Hugo', color: '#00f', colorLight: '#00f3' });
    const names = (states: Map<number, any>) => [...states.values()].map((state) => state.user?.name).filter(Boolean).sort();
    await vi.waitFor(() => expect(names(hocus.provider.awareness!.getStates())).toEqual(['Hugo', 'Yara']));
    await vi.waitFor(() => expect(names(yjs.provider.awareness.getStates())).toEqual(['Hugo', 'Yara']));

    yjs.destroy();
    await vi.waitFor(() => expect(names(hocus.provider.awareness!.getStates())).toEqual(['Hugo']));

    // And the other way: a /collab client that leaves disappears from a /yjs client's screen.
    const watcher = connectYjsClient(server.wsUrl, roomId);
    clients.push(watcher);
    await watcher.synced;
    await vi.waitFor(() => expect(names(watcher.provider.awareness.getStates())).toEqual(['Hugo']));
    hocus.destroy();
    await vi.waitFor(() => expect(names(watcher.provider.awareness.getStates())).toEqual([]));
  });

  it('sends a joining client a room that holds 1 MB of code', async () => {
    const line = 'const value = computeSomethingRatherLong(alpha, beta, gamma); // 1 MB\n';
    const code = line.repeat(Math.ceil(1_000_000 / line.length));
    // The REST body limit is 1 MiB, so the room is filled over the socket.
    const { roomId } = await createRoom(server.baseUrl);
    const writer = connectClient(server.wsUrl, roomId);
    clients.push(writer);
    await writer.synced;
    writer.text.insert(0, code);
    await vi.waitFor(() => expect(server.pairpad.collab.hocuspocus.documents.get(roomId)?.getText('code').length).toBe(code.length));

    const reader = connectYjsClient(server.wsUrl, roomId);
    clients.push(reader);
    await reader.synced;
    expect(reader.text.length).toBe(code.length);
    expect(reader.text.toString() === code).toBe(true);
  });
});

describe('/yjs refusals and hostile frames', () => {
  it('refuses the upgrade itself with HTTP 404 for unknown and malformed room ids, creating nothing', async () => {
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'bad', '%E0%A4%A', "x'%20OR%201=1", 'a'.repeat(5000)]) {
      expect(await upgradeStatus(`/yjs/${id}`)).toBe(404);
    }
    expect(server.pairpad.collab.hocuspocus.getDocumentsCount()).toBe(0);
  });

  it.each(['y-websocket 1.x', 'y-websocket 2.x'] as const)('%s backs off against an unknown room instead of reconnecting ~9 times a second', async (kind) => {
    let attempts = 0;
    const count = (request: IncomingMessage) => {
      if (request.url?.startsWith('/yjs/AAAAAAAAAAAAAAAAAAAAAB')) attempts++;
    };
    server.pairpad.httpServer.on('upgrade', count);
    const client = connectStockClient(kind, server.wsUrl, 'AAAAAAAAAAAAAAAAAAAAAB', { maxBackoffTime: 2_500 });
    try {
      await vi.waitFor(() => expect(attempts).toBeGreaterThanOrEqual(2));
      // A window to measure a rate in: with its socket never opening the
      // client's backoff grows (100 ms, 200 ms, 400 ms, ... 2.5 s); opened and
      // then closed, it retried every ~100 ms (about 27 attempts in 3 s).
      const before = attempts;
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(attempts - before).toBeLessThanOrEqual(6);
    } finally {
      client.destroy();
      server.pairpad.httpServer.off('upgrade', count);
    }
  });

  it('closes 4400 on garbage, truncated and corrupt frames, and the room and server carry on', async () => {
    const { roomId } = await createRoom(server.baseUrl, { code: 'intact' });
    const hocus = connectClient(server.wsUrl, roomId);
    clients.push(hocus);
    await hocus.synced;

    const truncatedSync = encoding.createEncoder();
    encoding.writeVarUint(truncatedSync, 0); // sync
    encoding.writeVarUint(truncatedSync, 2); // update
    encoding.writeVarUint(truncatedSync, 500); // claims 500 bytes
    encoding.writeUint8Array(truncatedSync, new Uint8Array(10)); // sends 10
    const corruptUpdate = encoding.createEncoder();
    encoding.writeVarUint(corruptUpdate, 0);
    encoding.writeVarUint(corruptUpdate, 2);
    encoding.writeVarUint8Array(corruptUpdate, new Uint8Array([5, 200, 1, 3, 99, 42, 7, 7, 7, 7]));
    const hostile = [
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]),
      new Uint8Array(1000).map((_, i) => (i * 31) % 256),
      encoding.toUint8Array(truncatedSync),
      encoding.toUint8Array(corruptUpdate),
      'not even binary',
    ];
    for (const frame of hostile) {
      expect(await sendRaw(`/yjs/${roomId}`, [frame])).toEqual({ code: 4400, reason: 'malformed message' });
    }

    hocus.text.insert(hocus.text.length, ' and editable');
    await vi.waitFor(async () => expect(await fetchRoomCode(server.baseUrl, roomId)).toBe('intact and editable'));
    expect((await fetch(`${server.baseUrl}/livez`)).status).toBe(200);
  });
});

describe('durability of edits that arrive on /yjs', () => {
  it('keeps them when the server is killed with SIGKILL 150 ms after the last keystroke', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pairpad-yjs-crash-'));
    const child = await spawnServer({ DATA_DIR: dataDir });
    try {
      const { roomId } = await createRoom(child.baseUrl);
      const yjs = connectYjsClient(child.wsUrl, roomId);
      clients.push(yjs);
      await yjs.synced;
      const observer = connectClient(child.wsUrl, roomId);
      clients.push(observer);
      await observer.synced;
      const random = createRandom(99);
      for (let i = 0; i < 200; i++) makeRandomEdit(yjs.text, random);
      const typed = yjs.text.toString();
      // y-websocket has no acknowledgement: once another client has every edit, the server accepted them.
      await vi.waitFor(() => expect(observer.text.toString()).toBe(typed));
      await new Promise((resolve) => setTimeout(resolve, 150)); // the durability window under test
      child.kill('SIGKILL');
      await child.exited;
      yjs.destroy();

      const restarted = await spawnServer({ DATA_DIR: dataDir });
      try {
        expect(await fetchRoomCode(restarted.baseUrl, roomId)).toBe(typed);
      } finally {
        restarted.kill('SIGKILL');
        await restarted.exited;
      }
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('/yjs with tokens required', () => {
  const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
  const mint = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10m').sign(new TextEncoder().encode(SECRET));
  let guarded: TestServer;
  beforeAll(async () => {
    guarded = await startTestServer({ env: { AUTH_JWT_SECRET: SECRET } });
  });
  afterAll(() => guarded.close());

  const statusOf = (path: string) => upgradeStatusAt(guarded.wsUrl, path);

  it('answers 401 before any lookup when the token is missing or invalid, whether or not the room exists; then 404 for an unknown room', async () => {
    const created = await fetch(`${guarded.baseUrl}/api/rooms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await mint({ room: '*', role: 'create' })}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const { roomId } = (await created.json()) as { roomId: string };
    const unknown = 'AAAAAAAAAAAAAAAAAAAAAA';
    // No oracle: a client without a valid token gets the same answer for both.
    for (const query of ['', '?token=not.a.jwt']) {
      expect(await statusOf(`/yjs/${roomId}${query}`)).toBe(401);
      expect(await statusOf(`/yjs/${unknown}${query}`)).toBe(401);
    }
    const token = await mint({ room: '*', role: 'edit' });
    expect(await statusOf(`/yjs/${unknown}?token=${token}`)).toBe(404);
    expect(await statusOf(`/yjs/${roomId}?token=${token}`)).toBe(101);
  });
});

describe('idle /yjs sockets', () => {
  let quick: TestServer;
  beforeAll(async () => {
    quick = await startTestServer();
    // Hocuspocus's idle timeout (60 s by default), shortened; read as each socket opens.
    quick.pairpad.collab.hocuspocus.configuration.timeout = 1_000;
  });
  afterAll(() => quick.close());

  /** Opens a raw y-websocket socket on a new room that says nothing after its first sync request. */
  async function openQuiet(options: WebSocket.ClientOptions = {}) {
    const { roomId } = await createRoom(quick.baseUrl, { code: 'quiet' });
    const socket = new WebSocket(`${quick.wsUrl}/yjs/${roomId}`, options);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    let pings = 0;
    socket.on('ping', () => pings++);
    await new Promise((resolve) => socket.once('open', resolve));
    const step1 = encoding.createEncoder();
    encoding.writeVarUint(step1, 0); // sync
    encoding.writeVarUint(step1, 0); // step 1
    encoding.writeVarUint8Array(step1, new Uint8Array([0])); // empty state vector
    socket.send(encoding.toUint8Array(step1));
    return { socket, closed, pings: () => pings };
  }

  it('stays open while the client answers pings, however long it says nothing', async () => {
    const quiet = await openQuiet();
    let closedWith: { code: number } | undefined;
    void quiet.closed.then((event) => (closedWith = event));
    // Pings every half timeout: six of them span three timeouts.
    await vi.waitFor(() => expect(quiet.pings()).toBeGreaterThanOrEqual(6), { timeout: 15_000 });
    expect(closedWith).toBeUndefined();
    expect(quiet.socket.readyState).toBe(WebSocket.OPEN);
    quiet.socket.close();
  });

  it('keeps a quiet HocuspocusProvider on /collab connected too', async () => {
    const { roomId } = await createRoom(quick.baseUrl, { code: 'quiet' });
    const client = connectClient(quick.wsUrl, roomId);
    clients.push(client);
    const closes: number[] = [];
    client.socket.on('close', ({ event }: { event: { code: number } }) => closes.push(event.code));
    await client.synced;
    let pings = 0;
    (client.socket as unknown as { webSocket: WebSocket }).webSocket.on('ping', () => pings++);
    await vi.waitFor(() => expect(pings).toBeGreaterThanOrEqual(6), { timeout: 15_000 });
    expect(closes).toEqual([]);
  });

  it('closes a client that answers nothing with 4408 "idle timeout", not as a malformed message', async () => {
    const quiet = await openQuiet({ autoPong: false });
    expect(await quiet.closed).toEqual({ code: CloseCode.idleTimeout, reason: CloseReason.idleTimeout });
  });
});
