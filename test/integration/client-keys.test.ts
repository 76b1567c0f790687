import { randomBytes } from 'node:crypto';
import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { CLIENT_KEY_PARAM } from '../../shared/protocol.ts';
import { encodeRawUpdate } from '../support/crafted-updates.ts';
import { createPostgresDatabase, dialects, testDatabaseUrl, testRedisUrl } from '../support/databases.ts';
import { connectClient, type TestClient } from '../support/providers.ts';
import { createRoom, fetchRoomCode, restartTestServer, startTestServer, type TestServer } from '../support/server.ts';
import { connectStockClient } from '../support/stock-clients.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import { updateOn } from '../support/yjs-updates.ts';

/**
 * Client keys (see "Client keys" in shared/protocol.ts): a client id bound to
 * a key is written under by that key alone, live or offline; a client with
 * its key takes its id over from its own lingering old socket, on the same
 * instance or another.
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const newKey = () => randomBytes(16).toString('base64url');

/** Connects a provider (with `clientKey`, if given) and records every close code its socket gets. */
function connect(wsUrl: string, roomId: string, options: { document?: Y.Doc; clientKey?: string } = {}): TestClient & { closes: number[] } {
  const client = connectClient(wsUrl, roomId, options);
  // The document may outlive this provider (a reconnect with the same document).
  cleanups.push(() => {
    client.provider.destroy();
    client.socket.destroy();
  });
  const closes: number[] = [];
  client.socket.on('close', ({ event }: { event: { code: number } }) => closes.push(event.code));
  return Object.assign(client, { closes });
}

/** Stops a provider as a closed laptop would, keeping its document (and offline typing) for a later reconnect. */
function goOffline(client: TestClient): Y.Doc {
  client.provider.destroy();
  client.socket.destroy();
  return client.doc;
}

/** Types `text` at the end, one transaction per character, and waits for the acknowledgement (stored). */
async function type(client: TestClient, text: string): Promise<void> {
  for (const char of text) client.text.insert(client.text.length, char);
  await vi.waitFor(() => expect(client.provider.hasUnsyncedChanges).toBe(false), { timeout: 10_000 });
}

/** A y-websocket sync-update frame carrying `update`. */
function updateFrame(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, 2);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** A raw `/yjs` socket (with a client key, if given): sends frames as given, records how it was closed. */
async function openRaw(wsUrl: string, roomId: string, clientKey?: string) {
  const query = clientKey === undefined ? '' : `?${CLIENT_KEY_PARAM}=${clientKey}`;
  const socket = new WebSocket(`${wsUrl}/yjs/${roomId}${query}`);
  cleanups.push(() => socket.terminate());
  let closed: { code: number; reason: string } | undefined;
  socket.on('close', (code, reason) => (closed = { code, reason: reason.toString() }));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return { send: (frame: Uint8Array) => socket.send(frame), closed: () => closed };
}

/** Two ways an attacker writes under `victim`'s client id right after what the room holds of it: a huge GC, and items. */
function attacksOn(server: TestServer, roomId: string, victim: number): Uint8Array[] {
  const room = server.pairpad.collab.hocuspocus.documents.get(roomId)!;
  const clock = Y.getState(room.store, victim);
  const impostor = new Y.Doc();
  Y.applyUpdate(impostor, Y.encodeStateAsUpdate(room));
  impostor.clientID = victim;
  return [
    encodeRawUpdate([{ client: victim, clock, structs: [{ kind: 'gc', length: 1_000_000 }] }]),
    updateOn(impostor, (doc) => doc.getText('code').insert(0, 'X'.repeat(50))),
  ];
}

/** Sends each attack from a fresh raw socket (without a key, then with another key) and expects each refused with 4400. */
async function expectAttacksRefused(server: TestServer, roomId: string, attacks: Uint8Array[]): Promise<void> {
  for (const attack of attacks) {
    for (const key of [undefined, newKey()]) {
      const attacker = await openRaw(server.wsUrl, roomId, key);
      attacker.send(updateFrame(attack));
      await expect.poll(attacker.closed, { timeout: 10_000 }).toEqual({ code: 4400, reason: 'malformed message' });
    }
  }
}

