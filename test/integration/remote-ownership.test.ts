import { randomBytes } from 'node:crypto';
import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { spawnServer, type ChildServer } from '../support/child-server.ts';
import { encodeRawUpdate } from '../support/crafted-updates.ts';
import { createPostgresDatabase, testDatabaseUrl, testRedisUrl } from '../support/databases.ts';
import { connectClient, type TestClient } from '../support/providers.ts';
import { createRoom, fetchRoomCode, startTestServer, type TestServer } from '../support/server.ts';
import { updateOn } from '../support/yjs-updates.ts';

/**
 * With Redis, nobody writes under a client id whose live connection is on
 * another instance; a client that moves, or fails over from an instance
 * that died, keeps its id.
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

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

async function spawnInstance(env: Record<string, string>): Promise<ChildServer> {
  const child = await spawnServer(env);
  cleanups.push(() => {
    child.kill('SIGKILL');
    return child.exited;
  });
  return child;
}

/** Connects a stock provider and records every close code its socket gets. */
function connect(wsUrl: string, roomId: string, document?: Y.Doc): TestClient & { closes: number[] } {
  const client = connectClient(wsUrl, roomId, { document });
  cleanups.push(() => client.destroy());
  const closes: number[] = [];
  client.socket.on('close', ({ event }: { event: { code: number } }) => closes.push(event.code));
  return Object.assign(client, { closes });
}

/** A y-websocket sync-update frame carrying `update`. */
function updateFrame(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, 2);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** A raw `/yjs` socket: sends frames as given, records how it was closed. */
async function openRaw(wsUrl: string, roomId: string) {
  const socket = new WebSocket(`${wsUrl}/yjs/${roomId}`);
  cleanups.push(() => socket.terminate());
  let closed: { code: number; reason: string } | undefined;
  socket.on('close', (code, reason) => (closed = { code, reason: reason.toString() }));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return { send: (frame: Uint8Array) => socket.send(frame), closed: () => closed };
}

/** Types `text` at the end, one transaction per character, and waits for the acknowledgement (stored). */
async function type(client: TestClient, text: string): Promise<void> {
  for (const char of text) client.text.insert(client.text.length, char);
  await vi.waitFor(() => expect(client.provider.hasUnsyncedChanges).toBe(false), { timeout: 10_000 });
}

const nameOf = (client: TestClient, clientId: number) => (client.provider.awareness!.getStates().get(clientId) as { user?: { name?: string } } | undefined)?.user?.name;

