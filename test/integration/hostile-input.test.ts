import * as encoding from 'lib0/encoding';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { connectClient, type TestClient } from '../support/providers.ts';
import { createRoom, fetchRoomCode, restartTestServer, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { MAX_DOCUMENT_BYTES: '100000', MAX_MESSAGES_PER_SECOND: '50' } });
});
afterAll(() => server.close());
const clients: TestClient[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.destroy()));

/** A y-websocket sync-update frame carrying `update`. */
function updateFrame(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, 2);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

function updateOf(change: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc();
  let update!: Uint8Array;
  doc.on('update', (value: Uint8Array) => (update = value));
  change(doc);
  return update;
}

function sendFrames(path: string, frames: Uint8Array[]): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${server.wsUrl}${path}`);
    socket.on('open', () => frames.forEach((frame) => socket.send(frame)));
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    socket.on('error', reject);
  });
}

async function watchedRoom(code = 'intact\n') {
  const { roomId } = await createRoom(server.baseUrl, { code });
  const bystander = connectClient(server.wsUrl, roomId);
  clients.push(bystander);
  await bystander.synced;
  return { roomId, bystander };
}

/** The room still takes edits from others, and still loads after a restart. */
async function expectRoomHealthy(roomId: string, bystander: TestClient, expected: string) {
  bystander.text.insert(bystander.text.length, 'ok\n');
  await vi.waitFor(async () => expect(await fetchRoomCode(server.baseUrl, roomId)).toBe(`${expected}ok\n`));
  expect((await fetch(`${server.baseUrl}/livez`)).status).toBe(200);
}

describe('hostile input on the sockets', () => {
  it('refuses an update that would grow the code past MAX_DOCUMENT_BYTES with 4413; others carry on', async () => {
    const { roomId, bystander } = await watchedRoom();
    const big = updateOf((doc) => doc.getText('code').insert(0, 'x'.repeat(100_001)));
    expect(await sendFrames(`/yjs/${roomId}`, [updateFrame(big)])).toEqual({ code: 4413, reason: 'document too large' });

    const closes: string[] = [];
    const writer = connectClient(server.wsUrl, roomId);
    clients.push(writer);
    writer.provider.on('close', ({ event }: { event: { reason: string } }) => closes.push(event.reason));
    await writer.synced;
    writer.text.insert(0, 'y'.repeat(100_001));
    await vi.waitFor(() => expect(closes.length).toBeGreaterThan(0));
    await expectRoomHealthy(roomId, bystander, 'intact\n');
  });

  it('refuses writes outside the document layout and corrupt updates with 4400', async () => {
    const { roomId, bystander } = await watchedRoom();
    const foreignRoot = updateOf((doc) => doc.getMap('junk').set('x', 'y'.repeat(1000)));
    const corrupt = new Uint8Array([1, 1, 200, 7, 0, 4, 1, 4, 99, 111, 100, 101, 255, 3]);
    for (const frame of [updateFrame(foreignRoot), updateFrame(corrupt)]) {
      expect(await sendFrames(`/yjs/${roomId}`, [frame])).toEqual({ code: 4400, reason: 'malformed message' });
    }
    await expectRoomHealthy(roomId, bystander, 'intact\n');
  });

  it('closes a connection that floods messages with 4429', async () => {
    const { roomId, bystander } = await watchedRoom();
    const awareness = encoding.createEncoder();
    encoding.writeVarUint(awareness, 3); // query awareness: cheap, and answered by nobody
    const flood = Array.from({ length: 500 }, () => encoding.toUint8Array(awareness));
    expect(await sendFrames(`/yjs/${roomId}`, flood)).toEqual({ code: 4429, reason: 'too many messages' });
    await expectRoomHealthy(roomId, bystander, 'intact\n');
  });

  it('survives a million-character line typed by a legitimate client within the limits', async () => {
    const roomy = await startTestServer();
    try {
      const { roomId } = await createRoom(roomy.baseUrl);
      const writer = connectClient(roomy.wsUrl, roomId);
      clients.push(writer);
      await writer.synced;
      writer.text.insert(0, 'z'.repeat(1_000_000));
      await vi.waitFor(async () => expect((await fetchRoomCode(roomy.baseUrl, roomId)).length).toBe(1_000_000), { timeout: 20_000 });
      writer.destroy();
      clients.pop();
      await roomy.stop();
      const again = await restartTestServer(roomy);
      try {
        expect((await fetchRoomCode(again.baseUrl, roomId)).length).toBe(1_000_000);
      } finally {
        await again.close();
      }
    } finally {
      await roomy.close().catch(() => {});
    }
  });
});
