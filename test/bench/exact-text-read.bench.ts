/**
 * `node --import tsx test/bench/exact-text-read.bench.ts`: what a REST read
 * of an unloaded room costs when its text holds a NUL (its column holds a
 * U+FFFD, so the exact text comes from the Yjs state): 20,000 typed inserts,
 * read 50 times. Prints the figures; never fails on a timing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { encodeNewRoomState, readRoomContent } from '../../shared/room-doc.ts';
import { openStorage } from '../../server/storage/database.ts';
import { checkMigrationResult, migrateToLatest } from '../../server/storage/migrator.ts';
import { createRoomStore } from '../../server/storage/room-store.ts';

const INSERTS = 20_000;
const READS = 50;

const dir = mkdtempSync(path.join(os.tmpdir(), 'pairpad-bench-exact-'));
const storage = openStorage({ databaseUrl: undefined, sqlitePath: path.join(dir, 'pairpad.db') });
checkMigrationResult(await migrateToLatest(storage.db));
const store = createRoomStore(storage);

// A room typed into at scattered places, with one NUL.
const doc = new Y.Doc();
Y.applyUpdate(doc, encodeNewRoomState({ code: '\0', language: 'python', title: 'T' }));
const text = doc.getText('code');
let seed = 1;
for (let i = 0; i < INSERTS; i++) {
  seed = (seed * 48271) % 2147483647;
  text.insert(seed % (text.length + 1), 'ab ');
}
const roomId = 'room-bench-exact-text';
await store.createRoom({ id: roomId, viewId: `view-${roomId}`, ...readRoomContent(doc), language: 'python', state: Y.encodeStateAsUpdate(doc) });

const started = performance.now();
for (let i = 0; i < READS; i++) await store.loadRoomState(roomId, { exactText: true });
const readsMs = performance.now() - started;
const loadStarted = performance.now();
for (let i = 0; i < READS; i++) await store.loadRoomState(roomId);
const loadsMs = performance.now() - loadStarted;
console.log(JSON.stringify({ inserts: INSERTS, chars: text.length, reads: READS, restReadMsEach: +(readsMs / READS).toFixed(2), loadReadMsEach: +(loadsMs / READS).toFixed(2) }));
await store.close();
rmSync(dir, { recursive: true, force: true });
