import * as encoding from 'lib0/encoding';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { CHAT_KEEP, CHAT_MAX_LIVE, CHAT_MAX_TEXT, CODE_TEXT } from '../../shared/protocol.ts';
import { appendChatMessage, chatArray, readChatMessages, type ChatMessage } from '../../shared/room-chat.ts';
import { findLayoutProblem } from '../../shared/room-layout.ts';
import { randomBytes } from 'node:crypto';
import { createPostgresDatabase, testDatabaseUrl, testRedisUrl } from '../support/databases.ts';
import { connectClient, connectYjsClient, type TestClient, type YjsTestClient } from '../support/providers.ts';
import { fetchRoomCode, restartTestServer, startTestServer, type TestServer } from '../support/server.ts';
import { updateOn } from '../support/yjs-updates.ts';

/**
 * Chat (`shared/protocol.ts`, "Chat"): messages in `doc.getArray('chat')`,
 * appended by editors and viewers on both protocols; the guard refuses
 * other shapes, long texts and deletes (4400) with the room intact; the
 * server keeps the latest CHAT_KEEP.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ overrides: { storeDebounceMs: 50, storeMaxDebounceMs: 200 } });
});
afterAll(() => server.close());
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

interface RoomLinks {
  roomId: string;
  viewId: string;
}

async function createRoom(body: object = { code: 'print(1)\n' }): Promise<RoomLinks> {
  const response = await fetch(`${server.baseUrl}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(201);
  return (await response.json()) as RoomLinks;
}

function track<T extends TestClient | YjsTestClient>(client: T): T {
  cleanups.push(() => client.destroy());
  return client;
}

function roomDoc(roomId: string) {
  return server.pairpad.collab.hocuspocus.documents.get(roomId)!;
}

function message(text: string, name = 'Ada'): { name: string; color: string; text: string } {
  return { name, color: '#0969da', text };
}

/** A y-websocket sync-update frame carrying `update`. */
function updateFrame(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, 2);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** A raw `/yjs` socket on `id` (edit or view id): sends frames as given, records how it was closed. */
async function openRaw(id: string) {
  const socket = new WebSocket(`${server.wsUrl}/yjs/${id}`);
  cleanups.push(() => socket.terminate());
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const received: Uint8Array[] = [];
  socket.on('message', (data: Buffer) => received.push(new Uint8Array(data)));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return {
    send: (frame: Uint8Array) => socket.send(frame),
    closed,
    isOpen: () => socket.readyState === socket.OPEN,
    /** Sends a sync step 1 and waits for the answer: every frame sent before it was handled. */
    async roundTrip() {
      const answers = () => received.filter((frame) => frame[0] === 0 && frame[1] === 1).length;
      const before = answers();
      socket.send(new Uint8Array([0, 0, 1, 0]));
      await vi.waitFor(() => expect(answers()).toBeGreaterThan(before));
    },
  };
}

/** A fresh Y.Doc (a client id of its own) holding what the room holds now. */
function copyOfRoom(roomId: string): Y.Doc {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(roomDoc(roomId)));
  cleanups.push(() => copy.destroy());
  return copy;
}

/** Sends `change` of a copy of the room through a raw socket on `id` and expects 4400; the room is byte for byte as before. */
async function expectRefused(roomId: string, id: string, change: (doc: Y.Doc) => void, code = 4400) {
  const before = Y.encodeStateAsUpdate(roomDoc(roomId));
  const update = updateOn(copyOfRoom(roomId), change);
  const raw = await openRaw(id);
  raw.send(updateFrame(update));
  expect((await raw.closed).code).toBe(code);
  expect(Y.encodeStateAsUpdate(roomDoc(roomId))).toEqual(before);
  expect(findLayoutProblem(roomDoc(roomId))).toBeUndefined();
}

const texts = (doc: Y.Doc) => readChatMessages(doc).map((entry) => entry.text);

