import * as encoding from 'lib0/encoding';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { encodeRawUpdate } from '../support/crafted-updates.ts';
import { connectClient, type TestClient } from '../support/providers.ts';
import { createRoom, fetchRoomCode, startTestServer, type TestServer } from '../support/server.ts';
import { updateOn } from '../support/yjs-updates.ts';
import { CODE_TEXT, MAX_HELD_UPDATE_MS } from '../../shared/protocol.ts';

/**
 * Crafted updates against a victim typing with a stock provider: none may
 * destroy its acknowledged typing; and the legitimate case of an update
 * arriving before what it builds on (same connection) is held, not refused.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** A y-websocket sync-update frame carrying `update`. */
function updateFrame(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, 2);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** A raw `/yjs` socket: sends frames as given, records how it was closed. */
async function openRaw(roomId: string) {
  const socket = new WebSocket(`${server.wsUrl}/yjs/${roomId}`);
  cleanups.push(() => socket.terminate());
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return { send: (frame: Uint8Array) => socket.send(frame), closed, isOpen: () => socket.readyState === socket.OPEN };
}

async function victimIn(roomId: string): Promise<TestClient> {
  const victim = connectClient(server.wsUrl, roomId);
  cleanups.push(() => victim.destroy());
  await victim.synced;
  return victim;
}

/** Types `text` at the end, one transaction per character, and waits until the room holds it (acknowledged). */
async function typeAndAwaitAck(victim: TestClient, text: string, roomId: string) {
  for (const char of text) victim.text.insert(victim.text.length, char);
  await vi.waitFor(() => expect(victim.provider.hasUnsyncedChanges).toBe(false));
  await vi.waitFor(async () => expect(await fetchRoomCode(server.baseUrl, roomId)).toBe(victim.text.toString()));
}

function roomDoc(roomId: string) {
  return server.pairpad.collab.hocuspocus.documents.get(roomId)!;
}

describe('crafted updates against acknowledged typing', () => {
  it('refuses an unsorted delete set that reaches past the victim’s clock (4400), and later typing survives', async () => {
    const { roomId } = await createRoom(server.baseUrl, { code: '' });
    const victim = await victimIn(roomId);
    await typeAndAwaitAck(victim, 'abc', roomId);
    const client = victim.doc.clientID;
    const clock = Y.getState(victim.doc.store, client);
    const attacker = await openRaw(roomId);
    attacker.send(updateFrame(encodeRawUpdate([], [
      { client, clock, length: 1e12 },
      { client, clock: 0, length: 1 },
    ])));
    expect(await attacker.closed).toEqual({ code: 4400, reason: 'malformed message' });
    await typeAndAwaitAck(victim, 'def', roomId);
    expect(await fetchRoomCode(server.baseUrl, roomId)).toBe('abcdef');
    expect(roomDoc(roomId).store.pendingDs).toBeNull();
    expect(roomDoc(roomId).store.pendingStructs).toBeNull();
  });

  it('refuses a GC struct written under the victim’s client id at its clock (4400), and later typing survives', async () => {
    const { roomId } = await createRoom(server.baseUrl, { code: '' });
    const victim = await victimIn(roomId);
    await typeAndAwaitAck(victim, 'abc', roomId);
    const client = victim.doc.clientID;
    const attacker = await openRaw(roomId);
    attacker.send(updateFrame(encodeRawUpdate([{ client, clock: Y.getState(victim.doc.store, client), structs: [{ kind: 'gc', length: 1_000_000 }] }])));
    expect(await attacker.closed).toEqual({ code: 4400, reason: 'malformed message' });
    await typeAndAwaitAck(victim, 'def', roomId);
    expect(await fetchRoomCode(server.baseUrl, roomId)).toBe('abcdef');
  });

  it('refuses an item written under the victim’s client id (4400)', async () => {
    const { roomId } = await createRoom(server.baseUrl, { code: '' });
    const victim = await victimIn(roomId);
    await typeAndAwaitAck(victim, 'abc', roomId);
    const impostor = new Y.Doc();
    Y.applyUpdate(impostor, Y.encodeStateAsUpdate(victim.doc));
    impostor.clientID = victim.doc.clientID;
    const attacker = await openRaw(roomId);
    attacker.send(updateFrame(updateOn(impostor, (doc) => doc.getText('code').insert(0, 'X'.repeat(50)))));
    expect(await attacker.closed).toEqual({ code: 4400, reason: 'malformed message' });
    await typeAndAwaitAck(victim, 'def', roomId);
    expect(await fetchRoomCode(server.baseUrl, roomId)).toBe('abcdef');
  });
});