// Needs both services; CI always sets TEST_DATABASE_URL and TEST_REDIS_URL.
describe.runIf(testDatabaseUrl && testRedisUrl)('client-id ownership across instances', () => {
  it('refuses (4400) an item or a GC written on one instance under the client id of a live connection on another; that client types on', async () => {
    const env = await sharedEnv();
    const a = await startInstance(env);
    const b = await startInstance(env);
    const { roomId } = await createRoom(a.baseUrl, { code: '' });
    const bob = connect(b.wsUrl, roomId);
    const watcher = connect(a.wsUrl, roomId);
    await Promise.all([bob.synced, watcher.synced]);
    bob.provider.setAwarenessField('user', { name: 'Bob' });
    await type(bob, 'abc');
    const bobId = bob.doc.clientID;
    // Instance A holds Bob's typing and knows his connection (his cursor came through Redis).
    await vi.waitFor(() => expect(watcher.text.toString()).toBe('abc'));
    await vi.waitFor(() => expect(nameOf(watcher, bobId)).toBe('Bob'));

    const impostor = new Y.Doc();
    Y.applyUpdate(impostor, Y.encodeStateAsUpdate(bob.doc));
    impostor.clientID = bobId;
    const itemWriter = await openRaw(a.wsUrl, roomId);
    itemWriter.send(updateFrame(updateOn(impostor, (doc) => doc.getText('code').insert(0, 'X'.repeat(50)))));
    await expect.poll(itemWriter.closed, { timeout: 10_000 }).toEqual({ code: 4400, reason: 'malformed message' });
    const gcWriter = await openRaw(a.wsUrl, roomId);
    gcWriter.send(updateFrame(encodeRawUpdate([{ client: bobId, clock: Y.getState(bob.doc.store, bobId), structs: [{ kind: 'gc', length: 1_000_000 }] }])));
    await expect.poll(gcWriter.closed, { timeout: 10_000 }).toEqual({ code: 4400, reason: 'malformed message' });

    await type(bob, 'def');
    await vi.waitFor(() => expect(watcher.text.toString()).toBe('abcdef'));
    expect(bob.text.toString()).toBe('abcdef');
    expect(bob.doc.clientID).toBe(bobId);
    await vi.waitFor(async () => expect(await fetchRoomCode(a.baseUrl, roomId)).toBe('abcdef'));
    expect(await fetchRoomCode(b.baseUrl, roomId)).toBe('abcdef');
    const roomOnA = a.pairpad.collab.hocuspocus.documents.get(roomId)!;
    expect(roomOnA.store.pendingStructs).toBeNull();
    expect(roomOnA.store.pendingDs).toBeNull();
    expect([...bob.closes, ...watcher.closes]).toEqual([]);
  });

  it('lets a client that moves from one instance to another keep typing under its id, without a refusal', async () => {
    const env = await sharedEnv();
    const a = await startInstance(env);
    const b = await startInstance(env);
    const { roomId } = await createRoom(a.baseUrl, { code: '' });
    const alice = connect(a.wsUrl, roomId);
    const watcher = connect(b.wsUrl, roomId);
    await Promise.all([alice.synced, watcher.synced]);
    alice.provider.setAwarenessField('user', { name: 'Alice' });
    await type(alice, 'one ');
    const aliceId = alice.doc.clientID;
    await vi.waitFor(() => expect(nameOf(watcher, aliceId)).toBe('Alice'));

    // Her editor closes the connection to A and opens one to B with the same document.
    const doc = alice.doc;
    alice.provider.destroy();
    alice.socket.destroy();
    doc.getText('code').insert(doc.getText('code').length, 'offline ');
    const moved = connect(b.wsUrl, roomId, doc);
    await moved.synced;
    await type(moved, 'two');
    expect(moved.doc.clientID).toBe(aliceId);
    await vi.waitFor(() => expect(watcher.text.toString()).toBe('one offline two'));
    await vi.waitFor(async () => expect(await fetchRoomCode(a.baseUrl, roomId)).toBe('one offline two'));
    expect(moved.closes).toEqual([]);
  });

  it('accepts a client that fails over from a killed instance with its old client id: the dead instance’s claim lapses', async () => {
    const env = await sharedEnv();
    const [a, b] = await Promise.all([spawnInstance(env), spawnInstance(env)]);
    const { roomId } = await createRoom(a.baseUrl, { code: '' });
    const typist = connect(a.wsUrl, roomId);
    const watcher = connect(b.wsUrl, roomId);
    await Promise.all([typist.synced, watcher.synced]);
    typist.provider.setAwarenessField('user', { name: 'Typist' });
    await type(typist, 'before ');
    const typistId = typist.doc.clientID;
    await vi.waitFor(() => expect(nameOf(watcher, typistId)).toBe('Typist'));
    await vi.waitFor(() => expect(watcher.text.toString()).toBe('before '));

    a.kill('SIGKILL');
    expect(await a.exited).toBe('SIGKILL');
    const doc = typist.doc;
    typist.provider.destroy();
    typist.socket.destroy();
    doc.getText('code').insert(doc.getText('code').length, 'during ');
    const moved = connect(b.wsUrl, roomId, doc);
    await moved.synced;
    await type(moved, 'after');
    expect(moved.doc.clientID).toBe(typistId);
    await vi.waitFor(() => expect(watcher.text.toString()).toBe('before during after'));
    await vi.waitFor(async () => expect(await fetchRoomCode(b.baseUrl, roomId)).toBe('before during after'));
    expect(moved.closes).toEqual([]);
  });

  it('lets the claim of a hung instance (connected to Redis, no longer beating) lapse with its heartbeat key, within 15 s', async () => {
    const env = await sharedEnv();
    const [a, b] = await Promise.all([spawnInstance(env), spawnInstance(env)]);
    const { roomId } = await createRoom(a.baseUrl, { code: '' });
    const typist = connect(a.wsUrl, roomId);
    const watcher = connect(b.wsUrl, roomId);
    await Promise.all([typist.synced, watcher.synced]);
    typist.provider.setAwarenessField('user', { name: 'Typist' });
    await type(typist, 'before ');
    const typistId = typist.doc.clientID;
    await vi.waitFor(() => expect(nameOf(watcher, typistId)).toBe('Typist'));

    // Stopped, A keeps its sockets (to Redis too) but stops refreshing its heartbeat key.
    a.kill('SIGSTOP');
    cleanups.push(() => a.kill('SIGCONT'));
    const doc = typist.doc;
    typist.provider.destroy();
    typist.socket.destroy();
    const moved = connect(b.wsUrl, roomId, doc);
    for (const char of 'after') moved.text.insert(moved.text.length, char);
    // Refused while A's key lives (the provider reconnects after each refusal), accepted once it lapsed.
    await vi.waitFor(() => expect(watcher.text.toString()).toBe('before after'), { timeout: 30_000, interval: 200 });
    await vi.waitFor(() => expect(moved.provider.hasUnsyncedChanges).toBe(false), { timeout: 10_000 });
    expect(moved.doc.clientID).toBe(typistId);
    // While A's key lived, it could not be told from a live instance: its claim held.
    expect(moved.closes.length).toBeGreaterThan(0);
    expect(new Set(moved.closes)).toEqual(new Set([4400]));
  }, 60_000);
});