describe('chat on both protocols', () => {
  it('reaches editors and viewers live on /collab and /yjs, from editors and viewers alike', async () => {
    const room = await createRoom();
    const editor = track(connectClient(server.wsUrl, room.roomId));
    const viewer = track(connectClient(server.wsUrl, room.viewId));
    const yjsEditor = track(connectYjsClient(server.wsUrl, room.roomId));
    const yjsViewer = track(connectYjsClient(server.wsUrl, room.viewId));
    await Promise.all([editor.synced, viewer.synced, yjsEditor.synced, yjsViewer.synced]);
    const everyone = [editor.doc, viewer.doc, yjsEditor.doc, yjsViewer.doc];

    appendChatMessage(editor.doc, message('from the editor'));
    await vi.waitFor(() => everyone.forEach((doc) => expect(texts(doc)).toEqual(['from the editor'])));
    appendChatMessage(viewer.doc, message('from a viewer on /collab', 'Viewer'));
    await vi.waitFor(() => everyone.forEach((doc) => expect(texts(doc)).toContain('from a viewer on /collab')));
    appendChatMessage(yjsViewer.doc, message('from a viewer on /yjs', 'Stock'));
    appendChatMessage(yjsEditor.doc, message('from an editor on /yjs'));
    await vi.waitFor(() => everyone.forEach((doc) => expect(texts(doc)).toHaveLength(4)));
    expect(texts(roomDoc(room.roomId)).sort()).toEqual(['from a viewer on /collab', 'from a viewer on /yjs', 'from an editor on /yjs', 'from the editor'].sort());
    // Acknowledged means durable, for the viewer's message too.
    await vi.waitFor(() => expect(viewer.provider.hasUnsyncedChanges).toBe(false));
    // Viewers are still viewers: their edits of the code never reach the room.
    viewer.text.insert(0, 'viewer typing ');
    yjsViewer.text.insert(0, 'stock viewer typing ');
    appendChatMessage(editor.doc, message('after the viewers typed'));
    await vi.waitFor(() => expect(texts(viewer.doc)).toContain('after the viewers typed'));
    expect(roomDoc(room.roomId).getText(CODE_TEXT).toString()).toBe('print(1)\n');
    expect(editor.text.toString()).toBe('print(1)\n');
    expect(await fetchRoomCode(server.baseUrl, room.roomId)).toBe('print(1)\n');
  });

  it('keeps the chat when the room is stored, unloaded and loaded again', async () => {
    const room = await createRoom();
    const editor = track(connectClient(server.wsUrl, room.roomId));
    await editor.synced;
    appendChatMessage(editor.doc, message('kept'));
    await vi.waitFor(() => expect(editor.provider.hasUnsyncedChanges).toBe(false));
    editor.destroy();
    await vi.waitFor(() => expect(server.pairpad.collab.hocuspocus.documents.has(room.roomId)).toBe(false));
    const later = track(connectYjsClient(server.wsUrl, room.viewId));
    await later.synced;
    expect(texts(later.doc)).toEqual(['kept']);
  });

  it('drops a viewer update that appends to the chat and also edits the code, all of it', async () => {
    const room = await createRoom();
    const editor = track(connectClient(server.wsUrl, room.roomId));
    await editor.synced;
    const raw = await openRaw(room.viewId);
    raw.send(updateFrame(updateOn(copyOfRoom(room.roomId), (doc) => doc.transact(() => {
      appendChatMessage(doc, message('smuggled'));
      doc.getText(CODE_TEXT).insert(0, 'x');
    }))));
    // Frames of a socket are handled in order: once this one is in, the first was handled.
    raw.send(updateFrame(updateOn(copyOfRoom(room.roomId), (doc) => appendChatMessage(doc, message('plain chat')))));
    await vi.waitFor(() => expect(texts(editor.doc)).toEqual(['plain chat']));
    expect(raw.isOpen()).toBe(true);
    expect(roomDoc(room.roomId).getText(CODE_TEXT).toString()).toBe('print(1)\n');
  });
});

describe('a locked room (meta.locked, set by the owner controls)', () => {
  it('drops a viewer’s message (only the owner may chat); the viewer stays connected', async () => {
    const room = await createRoom();
    const editor = track(connectClient(server.wsUrl, room.roomId));
    await editor.synced;
    // As the owner controls will: a server-side change.
    roomDoc(room.roomId).getMap('meta').set('locked', true);
    const raw = await openRaw(room.viewId);
    raw.send(updateFrame(updateOn(copyOfRoom(room.roomId), (doc) => appendChatMessage(doc, message('while locked')))));
    await raw.roundTrip();
    roomDoc(room.roomId).getMap('meta').delete('locked');
    raw.send(updateFrame(updateOn(copyOfRoom(room.roomId), (doc) => appendChatMessage(doc, message('after unlocking')))));
    await vi.waitFor(() => expect(texts(editor.doc)).toEqual(['after unlocking']));
    expect(raw.isOpen()).toBe(true);
  });
});

