import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { CODE_TEXT } from '../../shared/protocol.ts';
import { findFile } from '../../shared/room-files.ts';
import { dialects } from '../support/databases.ts';
import { postRoom, readFileRows } from '../support/files.ts';
import { connectClient, createRandom, makeRandomEdit, type TestClient } from '../support/providers.ts';
import { createRoom, fetchRoomCode, restartTestServer, startTestServer, type TestServer } from '../support/server.ts';

/** Large rooms fold in a worker thread from a copy of the document; the snapshot must still hold everything. */
describe.each(dialects)('folding large rooms on %s', (dialect) => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function track<T extends { destroy(): void }>(client: T): T {
    cleanups.push(() => client.destroy());
    return client;
  }

  /** Stops the server gracefully (every room folded) and reads the room from a fresh one on the same storage. */
  async function storedAfterRestart(server: TestServer, roomId: string): Promise<string> {
    await server.stop();
    const restarted = await restartTestServer(server);
    cleanups.push(() => restarted.close());
    return fetchRoomCode(restarted.baseUrl, roomId);
  }

  /** The code as the room's stored snapshot holds it (the Yjs state and the plain column), without the log. */
  async function snapshotOf(server: TestServer, roomId: string): Promise<{ state: string; code: string }> {
    const stored = await server.pairpad.store.loadRoomState(roomId);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, stored!.state);
    return { state: doc.getText(CODE_TEXT).toString(), code: stored!.record.code };
  }

  async function typeConcurrently(clients: TestClient[], edits: number, seed: number): Promise<void> {
    const random = createRandom(seed);
    for (let i = 0; i < edits; i++) {
      makeRandomEdit(clients[i % clients.length].text, random);
      if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await vi.waitFor(() => expect(new Set(clients.map((client) => client.text.toString())).size).toBe(1), { timeout: 20_000 });
  }

  it('stores a room of two million characters through the worker, with the edits made around its folds', async () => {
    const server = await startTestServer({ dialect, overrides: { storeDebounceMs: 200, storeMaxDebounceMs: 1_000 } });
    let closed = false;
    cleanups.push(() => (closed ? undefined : server.close()));
    const { roomId } = await createRoom(server.baseUrl, { code: '' });
    const writer = track(connectClient(server.wsUrl, roomId));
    const typist = track(connectClient(server.wsUrl, roomId));
    await Promise.all([writer.synced, typist.synced]);
    // Twenty pastes of 100,000 characters (each under the message limit).
    for (let i = 0; i < 20; i++) {
      const line = `${String(i).padStart(2, '0')}:${'abcdefghij'.repeat(10_000).slice(0, 99_996)}\n`;
      writer.text.insert(Math.floor(writer.text.length / 2), line);
      await vi.waitFor(() => expect(writer.provider.hasUnsyncedChanges).toBe(false), { timeout: 20_000 });
    }
    expect(writer.text.length).toBe(2_000_000);
    const { replicas } = server.pairpad.collab;
    // The first fold of the grown room ran here and handed the room to the worker.
    await vi.waitFor(() => expect(replicas.has(roomId)).toBe(true), { timeout: 20_000 });
    await typeConcurrently([writer, typist], 600, 3);
    const expected = writer.text.toString();
    // A fold by the worker, with every edit in it.
    await vi.waitFor(async () => expect(await snapshotOf(server, roomId)).toEqual({ state: expected, code: expected }), { timeout: 30_000 });
    writer.destroy();
    typist.destroy();
    closed = true;
    expect(await storedAfterRestart(server, roomId)).toBe(expected);
  }, 180_000);

  it('seeds the worker from storage when a large room loads, and keeps every edit over several folds', async () => {
    const server = await startTestServer({ dialect, overrides: { storeDebounceMs: 100, storeMaxDebounceMs: 300, foldWorkerMinBytes: 4 * 1024 } });
    cleanups.push(() => server.stop());
    const { roomId } = await createRoom(server.baseUrl, { code: 'x'.repeat(20_000) });
    const alice = track(connectClient(server.wsUrl, roomId));
    const bob = track(connectClient(server.wsUrl, roomId));
    await Promise.all([alice.synced, bob.synced]);
    // A large room loads in chunks; clients have its stored state before the load ends.
    await vi.waitFor(() => expect(server.pairpad.collab.replicas.has(roomId)).toBe(true), { timeout: 20_000 });
    for (let round = 0; round < 3; round++) {
      await typeConcurrently([alice, bob], 300, 10 + round);
      const expected = alice.text.toString();
      await vi.waitFor(async () => expect(await snapshotOf(server, roomId)).toEqual({ state: expected, code: expected }), { timeout: 20_000 });
    }
    const expected = alice.text.toString();
    alice.destroy();
    bob.destroy();
    expect(await storedAfterRestart(server, roomId)).toBe(expected);
  }, 120_000);

  it("writes the changed files' rows from the worker's copy, each text by the column rule", async () => {
    const server = await startTestServer({ dialect, overrides: { storeDebounceMs: 100, storeMaxDebounceMs: 300, foldWorkerMinBytes: 4 * 1024 } });
    cleanups.push(() => server.close());
    const files = [
      { path: 'main.py', content: 'x'.repeat(20_000) },
      { path: 'util.py', content: 'def f():\n    pass\n' },
      { path: 'notes.md', content: 'unchanged\n' },
    ];
    const { roomId } = (await (await postRoom(server.baseUrl, { files })).json()) as { roomId: string };
    const { replicas } = server.pairpad.collab;
    const asked: string[][] = [];
    const encode = replicas.encode.bind(replicas);
    replicas.encode = async (id, fileIds) => {
      asked.push(fileIds ?? []);
      return encode(id, fileIds);
    };
    const alice = track(connectClient(server.wsUrl, roomId));
    await alice.synced;
    await vi.waitFor(() => expect(replicas.has(roomId)).toBe(true), { timeout: 20_000 });
    // NUL and a lone surrogate: exact in the document, U+FFFD in the columns.
    alice.text.insert(0, 'entry\u0000 ');
    const util = findFile(alice.doc, 'util.py')!;
    util.text.insert(0, 'a\ud800b ');
    await vi.waitFor(() => expect(alice.provider.hasUnsyncedChanges).toBe(false), { timeout: 20_000 });
    const entryText = alice.text.toString();
    const utilText = util.text.toString();
    await vi.waitFor(async () => {
      const rows = await readFileRows(server, roomId);
      expect(rows.map((row) => [row.path, row.content, row.size])).toEqual([
        ['main.py', entryText.replace('\u0000', '\ufffd'), Buffer.byteLength(entryText)],
        ['notes.md', 'unchanged\n', 10],
        ['util.py', utilText.replace('\ud800', '\ufffd'), Buffer.byteLength(utilText)],
      ]);
    }, { timeout: 20_000 });
    // The worker read the changed files, not the unchanged one.
    const utilId = findFile(alice.doc, 'util.py')!.id;
    const notesId = findFile(alice.doc, 'notes.md')!.id;
    expect(asked.some((ids) => ids.includes(utilId))).toBe(true);
    expect(asked.every((ids) => !ids.includes(notesId))).toBe(true);
  }, 120_000);

  it('keeps in the log the rows written while the worker was encoding: the snapshot does not hold them', async () => {
    const server = await startTestServer({
      dialect,
      overrides: { journalFlushMs: 600_000, storeDebounceMs: 600_000, storeMaxDebounceMs: 600_000, foldWorkerMinBytes: 1024 },
    });
    cleanups.push(() => server.close());
    const { roomId } = await createRoom(server.baseUrl, { code: 'x'.repeat(5_000) });
    const alice = track(connectClient(server.wsUrl, roomId));
    await alice.synced;
    const { replicas, journal, persistence, hocuspocus } = server.pairpad.collab;
    await vi.waitFor(() => expect(replicas.has(roomId)).toBe(true), { timeout: 20_000 });
    alice.text.insert(0, 'folded. ');
    await vi.waitFor(() => expect(journal.pendingUpdates).toBe(1));
    await journal.flush();

    // Hold the worker's answer until a row written after its encoding has landed.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let encoding = false;
    const encode = replicas.encode.bind(replicas);
    replicas.encode = async (id) => {
      const encoded = encode(id);
      encoding = true;
      await gate;
      return encoded;
    };
    const folding = persistence.storeAll([hocuspocus.documents.get(roomId)!]);
    await vi.waitFor(() => expect(encoding).toBe(true));
    alice.text.insert(0, 'typed while the worker encoded. ');
    await vi.waitFor(() => expect(journal.pendingUpdates).toBe(1));
    await journal.flush();
    release();
    await folding;

    // What a crash now would leave: the snapshot plus the log rows still stored.
    const stored = (await server.pairpad.store.loadRoomState(roomId))!;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, stored.state);
    expect(doc.getText(CODE_TEXT).toString()).toBe(`folded. ${'x'.repeat(5_000)}`);
    for (const row of stored.updates) Y.applyUpdate(doc, row.update);
    expect(doc.getText(CODE_TEXT).toString()).toBe(alice.text.toString());
  });

  it("encodes on the main thread, and copies the room again, when the worker's copy misses an update", async () => {
    const server = await startTestServer({
      dialect,
      overrides: { journalFlushMs: 600_000, storeDebounceMs: 600_000, storeMaxDebounceMs: 600_000, foldWorkerMinBytes: 1024 },
    });
    cleanups.push(() => server.close());
    const { roomId } = await createRoom(server.baseUrl, { code: 'x'.repeat(5_000) });
    const alice = track(connectClient(server.wsUrl, roomId));
    await alice.synced;
    const { replicas, journal, persistence, hocuspocus } = server.pairpad.collab;
    // A large room loads over several turns, and its copy is made after: a client can be synced before either.
    await vi.waitFor(() => expect(replicas.has(roomId)).toBe(true), { timeout: 20_000 });
    const document = hocuspocus.documents.get(roomId)!;

    /** Folds the room, then reads what a crash would leave: the snapshot plus the log rows still stored. */
    const foldAndReadStored = async () => {
      await vi.waitFor(() => expect(journal.pendingUpdates).toBe(1));
      await journal.flush();
      await persistence.storeAll([document]);
      const stored = (await server.pairpad.store.loadRoomState(roomId))!;
      const doc = new Y.Doc();
      Y.applyUpdate(doc, stored.state);
      for (const row of stored.updates) Y.applyUpdate(doc, row.update);
      return doc.getText(CODE_TEXT).toString();
    };

    // A defect that loses one update on its way to the copy (its log row is then folded by the worker's encoding).
    const feed = replicas.feed.bind(replicas);
    replicas.feed = () => undefined;
    alice.text.insert(0, 'missed by the copy. ');
    await vi.waitFor(() => expect(document.getText(CODE_TEXT).toString()).toBe(alice.text.toString()));
    replicas.feed = feed;
    expect(await foldAndReadStored()).toBe(alice.text.toString());

    // The room has a new copy, which the next fold uses.
    expect(replicas.has(roomId)).toBe(true);
    alice.text.insert(0, 'folded by the new copy. ');
    expect(await foldAndReadStored()).toBe(alice.text.toString());
  });

  it('acknowledges an edit made before a worker fold once its log row is written, not once that fold commits', async () => {
    const server = await startTestServer({
      dialect,
      overrides: { journalFlushMs: 600_000, storeDebounceMs: 600_000, storeMaxDebounceMs: 600_000, foldWorkerMinBytes: 1024 },
    });
    cleanups.push(() => server.close());
    const { roomId } = await createRoom(server.baseUrl, { code: 'x'.repeat(5_000) });
    const alice = track(connectClient(server.wsUrl, roomId));
    await alice.synced;
    const { replicas, journal, persistence, hocuspocus } = server.pairpad.collab;
    // A large room loads over several turns, and its copy is made after: a client can be synced before either.
    await vi.waitFor(() => expect(replicas.has(roomId)).toBe(true), { timeout: 20_000 });
    const document = hocuspocus.documents.get(roomId)!;
    alice.text.insert(0, 'typed before the fold. ');
    await vi.waitFor(() => expect(journal.pendingUpdates).toBe(1));
    expect(alice.provider.hasUnsyncedChanges).toBe(true);

    // The worker's answer is held: the fold is under way.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    cleanups.push(() => release());
    let encoding = false;
    const encode = replicas.encode.bind(replicas);
    replicas.encode = async (id) => {
      const encoded = encode(id);
      encoding = true;
      await gate;
      return encoded;
    };
    const folding = persistence.storeAll([document]);
    await vi.waitFor(() => expect(encoding).toBe(true));
    await journal.flush();
    await vi.waitFor(() => expect(alice.provider.hasUnsyncedChanges).toBe(false), { timeout: 5_000 });
    release();
    await folding;

    // The snapshot holds the edit, and so does its log row, which the next fold removes.
    const stored = (await server.pairpad.store.loadRoomState(roomId))!;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, stored.state);
    expect(doc.getText(CODE_TEXT).toString()).toBe(alice.text.toString());
    await persistence.storeAll([document]);
    expect((await server.pairpad.store.loadRoomState(roomId))!.updates).toEqual([]);
  });

  it('unloads a large room once its last person leaves, with every edit stored', async () => {
    const server = await startTestServer({ dialect, overrides: { foldWorkerMinBytes: 1024 } });
    cleanups.push(() => server.close());
    const { roomId } = await createRoom(server.baseUrl, { code: 'x'.repeat(5_000) });
    const alice = track(connectClient(server.wsUrl, roomId));
    await alice.synced;
    await vi.waitFor(() => expect(server.pairpad.collab.replicas.has(roomId)).toBe(true), { timeout: 20_000 });
    await typeConcurrently([alice], 200, 21);
    const expected = alice.text.toString();
    alice.destroy();
    await vi.waitFor(() => expect(server.pairpad.collab.hocuspocus.getDocumentsCount()).toBe(0), { timeout: 20_000 });
    // Folded before it left: no log row outlives the room.
    expect((await server.pairpad.store.loadRoomState(roomId))!.updates).toEqual([]);
    expect(await fetchRoomCode(server.baseUrl, roomId)).toBe(expected);
  }, 60_000);
});