describe('ownership of client ids', () => {
  it('does not give a reconnect’s batch the ids of the other people whose edits it carries', async () => {
    const { roomId } = await createRoom(server.baseUrl, { code: 'base\n' });
    const watcher = await victimIn(roomId);
    // Bob typed where the room never saw it (an instance that died); Alice got it from there.
    const bobDoc = new Y.Doc();
    Y.applyUpdate(bobDoc, Y.encodeStateAsUpdate(watcher.doc));
    bobDoc.getText(CODE_TEXT).insert(0, 'bob ');
    const alice = new Y.Doc();
    Y.applyUpdate(alice, Y.encodeStateAsUpdate(bobDoc));
    alice.getText(CODE_TEXT).insert(0, 'alice ');
    const raw = await openRaw(roomId);
    raw.send(updateFrame(Y.encodeStateAsUpdate(alice, Y.encodeStateVector(watcher.doc))));
    await vi.waitFor(() => expect(watcher.text.toString()).toBe('alice bob base\n'));
    // Bob comes back while Alice is still connected, and types on.
    const bob = connectClient(server.wsUrl, roomId, { document: bobDoc });
    cleanups.push(() => bob.destroy());
    const closes: number[] = [];
    bob.socket.on('close', ({ event }: { event: { code: number } }) => closes.push(event.code));
    await bob.synced;
    await typeAndAwaitAck(bob, '!', roomId);
    expect(await fetchRoomCode(server.baseUrl, roomId)).toBe('alice bob base\n!');
    expect(closes).toEqual([]);
    expect(raw.isOpen()).toBe(true);
  });
});

describe('updates that arrive before what they build on', () => {
  it('holds them and applies them once the same connection sends their dependencies; nothing is refused', async () => {
    const { roomId } = await createRoom(server.baseUrl, { code: 'base\n' });
    const watcher = await victimIn(roomId);
    const writer = new Y.Doc();
    Y.applyUpdate(writer, Y.encodeStateAsUpdate(watcher.doc));
    const first = updateOn(writer, (doc) => doc.getText('code').insert(0, 'one '));
    const second = updateOn(writer, (doc) => doc.getText('code').insert(4, 'two '));
    const third = updateOn(writer, (doc) => doc.getText('code').delete(0, 4));
    const raw = await openRaw(roomId);
    // As a stock client does on connecting: its cursor, under its client id.
    const awareness = new Awareness(writer);
    awareness.setLocalState({ user: { name: 'writer' } });
    const frame = encoding.createEncoder();
    encoding.writeVarUint(frame, 1);
    encoding.writeVarUint8Array(frame, encodeAwarenessUpdate(awareness, [writer.clientID]));
    raw.send(encoding.toUint8Array(frame));
    raw.send(updateFrame(third));
    raw.send(updateFrame(second));
    // A cursor move after them: once others see it, the two were handled, and held outside the room.
    awareness.setLocalStateField('cursor', { anchor: 1 });
    const moved = encoding.createEncoder();
    encoding.writeVarUint(moved, 1);
    encoding.writeVarUint8Array(moved, encodeAwarenessUpdate(awareness, [writer.clientID]));
    raw.send(encoding.toUint8Array(moved));
    await vi.waitFor(() => expect(watcher.provider.awareness!.getStates().get(writer.clientID)).toMatchObject({ cursor: { anchor: 1 } }));
    expect(watcher.text.toString()).toBe('base\n');
    expect(roomDoc(roomId).store.pendingStructs).toBeNull();
    expect(roomDoc(roomId).store.pendingDs).toBeNull();
    raw.send(updateFrame(first));
    await vi.waitFor(() => expect(watcher.text.toString()).toBe('two base\n'));
    expect(raw.isOpen()).toBe(true);
    expect(roomDoc(roomId).store.pendingStructs).toBeNull();
    expect(roomDoc(roomId).store.pendingDs).toBeNull();
  });

  it('refuses (4400) at once what would take a connection past 1 MiB held', async () => {
    const { roomId } = await createRoom(server.baseUrl, { code: 'base\n' });
    const watcher = await victimIn(roomId);
    const writer = new Y.Doc();
    Y.applyUpdate(writer, Y.encodeStateAsUpdate(watcher.doc));
    updateOn(writer, (doc) => doc.getText(CODE_TEXT).insert(0, 'never sent '));
    const raw = await openRaw(roomId);
    const sentAt = performance.now();
    // Four updates of 300 kB, each building on the one before, none of them resolvable.
    for (let i = 0; i < 4; i++) raw.send(updateFrame(updateOn(writer, (doc) => doc.getText(CODE_TEXT).insert(3, 'x'.repeat(300_000)))));
    expect(await raw.closed).toEqual({ code: 4400, reason: 'malformed message' });
    // Refused for the budget, not after the 10 s a held update may wait.
    expect(performance.now() - sentAt).toBeLessThan(MAX_HELD_UPDATE_MS);
    expect(watcher.text.toString()).toBe('base\n');
  });

  it('refuses (4400) what is still unresolved after 10 s, having never applied it', async () => {
    const { roomId } = await createRoom(server.baseUrl, { code: 'base\n' });
    const watcher = await victimIn(roomId);
    const writer = new Y.Doc();
    Y.applyUpdate(writer, Y.encodeStateAsUpdate(watcher.doc));
    updateOn(writer, (doc) => doc.getText('code').insert(0, 'never sent '));
    const dangling = updateOn(writer, (doc) => doc.getText('code').insert(3, 'x'));
    const raw = await openRaw(roomId);
    const sentAt = performance.now();
    raw.send(updateFrame(dangling));
    expect(await raw.closed).toEqual({ code: 4400, reason: 'malformed message' });
    expect(performance.now() - sentAt).toBeGreaterThan(9_000);
    expect(watcher.text.toString()).toBe('base\n');
    expect(roomDoc(roomId).store.pendingStructs).toBeNull();
  });
});