describe.each(dialects)('a keyed client on %s', (dialect) => {
  it('keeps its offline typing: nobody else can write under its client id while it is away (live and after a restart)', async () => {
    const server = await startTestServer({ dialect });
    let current = server;
    cleanups.push(() => current.close());
    const { roomId } = await createRoom(server.baseUrl, { code: '' });
    const key = newKey();
    const victim = connect(server.wsUrl, roomId, { clientKey: key });
    // Someone stays, so the room stays loaded while the victim is away.
    const watcher = connect(server.wsUrl, roomId);
    await Promise.all([victim.synced, watcher.synced]);
    await type(victim, 'abc');
    const victimId = victim.doc.clientID;
    await vi.waitFor(() => expect(watcher.text.toString()).toBe('abc'));
    const room = server.pairpad.collab.hocuspocus.documents.get(roomId)!;
    const atLeave = Y.encodeStateVector(room);

    const doc = goOffline(victim);
    await vi.waitFor(() => expect(room.connections.size).toBe(1));
    doc.getText('code').insert(3, 'def'); // offline typing
    // Its id is public (awareness); its clock is what the room holds.
    await expectAttacksRefused(server, roomId, attacksOn(server, roomId, victimId));
    expect(Y.encodeStateVector(room)).toEqual(atLeave);
    expect(watcher.text.toString()).toBe('abc');

    const back = connect(server.wsUrl, roomId, { document: doc, clientKey: key });
    await back.synced;
    await type(back, 'ghi');
    await vi.waitFor(() => expect(watcher.text.toString()).toBe('abcdefghi'));
    await vi.waitFor(async () => expect(await fetchRoomCode(server.baseUrl, roomId)).toBe('abcdefghi'));
    expect(room.store.pendingStructs).toBeNull();
    expect(room.store.pendingDs).toBeNull();
    expect([...back.closes, ...watcher.closes]).toEqual([]);

    // The binding is durable: after a restart the id is still the victim's alone.
    goOffline(back);
    watcher.destroy();
    await server.stop();
    current = await restartTestServer(server);
    expect(await fetchRoomCode(current.baseUrl, roomId)).toBe('abcdefghi');
    const keeper = connect(current.wsUrl, roomId);
    await keeper.synced;
    // A client can be synced from the stored state before the room has loaded.
    await vi.waitFor(() => expect(current.pairpad.collab.hocuspocus.documents.get(roomId)).toBeDefined());
    await expectAttacksRefused(current, roomId, attacksOn(current, roomId, victimId));
    doc.getText('code').insert(9, 'jkl');
    const afterRestart = connect(current.wsUrl, roomId, { document: doc, clientKey: key });
    await afterRestart.synced;
    await type(afterRestart, '!');
    await vi.waitFor(() => expect(keeper.text.toString()).toBe('abcdefghijkl!'));
    expect(afterRestart.closes).toEqual([]);
  }, 60_000);

  it('is protected from its first cursor on: offline typing done before it ever wrote online survives', async () => {
    const server = await startTestServer({ dialect });
    cleanups.push(() => server.close());
    const { roomId } = await createRoom(server.baseUrl, { code: 'start' });
    const key = newKey();
    const victim = connect(server.wsUrl, roomId, { clientKey: key });
    const watcher = connect(server.wsUrl, roomId);
    await Promise.all([victim.synced, watcher.synced]);
    victim.provider.setAwarenessField('user', { name: 'Quiet' });
    const id = victim.doc.clientID;
    // Its awareness id is bound as soon as the guard accepted its state (in the background).
    await vi.waitFor(async () => expect((await server.pairpad.store.findClientKeys(roomId, [id])).size).toBe(1));
    const room = server.pairpad.collab.hocuspocus.documents.get(roomId)!;
    const doc = goOffline(victim);
    await vi.waitFor(() => expect(room.connections.size).toBe(1));
    doc.getText('code').insert(5, ' offline');
    await expectAttacksRefused(server, roomId, attacksOn(server, roomId, id));
    expect(Y.getState(room.store, id)).toBe(0);
    const back = connect(server.wsUrl, roomId, { document: doc, clientKey: key });
    await back.synced;
    await type(back, '!');
    await vi.waitFor(() => expect(watcher.text.toString()).toBe('start offline!'));
    expect(back.closes).toEqual([]);
  });

  it('reconnects with the same document and keeps writing, never refused, while its old socket still lingers on the server', async () => {
    const server = await startTestServer({ dialect });
    cleanups.push(() => server.close());
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(server.baseUrl).port) });
    cleanups.push(() => proxy.close());
    const { roomId } = await createRoom(server.baseUrl, { code: '' });
    const key = newKey();
    const first = connect(`ws://127.0.0.1:${proxy.port}`, roomId, { clientKey: key });
    const watcher = connect(server.wsUrl, roomId);
    await Promise.all([first.synced, watcher.synced]);
    first.provider.setAwarenessField('user', { name: 'Ada' });
    await type(first, 'one ');
    const id = first.doc.clientID;
    const room = server.pairpad.collab.hocuspocus.documents.get(roomId)!;

    // The network goes away under the old socket: the server still sees it open (until its idle timeout).
    proxy.freeze();
    const doc = goOffline(first);
    doc.getText('code').insert(doc.getText('code').length, 'offline ');
    const again = connect(server.wsUrl, roomId, { document: doc, clientKey: key });
    await again.synced;
    again.provider.setAwarenessField('user', { name: 'Ada' });
    await type(again, 'two');
    expect(room.connections.size).toBe(3); // the lingering socket is still there
    await vi.waitFor(() => expect(watcher.text.toString()).toBe('one offline two'));
    await vi.waitFor(async () => expect(await fetchRoomCode(server.baseUrl, roomId)).toBe('one offline two'));
    expect(again.closes).toEqual([]);
    expect(again.doc.clientID).toBe(id);
    // Its cursor is its own again, and stays when the old socket finally goes.
    await vi.waitFor(() => expect((watcher.provider.awareness!.getStates().get(id) as { user?: { name?: string } })?.user?.name).toBe('Ada'));
    await proxy.close();
    await vi.waitFor(() => expect(room.connections.size).toBe(2));
    again.provider.setAwarenessField('user', { name: 'Ada Lovelace' });
    await vi.waitFor(() => expect((watcher.provider.awareness!.getStates().get(id) as { user?: { name?: string } })?.user?.name).toBe('Ada Lovelace'));
    await type(again, '!');
    await vi.waitFor(() => expect(watcher.text.toString()).toBe('one offline two!'));
    expect(again.closes).toEqual([]);
  }, 60_000);
});

