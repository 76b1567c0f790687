import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Document } from '@hocuspocus/server';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CODE_TEXT } from '../../shared/protocol.ts';
import { encodeNewRoomState, readRoomContent } from '../../shared/room-doc.ts';
import { recoverSpilledRooms, spillRooms } from '../../server/collab/spill.ts';
import { openStorage } from '../../server/storage/database.ts';
import { checkMigrationResult, migrateToLatest } from '../../server/storage/migrator.ts';
import { generateRoomId } from '../../server/rooms/room.service.ts';
import { createRoomStore, type RoomStore } from '../../server/storage/room-store.ts';
import { encodeRawUpdate } from '../support/crafted-updates.ts';

/** A logger whose lines the test can read. */
function capturingLogger() {
  const lines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { log, lines };
}

/** A room as Hocuspocus holds it: a Y.Doc with a name. */
function roomDocument(name: string, state: Uint8Array, code: string): Document {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  doc.getText(CODE_TEXT).insert(0, code);
  return Object.assign(doc, { name }) as unknown as Document;
}

describe('spilling rooms to disk and recovering them', () => {
  let root: string;
  let store: RoomStore;
  const content = { code: 'start\n', language: 'python' as const, title: 'T' };

  beforeEach(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'pairpad-spill-test-'));
    const storage = openStorage({ databaseUrl: undefined, sqlitePath: path.join(root, 'data', 'pairpad.db') });
    checkMigrationResult(await migrateToLatest(storage.db));
    store = createRoomStore(storage);
  });
  afterEach(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  async function newRoom(): Promise<{ id: string; state: Uint8Array }> {
    const id = generateRoomId();
    const state = encodeNewRoomState(content);
    await store.createRoom({ id, viewId: generateRoomId(), ...content, state });
    return { id, state };
  }

  it('creates its directory 0700 and writes files 0600', async () => {
    const room = await newRoom();
    const dir = path.join(root, 'spill');
    const { log } = capturingLogger();
    expect(await spillRooms([dir], [roomDocument(room.id, room.state, 'x')], log)).toEqual({ dir, rooms: 1 });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toEqual([`${room.id}.yjs`]);
    expect(statSync(path.join(dir, `${room.id}.yjs`)).mode & 0o777).toBe(0o600);
  });

  it.each([
    {
      kind: 'a symbolic link to a directory',
      prepare: (dir: string, target: string) => {
        mkdirSync(target, { mode: 0o700 });
        symlinkSync(target, dir);
      },
      problem: 'is not a directory',
    },
    {
      kind: 'a directory owned by another user',
      prepare: (dir: string) => {
        mkdirSync(dir, { mode: 0o700 });
        chownSync(dir, 65534, 65534);
      },
      problem: 'is owned by uid 65534',
    },
    {
      kind: 'a world-writable directory',
      prepare: (dir: string) => {
        mkdirSync(dir);
        chmodSync(dir, 0o777);
      },
      problem: 'is writable by group or others',
    },
  ])('skips $kind made beforehand, spilling to the next directory, and recovers nothing from it', async ({ prepare, problem }) => {
    const room = await newRoom();
    const planted = path.join(root, 'planted');
    const target = path.join(root, 'target');
    prepare(planted, target);
    const next = path.join(root, 'next');
    const { log, lines } = capturingLogger();

    expect(await spillRooms([planted, next], [roomDocument(room.id, room.state, 'spilled ')], log)).toEqual({ dir: next, rooms: 1 });
    expect(lines.some((line) => line.includes(`could not spill rooms to ${planted}`) && line.includes(problem))).toBe(true);
    expect(readdirSync(planted)).toEqual([]);
    expect(lstatSync(path.join(next, `${room.id}.yjs`)).mode & 0o777).toBe(0o600);

    // A file planted there is never applied.
    const other = await newRoom();
    writeFileSync(path.join(planted, `${other.id}.yjs`), Y.encodeStateAsUpdate(roomDocument(other.id, other.state, 'planted ')));
    expect(await recoverSpilledRooms([planted, next], store, log)).toBe(1);
    expect(lines.some((line) => line.includes(`not recovering spilled rooms from ${planted}`))).toBe(true);
    expect(readRoomContent(await loadDoc(other.id)).code).toBe('start\n');
    expect(readRoomContent(await loadDoc(room.id)).code).toBe('spilled start\n');
  });

  it('does not write through a symbolic link planted at the temporary file name', async () => {
    const room = await newRoom();
    const dir = path.join(root, 'spill');
    mkdirSync(dir, { mode: 0o700 });
    const victim = path.join(root, 'victim');
    writeFileSync(victim, 'untouched');
    symlinkSync(victim, path.join(dir, `${room.id}.yjs.tmp`));
    const { log } = capturingLogger();
    await spillRooms([dir], [roomDocument(room.id, room.state, 'x')], log);
    expect(statSync(victim).size).toBe('untouched'.length);
    expect(lstatSync(path.join(dir, `${room.id}.yjs`)).isFile()).toBe(true);
  });

  it('refuses a spilled update the guard refuses (a pending delete), keeping it aside, while a real spill is recovered', async () => {
    const real = await newRoom();
    const crafted = await newRoom();
    const dir = path.join(root, 'spill');
    const { log, lines } = capturingLogger();
    await spillRooms([dir], [roomDocument(real.id, real.state, 'typed ')], log);
    // Deletes of structs no one wrote: Yjs would keep them pending in the room for good.
    const pendingDelete = encodeRawUpdate([], [{ client: 424242, clock: 0, length: 5 }]);
    writeFileSync(path.join(dir, `${crafted.id}.yjs`), pendingDelete, { mode: 0o600 });

    expect(await recoverSpilledRooms([dir], store, log)).toBe(1);
    expect(readRoomContent(await loadDoc(real.id)).code).toBe('typed start\n');
    const stored = await store.loadRoomState(crafted.id);
    expect(stored?.updates).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual([`${crafted.id}.yjs.refused`]);
    expect(lines.some((line) => line.includes('refused a spilled room update (missing_dependencies)'))).toBe(true);
    // The next start leaves it alone.
    expect(await recoverSpilledRooms([dir], store, log)).toBe(0);
  });

  async function loadDoc(id: string): Promise<Y.Doc> {
    const stored = (await store.loadRoomState(id))!;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, stored.state);
    for (const row of stored.updates) Y.applyUpdate(doc, row.update);
    return doc;
  }
});
