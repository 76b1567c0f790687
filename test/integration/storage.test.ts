import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { CODE_TEXT } from '../../shared/protocol.ts';
import { encodeNewRoomState, readRoomContent } from '../../shared/room-doc.ts';
import { openStorage, type Storage } from '../../server/storage/database.ts';
import { checkMigrationResult, migrateToLatest } from '../../server/storage/migrator.ts';
import { createRoomStore, type RoomStore } from '../../server/storage/room-store.ts';
import { toStoredText } from '../../server/storage/stored-text.ts';
import { spawnServer } from '../support/child-server.ts';
import { createPostgresDatabase, dialects } from '../support/databases.ts';
import { readHealth } from '../support/http.ts';
import { connectClient } from '../support/providers.ts';
import { createRoom, fetchRoomCode, restartTestServer, startTestServer } from '../support/server.ts';

/** Text no SQL text column takes as it is: NUL, lone surrogates of both kinds, and characters of every plane. */
const AWKWARD_TEXT = 'nul:\0 high:\uD800 low:\uDFFF astral:😀𝄞\u{10FFFF} bmp:é中\uFFFF end\n';

/** What a Yjs document holds after `text` went through an update (Yjs encodes strings as UTF-8). */
function throughYjs(text: string): string {
  const doc = new Y.Doc();
  doc.getText(CODE_TEXT).insert(0, text);
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  return copy.getText(CODE_TEXT).toString();
}

/** Any UTF-16 string: every plane, with NUL and lone surrogates mixed in often. */
const anyText = fc.string({
  unit: fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    fc.constant('\0'),
    fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)),
  ),
  maxLength: 60,
});

function updateInserting(text: string): Uint8Array {
  const doc = new Y.Doc();
  let update!: Uint8Array;
  doc.on('update', (value: Uint8Array) => (update = value));
  doc.getText('code').insert(0, text);
  return update;
}