describe('the guard refuses what is not an appended message (4400), leaving the room as it was', () => {
  const valid = (overrides: Partial<ChatMessage> = {}) => ({ id: 'abcdef', at: 1_700_000_000_000, name: 'Ada', color: '#0969da', text: 'hi', ...overrides });

  it.each([
    ['an extra key', { ...valid(), html: '<b>x</b>' }],
    ['a missing key', { id: 'abcdef', at: 1, name: 'Ada', color: '#0969da' }],
    ['a text over 2,000 characters', valid({ text: 'x'.repeat(CHAT_MAX_TEXT + 1) })],
    ['an empty text', valid({ text: '' })],
    ['a text that is not a string', { ...valid(), text: 42 }],
    ['a time that is not a number', { ...valid(), at: '2026-01-01' }],
    ['an id with odd characters', valid({ id: '<img>' })],
    ['a string', 'just text'],
    ['an array', ['a', 'b']],
    ['null', null],
  ])('%s, from an editor and from a viewer', async (_label, value) => {
    const room = await createRoom();
    await openRaw(room.roomId).then((raw) => raw.send(updateFrame(new Uint8Array([0, 0])))); // loads the room
    await vi.waitFor(() => expect(roomDoc(room.roomId)).toBeDefined());
    await expectRefused(room.roomId, room.roomId, (doc) => doc.getArray('chat').push([value]));
    await expectRefused(room.roomId, room.viewId, (doc) => doc.getArray('chat').push([value]));
  });

  it('a nested type, a key, an insertion before a message, a delete of a message', async () => {
    const room = await createRoom();
    const editor = track(connectClient(server.wsUrl, room.roomId));
    await editor.synced;
    appendChatMessage(editor.doc, message('first'));
    appendChatMessage(editor.doc, message('second'));
    await vi.waitFor(() => expect(texts(roomDoc(room.roomId))).toEqual(['first', 'second']));
    for (const id of [room.roomId, room.viewId]) {
      await expectRefused(room.roomId, id, (doc) => doc.getArray('chat').push([new Y.Map()]));
      await expectRefused(room.roomId, id, (doc) => doc.getArray('chat').insert(0, [valid()]));
      await expectRefused(room.roomId, id, (doc) => doc.getArray('chat').delete(0, 1));
      await expectRefused(room.roomId, id, (doc) => doc.getArray('chat').delete(1, 1));
    }
    // "Editing" a message is a delete and an insert: refused as well.
    await expectRefused(room.roomId, room.roomId, (doc) => doc.transact(() => {
      doc.getArray('chat').delete(0, 1);
      doc.getArray('chat').push([valid({ text: 'rewritten' })]);
    }));
    // The stock client carries on: its messages are all there.
    appendChatMessage(editor.doc, message('third'));
    await vi.waitFor(() => expect(texts(roomDoc(room.roomId))).toEqual(['first', 'second', 'third']));
  });

  it('more than CHAT_MAX_LIVE messages at once (4413)', async () => {
    const room = await createRoom();
    await openRaw(room.roomId).then((raw) => raw.send(updateFrame(new Uint8Array([0, 0]))));
    await vi.waitFor(() => expect(roomDoc(room.roomId)).toBeDefined());
    await expectRefused(room.roomId, room.roomId, (doc) => doc.getArray('chat').push(Array.from({ length: CHAT_MAX_LIVE + 1 }, (_, i) => valid({ id: `m${i}` }))), 4413);
  });

  it('lets a client reconnect whose sync carries the server’s trims again (a no-op delete)', async () => {
    const room = await createRoom();
    const editor = track(connectClient(server.wsUrl, room.roomId));
    await editor.synced;
    editor.doc.transact(() => {
      for (let i = 0; i < CHAT_KEEP + 5; i++) appendChatMessage(editor.doc, message(`m${i}`));
    });
    await vi.waitFor(() => expect(chatArray(editor.doc).length).toBe(CHAT_KEEP), { timeout: 10_000 });
    // A new socket for the same document: its sync answer holds the whole delete set, trims included.
    for (const id of [room.roomId, room.viewId]) {
      const raw = await openRaw(id);
      raw.send(updateFrame(Y.encodeStateAsUpdate(editor.doc)));
      raw.send(updateFrame(updateOn(copyOfRoom(room.roomId), (doc) => appendChatMessage(doc, message(`still here ${id}`)))));
      await vi.waitFor(() => expect(texts(roomDoc(room.roomId)).at(-1)).toBe(`still here ${id}`));
      expect(raw.isOpen()).toBe(true);
    }
  });
});

