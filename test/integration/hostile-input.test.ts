import * as encoding from 'lib0/encoding';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { connectClient, type TestClient } from '../support/providers.ts';
import { createRoom, fetchRoomCode, restartTestServer, startTestServer, type TestServer } from '../support/server.ts';
import { updateOn } from '../support/yjs-updates.ts';

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

/** Rooms the attacks above went at, with the code they must still hold after a restart. */
const attackedRooms = new Map<string, string>();

/** The room still takes edits from others; the last test checks it loads after a restart. */
async function expectRoomHealthy(roomId: string, bystander: TestClient, expected: string) {
  bystander.text.insert(bystander.text.length, 'ok\n');
  await vi.waitFor(async () => expect(await fetchRoomCode(server.baseUrl, roomId)).toBe(`${expected}ok\n`));
  expect((await fetch(`${server.baseUrl}/livez`)).status).toBe(200);
  attackedRooms.set(roomId, `${expected}ok\n`);
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

  it('refuses growth that is not typed code: a huge title, an embed, a nested type (4400), never applying it', async () => {
    const { roomId, bystander } = await watchedRoom();
    const attacks: ((doc: Y.Doc) => void)[] = [
      (doc) => doc.getMap('meta').set('title', 't'.repeat(60_000)),
      (doc) => doc.getMap('meta').set('notes', 'n'),
      (doc) => doc.getText('code').insertEmbed(0, { payload: 'e'.repeat(40_000) }),
      (doc) => doc.getText('code').insertEmbed(0, new Uint8Array(40_000)),
      (doc) => {
        const nested = new Y.Map<string>();
        doc.getMap('meta').set('title', nested as never);
        nested.set('payload', 'm'.repeat(40_000));
      },
    ];
    for (const attack of attacks) {
      // Over /yjs, as raw frames based on what the room holds...
      const base = new Y.Doc();
      Y.applyUpdate(base, Y.encodeStateAsUpdate(bystander.doc));
      expect(await sendFrames(`/yjs/${roomId}`, [updateFrame(updateOn(base, attack))])).toEqual({ code: 4400, reason: 'malformed message' });
      // ...and over /collab, from a real provider.
      const writer = connectClient(server.wsUrl, roomId);
      clients.push(writer);
      await writer.synced;
      const closed = new Promise<number>((resolve) => writer.socket.on('close', ({ event }: any) => resolve(event.code)));
      attack(writer.doc);
      expect(await closed).toBe(4400);
      writer.destroy();
    }
    expect(bystander.doc.getMap('meta').toJSON()).toEqual({ language: 'python', title: '' });
    expect(bystander.text.toString()).toBe('intact\n');
    await expectRoomHealthy(roomId, bystander, 'intact\n');
  });

  it('refuses valid updates whose dependencies never arrive on /collab and /yjs (4400, once held 10 s outside the room)', async () => {
    const { roomId, bystander } = await watchedRoom();
    const ahead = new Y.Doc();
    Y.applyUpdate(ahead, Y.encodeStateAsUpdate(bystander.doc));
    updateOn(ahead, (doc) => doc.getText('code').insert(0, 'never sent '));
    const dangling = [
      updateOn(ahead, (doc) => doc.getText('code').insert(3, 'x'.repeat(5_000))), // its own earlier clock is missing
      (() => {
        const other = new Y.Doc();
        Y.applyUpdate(other, Y.encodeStateAsUpdate(ahead));
        return updateOn(other, (doc) => doc.getText('code').insert(2, 'y')); // its origin is missing
      })(),
      updateOn(ahead, (doc) => doc.getText('code').delete(0, 4)), // deletes what the room never had
    ];
    // Each is held for 10 s before it is refused: all at once.
    await Promise.all(dangling.map(async (update) => {
      expect(await sendFrames(`/yjs/${roomId}`, [updateFrame(update)])).toEqual({ code: 4400, reason: 'malformed message' });
      const joined = connectClient(server.wsUrl, roomId);
      clients.push(joined);
      await joined.synced;
      const closed = new Promise<number>((resolve) => joined.socket.on('close', ({ event }: any) => resolve(event.code)));
      const frame = encoding.createEncoder();
      encoding.writeVarString(frame, roomId);
      encoding.writeVarUint(frame, 0);
      encoding.writeVarUint(frame, 2);
      encoding.writeVarUint8Array(frame, update);
      (joined.socket as any).webSocket.send(encoding.toUint8Array(frame));
      expect(await closed).toBe(4400);
      joined.destroy();
    }));
    const document = server.pairpad.collab.hocuspocus.documents.get(roomId)!;
    expect(document.store.pendingStructs).toBeNull();
    expect(document.store.pendingDs).toBeNull();
    await expectRoomHealthy(roomId, bystander, 'intact\n');
  });

  it('refuses hostile room ids (SQL, path traversal, unicode, 10,000 characters) as not found, on every path', async () => {
    const { roomId, bystander } = await watchedRoom();
    const ids = [
      "x' OR '1'='1",
      "'; DROP TABLE rooms; --",
      '../../../../etc/passwd',
      '..%2F..%2Fdata%2Fpairpad.db',
      'ルーム😀\u0000\u202e',
      'r'.repeat(10_000),
    ];
    for (const id of ids) {
      const reasons: string[] = [];
      const client = connectClient(server.wsUrl, id, { onAuthenticationFailed: (reason) => reasons.push(reason) });
      clients.push(client);
      await vi.waitFor(() => expect(reasons).toEqual(['room not found']));
      // Refused before the upgrade (HTTP 404), so clients back off.
      await expect(sendFrames(`/yjs/${encodeURIComponent(id)}`, [])).rejects.toThrow('Unexpected server response: 404');
      expect((await fetch(`${server.baseUrl}/api/rooms/${encodeURIComponent(id)}`)).status).toBe(404);
      expect(server.pairpad.collab.hocuspocus.documents.has(id)).toBe(false);
    }
    await expectRoomHealthy(roomId, bystander, 'intact\n');
  });

  it('slows a connection that floods messages down instead of closing it', async () => {
    const { roomId, bystander } = await watchedRoom();
    const awareness = encoding.createEncoder();
    encoding.writeVarUint(awareness, 3); // query awareness: cheap, and answered by nobody
    const flood = Array.from({ length: 300 }, () => encoding.toUint8Array(awareness));
    const step1 = encoding.createEncoder();
    encoding.writeVarUint(step1, 0);
    encoding.writeVarUint(step1, 0);
    encoding.writeVarUint8Array(step1, new Uint8Array([0]));
    const socket = new WebSocket(`${server.wsUrl}/yjs/${roomId}`);
    let closedWith: number | undefined;
    socket.on('close', (code) => (closedWith = code));
    // Messages are handed on in order at MAX_MESSAGES_PER_SECOND: the answer to
    // the sync request sent last comes once the whole flood went through.
    const answered = new Promise((resolve) => socket.on('message', (data: Buffer) => data[0] === 0 && resolve(data)));
    await new Promise((resolve) => socket.once('open', resolve));
    for (const frame of [...flood, encoding.toUint8Array(step1)]) socket.send(frame);
    await answered;
    expect(closedWith).toBeUndefined();
    socket.close();
    await expectRoomHealthy(roomId, bystander, 'intact\n');
  });

  it('drops awareness spoofing another client or over 8 KiB, and applies the rest', async () => {
    const { roomId, bystander } = await watchedRoom();
    const alice = connectClient(server.wsUrl, roomId);
    clients.push(alice);
    await alice.synced;
    alice.provider.setAwarenessField('user', { name: 'Alice' });
    const nameOf = (clientId: number) => (bystander.provider.awareness!.getStates().get(clientId) as any)?.user?.name;
    await vi.waitFor(() => expect(nameOf(alice.doc.clientID)).toBe('Alice'));

    const awarenessFrame = (clientId: number, state: object) => {
      const doc = new Y.Doc();
      doc.clientID = clientId;
      const awareness = new Awareness(doc);
      awareness.setLocalState(state);
      awareness.meta.get(clientId)!.clock = 1_000; // newer than anything the real client sent
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 1);
      encoding.writeVarUint8Array(encoder, encodeAwarenessUpdate(awareness, [clientId]));
      awareness.destroy();
      return encoding.toUint8Array(encoder);
    };
    const socket = new WebSocket(`${server.wsUrl}/yjs/${roomId}`);
    await new Promise((resolve) => socket.on('open', resolve));
    socket.send(awarenessFrame(alice.doc.clientID, { user: { name: 'Mallory' } }));
    socket.send(awarenessFrame(424242, { user: { name: 'x'.repeat(9000) } }));
    socket.send(awarenessFrame(434343, { user: { name: 'Raw' } }));
    // Frames apply in order: once "Raw" arrives, the two before it were handled.
    await vi.waitFor(() => expect(nameOf(434343)).toBe('Raw'));
    expect(nameOf(alice.doc.clientID)).toBe('Alice');
    expect(nameOf(424242)).toBeUndefined();
    socket.close();
  });

  it('drops a client that stops reading instead of buffering for it without bound', async () => {
    const tight = await startTestServer({ env: { MAX_SOCKET_BUFFER_BYTES: '65536', MAX_DOCUMENT_BYTES: '50000000', MAX_MESSAGES_PER_SECOND: '0' } });
    try {
      const { roomId } = await createRoom(tight.baseUrl);
      const slow = new WebSocket(`${tight.wsUrl}/yjs/${roomId}`);
      await new Promise((resolve) => slow.on('open', resolve));
      (slow as any)._socket.pause(); // never reads again
      const writer = connectClient(tight.wsUrl, roomId);
      clients.push(writer);
      await writer.synced;
      await vi.waitFor(() => expect(tight.pairpad.websockets.socketCount('yjs')).toBe(1));
      const chunk = 'w'.repeat(1_000_000);
      for (let i = 0; i < 60 && tight.pairpad.websockets.socketCount('yjs') > 0; i++) {
        writer.text.insert(0, chunk);
        writer.text.delete(0, chunk.length);
        await vi.waitFor(() => expect(writer.provider.hasUnsyncedChanges).toBe(false));
      }
      expect(tight.pairpad.websockets.socketCount('yjs')).toBe(0);
      writer.text.insert(0, 'still served');
      await vi.waitFor(async () => expect(await fetchRoomCode(tight.baseUrl, roomId)).toBe('still served'));
      slow.terminate();
    } finally {
      await tight.close();
    }
  });

  it('closes /collab sockets that send random or truncated bytes with 4400, and the server carries on', async () => {
    const { roomId, bystander } = await watchedRoom();
    const truncated = encoding.createEncoder();
    encoding.writeVarString(truncated, roomId);
    encoding.writeVarUint(truncated, 0);
    encoding.writeVarUint(truncated, 2);
    encoding.writeVarUint(truncated, 900); // claims 900 bytes of update, sends none
    const frames = [new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), new Uint8Array(2048).map((_, i) => (i * 131 + 7) % 256)];
    for (const frame of frames) {
      expect(await sendFrames('/collab', [frame])).toEqual({ code: 4400, reason: 'malformed message' });
    }
    // A truncated sync frame for a room the socket joined properly.
    const joined = connectClient(server.wsUrl, roomId);
    clients.push(joined);
    await joined.synced;
    const closed = new Promise<number>((resolve) => joined.socket.on('close', ({ event }: any) => resolve(event.code)));
    (joined.socket as any).webSocket.send(encoding.toUint8Array(truncated));
    expect(await closed).toBe(4400);
    await expectRoomHealthy(roomId, bystander, 'intact\n');
  });

  it('stays up through 5,000 connection attempts in a burst, and the people already in keep editing', async () => {
    const guarded = await startTestServer({ env: { RATE_LIMIT_CONNECTIONS: '300' } });
    const { roomId } = await createRoom(guarded.baseUrl, { code: 'intact\n' });
    const bystander = connectClient(guarded.wsUrl, roomId);
    clients.push(bystander);
    await bystander.synced;
    let settled = 0;
    let refused = 0;
    await Promise.all(
      Array.from({ length: 5_000 }, (_, i) =>
        new Promise<void>((resolve) => {
          const socket = new WebSocket(i % 2 ? `${guarded.wsUrl}/collab` : `${guarded.wsUrl}/yjs/${roomId}`);
          let finished = false;
          const done = () => {
            if (finished) return;
            finished = true;
            settled++;
            resolve();
          };
          socket.on('open', () => socket.terminate());
          socket.on('unexpected-response', (_request, response) => {
            if (response.statusCode === 429) refused++;
            socket.terminate();
          });
          socket.on('close', done);
          socket.on('error', done);
        }),
      ),
    );
    expect(settled).toBe(5_000);
    // The per-IP connection rate (300 a minute) turned most of the burst away.
    expect(refused).toBeGreaterThanOrEqual(4_600);
    bystander.text.insert(bystander.text.length, 'ok\n');
    await vi.waitFor(async () => expect(await fetchRoomCode(guarded.baseUrl, roomId)).toBe('intact\nok\n'));
    await guarded.close();
  });

  it('answers a deeply nested JSON body with a clear 400', async () => {
    const depth = 200_000;
    const response = await fetch(`${server.baseUrl}/api/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '['.repeat(depth) + ']'.repeat(depth),
    });
    expect(response.status).toBe(400);
    expect(['invalid_json', 'invalid_request']).toContain(((await response.json()) as any).error.code);
    expect((await fetch(`${server.baseUrl}/livez`)).status).toBe(200);
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
  it('leaves every attacked room loadable after a restart, with its code', async () => {
    expect(attackedRooms.size).toBeGreaterThanOrEqual(7);
    clients.splice(0).forEach((client) => client.destroy());
    await server.stop();
    server = await restartTestServer(server);
    for (const [roomId, code] of attackedRooms) expect(await fetchRoomCode(server.baseUrl, roomId)).toBe(code);
  });
});