// One contract, run against every dialect.
describe.each(dialects)('room store on %s', (dialect) => {
  let storage: Storage;
  let store: RoomStore;
  let cleanup: () => Promise<void>;
  let currentUrl: () => Promise<string>;

  beforeEach(async () => {
    if (dialect === 'postgres') {
      const database = await createPostgresDatabase();
      storage = openStorage({ databaseUrl: database.url, sqlitePath: '' });
      cleanup = database.drop;
      currentUrl = async () => database.url;
    } else {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'pairpad-store-'));
      storage = openStorage({ databaseUrl: undefined, sqlitePath: path.join(dir, 'nested', 'pairpad.db') });
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
    checkMigrationResult(await migrateToLatest(storage.db));
    store = createRoomStore(storage);
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  const content = { code: 'print("hi")\n', language: 'python' as const, title: 'T' };
  const newRoom = (id: string) => store.createRoom({ id, viewId: `view-${id}`, ...content, state: encodeNewRoomState(content) });

  it.runIf(dialect === 'sqlite')('creates the SQLite file with its folder, in WAL mode', async () => {
    const { rows } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(storage.db);
    expect(rows[0].journal_mode).toBe('wal');
    const { rows: keys } = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(storage.db);
    expect(keys[0].foreign_keys).toBe(1);
  });

  it('creates, finds and reports rooms; a missing room is undefined', async () => {
    const record = await newRoom('room-0000001');
    expect(record).toMatchObject({ id: 'room-0000001', ...content });
    expect(await store.findRoom('room-0000001')).toEqual(record);
    expect(await store.roomExists('room-0000001')).toBe(true);
    expect(await store.findRoom('room-missing')).toBeUndefined();
    expect(await store.roomExists('room-missing')).toBe(false);
    expect(await store.loadRoomState('room-missing')).toBeUndefined();
  });

  it('keeps the Yjs state and the plain text side by side for SQL readers', async () => {
    await newRoom('room-0000002');
    const rows = await sql<{ code: string }>`select code from rooms where id = ${'room-0000002'}`.execute(storage.db);
    expect(rows.rows[0].code).toBe(content.code);
  });

  it('appends log rows in order and loads them after the snapshot', async () => {
    await newRoom('room-0000003');
    const ids = await store.appendUpdates([
      { roomId: 'room-0000003', update: updateInserting('a') },
      { roomId: 'room-0000003', update: updateInserting('b') },
    ]);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBeGreaterThan(ids[0]);
    const loaded = await store.loadRoomState('room-0000003');
    expect(loaded?.updates.map((row) => row.id)).toEqual(ids);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, loaded!.state);
    for (const row of loaded!.updates) Y.applyUpdate(doc, row.update);
    expect(doc.getText('code').toString()).toContain(content.code);
    expect(doc.getText('code').length).toBe(content.code.length + 2);
  });

  it('never lets a log append join a fold\'s open transaction (a rollback, or a crash before the commit, would take acknowledged rows with it)', async () => {
    await newRoom('room-0000013');
    const loaded = (await store.loadRoomState('room-0000013'))!;
    let append: Promise<number[]> | undefined;
    const fold = store.foldRoom('room-0000013', loaded.stateVersion, new Set(), {
      apply: () => {},
      encode: () => {
        // The journal's write comes in the middle of the fold (a microtask while its transaction is open), and the fold then fails.
        queueMicrotask(() => (append = store.appendUpdates([{ roomId: 'room-0000013', update: updateInserting('kept') }])));
        throw new Error('the fold fails after the append');
      },
    });
    await expect(fold).rejects.toThrow('the fold fails after the append');
    const [id] = await append!;
    expect((await store.loadRoomState('room-0000013'))?.updates.map((row) => row.id)).toEqual([id]);
  });

  it('folds: takes in unseen log rows, writes the snapshot and text, deletes exactly the folded rows', async () => {
    await newRoom('room-0000004');
    const loaded = (await store.loadRoomState('room-0000004'))!;
    const live = new Y.Doc();
    Y.applyUpdate(live, loaded.state);
    // Another instance wrote a row this document has not seen.
    const [foreignId] = await store.appendUpdates([{ roomId: 'room-0000004', update: updateInserting('foreign ') }]);
    live.getText('code').insert(0, 'ours ');
    const applied: Uint8Array[] = [];
    const result = await store.foldRoom('room-0000004', loaded.stateVersion, new Set(), {
      apply: (update) => {
        applied.push(update);
        Y.applyUpdate(live, update);
      },
      encode: () => ({ state: Y.encodeStateAsUpdate(live), ...readRoomContent(live) }),
    });
    expect(applied).toHaveLength(1);
    expect(result).toEqual({ stateVersion: loaded.stateVersion + 1, foldedLogIds: [foreignId] });
    const after = (await store.loadRoomState('room-0000004'))!;
    expect(after.updates).toEqual([]);
    expect(after.stateVersion).toBe(loaded.stateVersion + 1);
    expect(after.record.code).toBe(live.getText('code').toString());
    expect(after.record.code).toContain('foreign ');
    expect(after.record.code).toContain('ours ');
  });

  it('a fold from a stale snapshot version first takes in the newer snapshot', async () => {
    await newRoom('room-0000005');
    const loaded = (await store.loadRoomState('room-0000005'))!;
    const other = new Y.Doc();
    Y.applyUpdate(other, loaded.state);
    other.getText('code').insert(0, 'other instance ');
    await store.foldRoom('room-0000005', loaded.stateVersion, new Set(), {
      apply: (update) => Y.applyUpdate(other, update),
      encode: () => ({ state: Y.encodeStateAsUpdate(other), ...readRoomContent(other) }),
    });
    const mine = new Y.Doc();
    Y.applyUpdate(mine, loaded.state);
    mine.getText('code').insert(mine.getText('code').length, '// mine');
    await store.foldRoom('room-0000005', loaded.stateVersion, new Set(), {
      apply: (update) => Y.applyUpdate(mine, update),
      encode: () => ({ state: Y.encodeStateAsUpdate(mine), ...readRoomContent(mine) }),
    });
    const code = (await store.findRoom('room-0000005'))!.code;
    expect(code).toContain('other instance ');
    expect(code).toContain('// mine');
  });

  // Several instances share a database only on Postgres; a SQLite file belongs to one process.
  it.runIf(dialect === 'postgres')('loses nothing when two instances append and fold the same room at the same time', async () => {
    await newRoom('room-0000006');
    const second = createRoomStore(openStorage({ databaseUrl: await currentUrl(), sqlitePath: '' }));
    try {
      const instances = await Promise.all([store, second].map(async (instanceStore, index) => {
        const loaded = (await instanceStore.loadRoomState('room-0000006'))!;
        const doc = new Y.Doc();
        Y.applyUpdate(doc, loaded.state);
        return { store: instanceStore, doc, version: loaded.stateVersion, known: new Set<number>(), letter: 'pq'[index] };
      }));
      await Promise.all(instances.map(async (instance) => {
        for (let round = 0; round < 15; round++) {
          let update!: Uint8Array;
          instance.doc.once('update', (value: Uint8Array) => (update = value));
          instance.doc.getText('code').insert(0, instance.letter);
          const [id] = await instance.store.appendUpdates([{ roomId: 'room-0000006', update }]);
          instance.known.add(id);
          if (round % 3 === 2) {
            const result = await instance.store.foldRoom('room-0000006', instance.version, instance.known, {
              apply: (bytes) => Y.applyUpdate(instance.doc, bytes),
              encode: () => ({ state: Y.encodeStateAsUpdate(instance.doc), ...readRoomContent(instance.doc) }),
            });
            instance.version = result.stateVersion;
            result.foldedLogIds.forEach((folded) => instance.known.delete(folded));
          }
        }
      }));
      const final = (await store.loadRoomState('room-0000006'))!;
      const doc = new Y.Doc();
      Y.applyUpdate(doc, final.state);
      for (const row of final.updates) Y.applyUpdate(doc, row.update);
      const code = doc.getText('code').toString();
      expect(code.match(/p/g)?.length).toBe(15 + (content.code.match(/p/g)?.length ?? 0));
      expect(code.match(/q/g)?.length).toBe(15);
      expect(final.stateVersion).toBe(10); // each fold bumped the version once: none was lost or doubled
    } finally {
      await second.close();
    }
  });

  it('stores any text the CRDT takes (NUL, lone surrogates, every plane): exact in the state, readable by SQL in the column', async () => {
    const awkward = { code: AWKWARD_TEXT, language: 'python' as const, title: 'T\0\uD800😀' };
    const created = await store.createRoom({ id: 'room-0000007', viewId: 'view-room-0000007', ...awkward, state: encodeNewRoomState(awkward) });
    expect(created.code).toBe(AWKWARD_TEXT);
    const readColumns = async () =>
      (await sql<{ code: string; title: string }>`select code, title from rooms where id = ${'room-0000007'}`.execute(storage.db)).rows[0];
    expect(await readColumns()).toEqual({ code: toStoredText(AWKWARD_TEXT), title: 'T\uFFFD\uFFFD😀' });
    // Read for REST, the record carries the document's text, which the column could not hold.
    expect((await store.loadRoomState('room-0000007', { exactText: true }))!.record.code).toBe(throughYjs(AWKWARD_TEXT));
    expect((await store.loadRoomState('room-0000007', { exactText: true }))!.record.code).toBe(throughYjs(AWKWARD_TEXT));
    // A load applies the state anyway, and is not made to decode it twice: it gets the column's text.
    const loaded = (await store.loadRoomState('room-0000007'))!;
    expect(loaded.record.code).toBe(toStoredText(AWKWARD_TEXT));

    const live = new Y.Doc();
    Y.applyUpdate(live, loaded.state);
    live.getText(CODE_TEXT).insert(0, '\0typed\uDBFF😀\0');
    await store.foldRoom('room-0000007', loaded.stateVersion, new Set(), {
      apply: (update) => Y.applyUpdate(live, update),
      encode: () => ({ state: Y.encodeStateAsUpdate(live), ...readRoomContent(live) }),
    });
    const expected = throughYjs(live.getText(CODE_TEXT).toString());
    expect((await readColumns()).code).toBe(toStoredText(expected));
    // Not the text read before the fold.
    expect((await store.loadRoomState('room-0000007', { exactText: true }))!.record.code).toBe(expected);
  });

  it('stores and folds any string (property)', async () => {
    let index = 0;
    await fc.assert(
      fc.asyncProperty(anyText, anyText, async (initial, typed) => {
        const id = `room-prop-${index++}`;
        const room = { code: initial, language: 'python' as const, title: typed };
        await store.createRoom({ id, viewId: `view-${id}`, ...room, state: encodeNewRoomState(room) });
        const loaded = (await store.loadRoomState(id, { exactText: true }))!;
        expect(loaded.record.code).toBe(throughYjs(initial));
        const live = new Y.Doc();
        Y.applyUpdate(live, loaded.state);
        live.getText(CODE_TEXT).insert(live.getText(CODE_TEXT).length, typed);
        await store.foldRoom(id, loaded.stateVersion, new Set(), {
          apply: (update) => Y.applyUpdate(live, update),
          encode: () => ({ state: Y.encodeStateAsUpdate(live), ...readRoomContent(live) }),
        });
        const expected = throughYjs(initial) + throughYjs(typed);
        expect((await store.loadRoomState(id, { exactText: true }))!.record.code).toBe(expected);
        const { rows } = await sql<{ code: string }>`select code from rooms where id = ${id}`.execute(storage.db);
        expect(rows[0].code).toBe(toStoredText(expected));
      }),
      { numRuns: 40 },
    );
  });

  it('binds a client id to the first key hash only (concurrent binds agree on one winner), finds bindings, and deletes them with the room', async () => {
    await newRoom('room-keys-01');
    await newRoom('room-keys-02');
    // Yjs client ids are varints; a decoder reads up to 2^53.
    const big = Number.MAX_SAFE_INTEGER;
    expect(await store.findClientKeys('room-keys-01', [1, big])).toEqual(new Map());
    const answers = await Promise.all(['hash-a', 'hash-b', 'hash-c'].map((hash) => store.bindClientKey('room-keys-01', 1, hash)));
    expect(new Set(answers).size).toBe(1);
    expect(['hash-a', 'hash-b', 'hash-c']).toContain(answers[0]);
    expect(await store.bindClientKey('room-keys-01', 1, 'hash-z')).toBe(answers[0]);
    expect(await store.bindClientKey('room-keys-01', big, 'hash-big')).toBe('hash-big');
    // Per room: the same id elsewhere is another binding.
    expect(await store.bindClientKey('room-keys-02', 1, 'hash-other')).toBe('hash-other');
    expect(await store.findClientKeys('room-keys-01', [1, 2, big])).toEqual(new Map([[1, answers[0]], [big, 'hash-big']]));
    expect(await store.bindClientKey('room-missing', 1, 'hash-a')).toBeUndefined();

    expect(await store.deleteRooms(['room-keys-01'])).toEqual(['room-keys-01']);
    const { rows } = await sql<{ room_id: string }>`select room_id from client_keys`.execute(storage.db);
    expect(rows.map((row) => row.room_id)).toEqual(['room-keys-02']);
  });

  it('answers ping while the database is up', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

describe.each(dialects)('any text through the server on %s', (dialect) => {
  it('takes NUL, lone surrogates and every plane through REST and the socket, stays healthy, unloads, and serves it after a restart', async () => {
    const server = await startTestServer({ dialect, overrides: { storeDebounceMs: 50, storeMaxDebounceMs: 200 } });
    let current = server;
    try {
      const { roomId, code } = await createRoom(server.baseUrl, { code: AWKWARD_TEXT, title: 'nul\0' });
      expect(code).toBe(AWKWARD_TEXT);
      const writer = connectClient(server.wsUrl, roomId);
      try {
        await writer.synced;
        writer.text.insert(writer.text.length, 'typed:\0\uD800😀\u{1F600}\0');
        await vi.waitFor(() => expect(writer.provider.hasUnsyncedChanges).toBe(false), { timeout: 10_000 });
        // The server's copy: the client's own keeps its lone surrogate, which Yjs sends as U+FFFD.
        const typed = throughYjs(writer.text.toString());
        expect(typed).toContain('typed:\0\uFFFD😀');
        // Every fold of the room succeeds: the instance stays healthy and nothing waits to be written.
        await vi.waitFor(async () => expect(await readHealth(server)).toMatchObject({ httpStatus: 200, pendingWrites: 0 }), { timeout: 10_000 });
        expect(server.pairpad.collab.persistence.failingRoomCount).toBe(0);
        expect(await fetchRoomCode(server.baseUrl, roomId)).toBe(typed);
        writer.destroy();
        await vi.waitFor(() => expect(server.pairpad.collab.hocuspocus.getDocumentsCount()).toBe(0), { timeout: 15_000 });
        // Unloaded: read from storage.
        expect(await fetchRoomCode(server.baseUrl, roomId)).toBe(typed);
        await server.stop();
        current = await restartTestServer(server);
        expect(await fetchRoomCode(current.baseUrl, roomId)).toBe(typed);
      } finally {
        writer.destroy();
      }
    } finally {
      await current.close();
    }
  });
});

describe.each(dialects)('a write that fails for one room\'s own reason on %s', (dialect) => {
  it('keeps that room\'s edits, leaves the instance healthy and the other rooms folding, and shutdown completes', async () => {
    const server = await startTestServer({ dialect, overrides: { storeDebounceMs: 50, storeMaxDebounceMs: 200 } });
    let current = server;
    const clients: { destroy(): void }[] = [];
    // A real database refusal (not a lost connection) for any snapshot whose code holds POISON.
    const storage = openStorage({ databaseUrl: server.config.databaseUrl, sqlitePath: server.config.sqlitePath });
    const poison =
      dialect === 'postgres'
        ? sql`alter table rooms add constraint no_poison check (position('POISON' in code) = 0) not valid`
        : sql`create trigger no_poison before update on rooms when instr(new.code, 'POISON') > 0 begin select raise(abort, 'poisoned room'); end`;
    const cure = dialect === 'postgres' ? sql`alter table rooms drop constraint no_poison` : sql`drop trigger no_poison`;
    try {
      await poison.execute(storage.db);
      const poisoned = (await createRoom(server.baseUrl, { code: 'poisoned room\n' })).roomId;
      const healthy = (await createRoom(server.baseUrl, { code: 'healthy room\n' })).roomId;
      const [inPoisoned, inHealthy] = [connectClient(server.wsUrl, poisoned), connectClient(server.wsUrl, healthy)];
      clients.push(inPoisoned, inHealthy);
      await Promise.all([inPoisoned.synced, inHealthy.synced]);
      inPoisoned.text.insert(inPoisoned.text.length, 'POISON typed\n');
      await vi.waitFor(() => expect(server.pairpad.collab.persistence.failingRoomCount).toBe(1), { timeout: 15_000 });
      const { persistence } = server.pairpad.collab;

      // The other room keeps folding: its snapshot takes each edit.
      for (let i = 0; i < 5; i++) {
        inHealthy.text.insert(inHealthy.text.length, `healthy ${i}\n`);
        await vi.waitFor(async () => expect((await server.pairpad.store.findRoom(healthy))!.code).toBe(inHealthy.text.toString()), { timeout: 15_000 });
      }
      inPoisoned.text.insert(inPoisoned.text.length, 'more typing\n');
      await vi.waitFor(async () => expect(await readHealth(server)).toMatchObject({ httpStatus: 200, status: 'ok', database: 'ok' }), { timeout: 10_000 });
      expect(persistence.failingRoomCount).toBe(1);
      const poisonedText = inPoisoned.text.toString();
      const healthyText = inHealthy.text.toString();
      await vi.waitFor(() => expect(inPoisoned.provider.hasUnsyncedChanges).toBe(false), { timeout: 10_000 });

      // Shutdown stores what the fold could not (the update log takes it) and completes.
      for (const client of clients) client.destroy();
      await expect(server.stop()).resolves.toBeUndefined();
      await cure.execute(storage.db);
      current = await restartTestServer(server);
      expect(await fetchRoomCode(current.baseUrl, poisoned)).toBe(poisonedText);
      expect(await fetchRoomCode(current.baseUrl, healthy)).toBe(healthyText);
    } finally {
      for (const client of clients) client.destroy();
      await storage.db.destroy();
      await current.close().catch(() => {});
    }
  });
});

describe.each(dialects)('start-up on %s', (dialect) => {
  it('stops with exit code 1 and names the migration when it fails', async () => {
    let env: Record<string, string>;
    let cleanup: () => Promise<void>;
  let currentUrl: () => Promise<string>;
    if (dialect === 'postgres') {
      const database = await createPostgresDatabase();
      env = { DATABASE_URL: database.url };
      cleanup = database.drop;
    } else {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'pairpad-migrate-'));
      env = { DATA_DIR: dir };
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
    // A table of the same name, left by something else, makes the first migration fail.
    const storage = openStorage({ databaseUrl: env.DATABASE_URL, sqlitePath: path.join(env.DATA_DIR ?? '', 'pairpad.db') });
    await sql`create table rooms (x integer)`.execute(storage.db);
    await storage.db.destroy();
    try {
      await expect(spawnServer(env)).rejects.toThrow(/exited \(1\)[\s\S]*Migration 2026_11_22_000000_create_rooms failed/);
    } finally {
      await cleanup();
    }
  });
});
