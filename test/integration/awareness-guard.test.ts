import { randomBytes } from 'node:crypto';
import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { MAX_AWARENESS_STATES_PER_ROOM, MAX_CLIENTS_PER_CONNECTION } from '../../server/collab/awareness-guard.ts';
import { CODE_TEXT } from '../../shared/protocol.ts';
import { createPostgresDatabase, testDatabaseUrl, testRedisUrl } from '../support/databases.ts';
import { connectClient, type TestClient } from '../support/providers.ts';
import { createRoom, startTestServer, type TestServer } from '../support/server.ts';

/** Awareness is bounded (per connection within a frame, per room) and owned (per instance, with Redis). */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A y-websocket awareness frame setting `states` (client id to state), each at `clock`. */
function awarenessFrame(states: [number, object | null][], clock = 1_000): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, states.length);
  for (const [clientId, state] of states) {
    encoding.writeVarUint(update, clientId);
    encoding.writeVarUint(update, clock);
    encoding.writeVarString(update, JSON.stringify(state));
  }
  const frame = encoding.createEncoder();
  encoding.writeVarUint(frame, 1);
  encoding.writeVarUint8Array(frame, encoding.toUint8Array(update));
  return encoding.toUint8Array(frame);
}

async function openRaw(wsUrl: string, roomId: string): Promise<WebSocket> {
  const socket = new WebSocket(`${wsUrl}/yjs/${roomId}`);
  cleanups.push(() => socket.terminate());
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return socket;
}

function track(client: TestClient): TestClient {
  cleanups.push(() => client.destroy());
  return client;
}

const nameOf = (client: TestClient, clientId: number) => (client.provider.awareness!.getStates().get(clientId) as { user?: { name?: string } } | undefined)?.user?.name;

describe('awareness bounds', () => {
  let server: TestServer;
  afterEach(() => server?.close());

  it('counts the client ids of one frame: a frame with 12,000 new ids sets only 4', async () => {
    server = await startTestServer();
    const { roomId } = await createRoom(server.baseUrl);
    const watcher = track(connectClient(server.wsUrl, roomId));
    await watcher.synced;
    const raw = await openRaw(server.wsUrl, roomId);
    raw.send(awarenessFrame(Array.from({ length: 12_000 }, (_, i) => [1_000_000 + i, { user: { name: `fake ${i}` } }])));
    // A marker from another socket, after it: once it arrived, the flood was handled.
    const marker = await openRaw(server.wsUrl, roomId);
    marker.send(awarenessFrame([[77, { user: { name: 'marker' } }]]));
    await vi.waitFor(() => expect(nameOf(watcher, 77)).toBe('marker'));
    const fakes = [...watcher.provider.awareness!.getStates().keys()].filter((id) => id >= 1_000_000 && id < 1_012_000);
    expect(fakes).toHaveLength(MAX_CLIENTS_PER_CONNECTION);
    // The 4 and the marker (the watcher set no state).
    expect(server.pairpad.collab.hocuspocus.documents.get(roomId)!.awareness.states.size).toBe(MAX_CLIENTS_PER_CONNECTION + 1);
  });

  it('bounds the awareness states of a room, however many connections bring them', async () => {
    server = await startTestServer();
    const { roomId } = await createRoom(server.baseUrl);
    const watcher = track(connectClient(server.wsUrl, roomId));
    await watcher.synced;
    const document = server.pairpad.collab.hocuspocus.documents.get(roomId)!;
    const sockets = Math.ceil(MAX_AWARENESS_STATES_PER_ROOM / MAX_CLIENTS_PER_CONNECTION) + 10;
    for (let s = 0; s < sockets; s++) {
      const raw = await openRaw(server.wsUrl, roomId);
      const ids = Array.from({ length: MAX_CLIENTS_PER_CONNECTION }, (_, i) => 10_000 + s * 10 + i);
      raw.send(awarenessFrame(ids.map((id) => [id, { user: { name: 'crowd' } }])));
      // Each frame handled in turn: its ids arrive, or the room is full.
      await vi.waitFor(() => expect(document.awareness.states.has(ids[0]) || document.awareness.states.size >= MAX_AWARENESS_STATES_PER_ROOM).toBe(true));
    }
    expect(document.awareness.states.size).toBe(MAX_AWARENESS_STATES_PER_ROOM);
    // What every client holds: the room's states and its own.
    await vi.waitFor(() => expect(watcher.provider.awareness!.getStates().size).toBe(MAX_AWARENESS_STATES_PER_ROOM + 1));
  });
});