describe('a client without a key', () => {
  it('cannot have its id taken by a keyed connection while it is live, and keeps typing after a reconnect', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.close());
    const { roomId } = await createRoom(server.baseUrl, { code: '' });
    const plain = connect(server.wsUrl, roomId);
    const watcher = connect(server.wsUrl, roomId);
    await Promise.all([plain.synced, watcher.synced]);
    await type(plain, 'abc');
    const id = plain.doc.clientID;
    // A keyed attacker must not bind a live client's id to its own key (it would then take it over).
    await expectAttacksRefused(server, roomId, attacksOn(server, roomId, id));
    expect(await server.pairpad.store.findClientKeys(roomId, [id])).toEqual(new Map());
    await type(plain, 'def');
    const doc = goOffline(plain);
    const back = connect(server.wsUrl, roomId, { document: doc });
    await back.synced;
    await type(back, 'ghi');
    await vi.waitFor(() => expect(watcher.text.toString()).toBe('abcdefghi'));
    expect([...plain.closes, ...back.closes]).toEqual([]);
  });
});

describe('client keys at the socket edge', () => {
  it('refuses a malformed key over HTTP (400) on /collab and /yjs, before anything opens', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.close());
    const { roomId } = await createRoom(server.baseUrl, { code: '' });
    for (const path of ['/collab', `/yjs/${roomId}`]) {
      for (const key of ['short', 'x'.repeat(129), 'not+base64url/chars=====', '']) {
        const socket = new WebSocket(`${server.wsUrl}${path}?${CLIENT_KEY_PARAM}=${encodeURIComponent(key)}`);
        const status = await new Promise<number>((resolve) => {
          socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
          socket.once('open', () => resolve(101));
          socket.once('error', () => {});
        });
        socket.terminate();
        expect({ path, key, status }).toEqual({ path, key, status: 400 });
      }
    }
  });

  it.each(['y-websocket 3.x', '@hocuspocus/provider 3.x', '@hocuspocus/provider 4.x'] as const)(
    'serves a stock %s passing a key the way an embedder would, and binds its client id to it',
    async (kind) => {
      const server = await startTestServer();
      cleanups.push(() => server.close());
      const { roomId } = await createRoom(server.baseUrl, { code: '' });
      const watcher = connect(server.wsUrl, roomId);
      const client = connectStockClient(kind, server.wsUrl, roomId, { clientKey: newKey() });
      cleanups.push(() => client.destroy());
      await Promise.all([client.synced, watcher.synced]);
      for (const char of 'hello') client.text.insert(client.text.length, char);
      await vi.waitFor(() => expect(watcher.text.toString()).toBe('hello'));
      const id = client.doc.clientID;
      client.destroy();
      const room = server.pairpad.collab.hocuspocus.documents.get(roomId)!;
      await vi.waitFor(() => expect(room.connections.size).toBe(1));
      // Gone, its id is still bound: nobody else writes under it.
      await expectAttacksRefused(server, roomId, attacksOn(server, roomId, id));
      expect(watcher.text.toString()).toBe('hello');
      expect(client.closes.map((close) => close.code)).not.toContain(4400);
    },
    30_000,
  );
});