describe('the latest CHAT_KEEP messages are kept', () => {
  it('trims the oldest when the room stores, for everyone, and stores the trimmed chat', async () => {
    const own = await startTestServer({ overrides: { storeDebounceMs: 50, storeMaxDebounceMs: 200 } });
    let current = own;
    cleanups.push(() => void current.close());
    const response = await fetch(`${own.baseUrl}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const room = (await response.json()) as RoomLinks;
    const editor = connectClient(own.wsUrl, room.roomId);
    const viewer = connectYjsClient(own.wsUrl, room.viewId);
    await Promise.all([editor.synced, viewer.synced]);
    for (let batch = 0; batch < 11; batch++) {
      editor.doc.transact(() => {
        for (let i = 0; i < 100; i++) appendChatMessage(editor.doc, message(`m${batch * 100 + i}`));
      });
    }
    await vi.waitFor(() => {
      for (const doc of [editor.doc, viewer.doc]) {
        expect(chatArray(doc).length).toBe(CHAT_KEEP);
        expect(texts(doc)[0]).toBe('m100');
        expect(texts(doc).at(-1)).toBe('m1099');
      }
    }, { timeout: 10_000 });
    await vi.waitFor(() => expect(editor.provider.hasUnsyncedChanges).toBe(false));
    editor.destroy();
    viewer.destroy();
    await own.stop();
    current = await restartTestServer(own);
    const later = track(connectClient(current.wsUrl, room.roomId));
    await later.synced;
    expect(chatArray(later.doc).length).toBe(CHAT_KEEP);
    expect(texts(later.doc)[0]).toBe('m100');
  });
});

// Needs both services; CI always sets TEST_DATABASE_URL and TEST_REDIS_URL.
describe.runIf(testDatabaseUrl && testRedisUrl)('chat across two instances sharing Redis and Postgres', () => {
  it('reaches clients of both protocols on the other instance, viewers’ messages included, and the trim too', async () => {
    const database = await createPostgresDatabase();
    const env = { DATABASE_URL: database.url, REDIS_URL: testRedisUrl!, REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}` };
    const overrides = { storeDebounceMs: 50, storeMaxDebounceMs: 200 };
    const a = await startTestServer({ databaseUrl: env.DATABASE_URL, env, overrides });
    const b = await startTestServer({ databaseUrl: env.DATABASE_URL, env, overrides });
    cleanups.push(() => void a.stop().then(() => b.stop()).then(() => database.drop()));
    const response = await fetch(`${a.baseUrl}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const room = (await response.json()) as RoomLinks;
    const onA = track(connectClient(a.wsUrl, room.roomId));
    const viewerOnA = track(connectYjsClient(a.wsUrl, room.viewId));
    const onB = track(connectYjsClient(b.wsUrl, room.roomId));
    const viewerOnB = track(connectClient(b.wsUrl, room.viewId));
    const everyone = [onA.doc, viewerOnA.doc, onB.doc, viewerOnB.doc];
    await Promise.all([onA.synced, viewerOnA.synced, onB.synced, viewerOnB.synced]);

    appendChatMessage(onA.doc, message('from A'));
    appendChatMessage(viewerOnB.doc, message('from a viewer on B'));
    appendChatMessage(viewerOnA.doc, message('from a stock viewer on A'));
    appendChatMessage(onB.doc, message('from a stock editor on B'));
    await vi.waitFor(() => everyone.forEach((doc) => expect(texts(doc).sort()).toEqual(['from A', 'from a stock editor on B', 'from a stock viewer on A', 'from a viewer on B'])), { timeout: 10_000 });

    onB.doc.transact(() => {
      for (let i = 0; i < CHAT_KEEP; i++) appendChatMessage(onB.doc, message(`bulk ${i}`));
    });
    await vi.waitFor(() => everyone.forEach((doc) => {
      expect(chatArray(doc).length).toBe(CHAT_KEEP);
      expect(texts(doc)[0]).toBe('bulk 0');
    }), { timeout: 15_000 });
    for (const doc of everyone) expect(findLayoutProblem(doc)).toBeUndefined();
  });
});