// Needs both services; CI always sets TEST_DATABASE_URL and TEST_REDIS_URL.
describe('awareness and held updates', () => {
  let server: TestServer;
  afterEach(() => server?.close());

  it('adds no awareness state for a held update of a client that sent no awareness, and then accepts its real state', async () => {
    server = await startTestServer();
    const { roomId } = await createRoom(server.baseUrl, { code: '' });
    const watcher = track(connectClient(server.wsUrl, roomId));
    await watcher.synced;
    const document = server.pairpad.collab.hocuspocus.documents.get(roomId)!;
    const before = [...document.awareness.states.keys()];
    // One character per update; all but the first wait for it, so the server holds them.
    const typist = new Y.Doc();
    const updates: Uint8Array[] = [];
    typist.on('update', (update: Uint8Array) => updates.push(update));
    for (const char of 'abcdef') typist.getText(CODE_TEXT).insert(typist.getText(CODE_TEXT).length, char);
    const raw = await openRaw(server.wsUrl, roomId);
    const syncUpdate = (update: Uint8Array) => {
      const frame = encoding.createEncoder();
      encoding.writeVarUint(frame, 0); // sync
      encoding.writeVarUint(frame, 2); // update
      encoding.writeVarUint8Array(frame, update);
      return encoding.toUint8Array(frame);
    };
    for (const update of updates.slice(1)) raw.send(syncUpdate(update));
    raw.send(awarenessFrame([[typist.clientID, { user: { name: 'typist' } }]]));
    await vi.waitFor(() => expect(nameOf(watcher, typist.clientID)).toBe('typist'));
    expect([...document.awareness.states.keys()].sort()).toEqual([...before, typist.clientID].sort());
    // And the held updates are applied once their dependency comes.
    raw.send(syncUpdate(updates[0]));
    await vi.waitFor(() => expect(document.getText(CODE_TEXT).toString()).toBe('abcdef'));
    expect([...document.awareness.states.keys()].sort()).toEqual([...before, typist.clientID].sort());
  });
});

describe.runIf(testDatabaseUrl && testRedisUrl)('awareness ownership across instances', () => {
  it('refuses, on every instance, a state set for a client id whose connection is on another instance', async () => {
    const database = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    const env = { DATABASE_URL: database.url, REDIS_URL: testRedisUrl!, REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}` };
    const a = await startTestServer({ databaseUrl: database.url, env });
    cleanups.push(() => a.stop());
    const b = await startTestServer({ databaseUrl: database.url, env });
    cleanups.push(() => b.stop());
    const { roomId } = await createRoom(a.baseUrl);
    const bob = track(connectClient(b.wsUrl, roomId));
    const watcher = track(connectClient(a.wsUrl, roomId));
    await Promise.all([bob.synced, watcher.synced]);
    bob.provider.setAwarenessField('user', { name: 'Bob' });
    const bobId = bob.doc.clientID;
    await vi.waitFor(() => expect(nameOf(watcher, bobId)).toBe('Bob'));

    const raw = await openRaw(a.wsUrl, roomId);
    raw.send(awarenessFrame([[bobId, { user: { name: 'Mallory' } }]]));
    raw.send(awarenessFrame([[bobId, null]], 2_000));
    raw.send(awarenessFrame([[434343, { user: { name: 'Raw' } }]]));
    // Frames apply and relay in order: once "Raw" arrived everywhere, the spoofs were handled.
    await vi.waitFor(() => expect(nameOf(watcher, 434343)).toBe('Raw'));
    await vi.waitFor(() => expect(nameOf(bob, 434343)).toBe('Raw'));
    expect(nameOf(watcher, bobId)).toBe('Bob');
    expect(nameOf(bob, bobId)).toBe('Bob');
    // Bob's own updates still reach the other instance.
    bob.provider.setAwarenessField('user', { name: 'Bob 2' });
    await vi.waitFor(() => expect(nameOf(watcher, bobId)).toBe('Bob 2'));
  });
});