// Needs both services; CI always sets TEST_DATABASE_URL and TEST_REDIS_URL.
describe.runIf(testDatabaseUrl && testRedisUrl)('a keyed client across instances', () => {
  async function sharedEnv() {
    const database = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    return { DATABASE_URL: database.url, REDIS_URL: testRedisUrl!, REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}` };
  }

  async function startInstance(env: Record<string, string>): Promise<TestServer> {
    const server = await startTestServer({ databaseUrl: env.DATABASE_URL, env });
    cleanups.push(() => server.stop());
    return server;
  }

  it('moves from instance A to B while its old socket on A lingers, and is never refused', async () => {
    const env = await sharedEnv();
    const a = await startInstance(env);
    const b = await startInstance(env);
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(a.baseUrl).port) });
    cleanups.push(() => proxy.close());
    const { roomId } = await createRoom(a.baseUrl, { code: '' });
    const key = newKey();
    const alice = connect(`ws://127.0.0.1:${proxy.port}`, roomId, { clientKey: key });
    const onA = connect(a.wsUrl, roomId);
    const onB = connect(b.wsUrl, roomId);
    await Promise.all([alice.synced, onA.synced, onB.synced]);
    alice.provider.setAwarenessField('user', { name: 'Alice' });
    await type(alice, 'one ');
    const aliceId = alice.doc.clientID;
    // B knows her connection is on A (her cursor came through Redis).
    await vi.waitFor(() => expect((onB.provider.awareness!.getStates().get(aliceId) as { user?: { name?: string } })?.user?.name).toBe('Alice'));

    proxy.freeze(); // A still sees her socket open
    const doc = goOffline(alice);
    doc.getText('code').insert(doc.getText('code').length, 'offline ');
    const moved = connect(b.wsUrl, roomId, { document: doc, clientKey: key });
    await moved.synced;
    moved.provider.setAwarenessField('user', { name: 'Alice' });
    await type(moved, 'two');
    expect(moved.doc.clientID).toBe(aliceId);
    await vi.waitFor(() => expect(onA.text.toString()).toBe('one offline two'));
    await vi.waitFor(() => expect(onB.text.toString()).toBe('one offline two'));
    await vi.waitFor(async () => expect(await fetchRoomCode(a.baseUrl, roomId)).toBe('one offline two'));
    expect(a.pairpad.collab.hocuspocus.documents.get(roomId)!.connections.size).toBe(2); // the lingering socket, and onA
    expect(moved.closes).toEqual([]);

    // Someone else, on either instance, still cannot write under her id.
    for (const server of [a, b]) await expectAttacksRefused(server, roomId, attacksOn(server, roomId, aliceId));
    await type(moved, '!');
    await vi.waitFor(() => expect(onA.text.toString()).toBe('one offline two!'));
    expect(moved.closes).toEqual([]);
  }, 60_000);
});
