import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as encoding from 'lib0/encoding';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { spawnServer } from '../support/child-server.ts';
import { connectClient, connectYjsClient, createRandom, makeRandomEdit, type TestClient, type YjsTestClient } from '../support/providers.ts';
import { createRoom, fetchRoomCode, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const clients: (TestClient | YjsTestClient)[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.destroy()));

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
  it('closes 4404 "room not found" for unknown and malformed room ids, creating nothing', async () => {
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'bad', '%E0%A4%A', "x'%20OR%201=1", 'a'.repeat(5000)]) {
      expect(await sendRaw(`/yjs/${id}`, [])).toEqual({ code: 4404, reason: 'room not found' });
    }
    expect(server.pairpad.collab.hocuspocus.getDocumentsCount()).toBe(0);
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
