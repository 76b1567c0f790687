/**
 * `node --import tsx test/bench/sqlite-locking.bench.ts`: what holding the
 * SQLite file exclusively costs (or saves) against shared locking, on the
 * writes the server makes: group commits of the update log (the keystroke
 * path, every 50 ms) and folds (snapshot rewrite plus log delete). Prints
 * JSON and a table; never fails on a timing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { encodeNewRoomState, readRoomContent } from '../../shared/room-doc.ts';
import { openStorage } from '../../server/storage/database.ts';
import { checkMigrationResult, migrateToLatest } from '../../server/storage/migrator.ts';
import { createRoomStore } from '../../server/storage/room-store.ts';

const ROOMS = 20;
const COMMITS = 2_000;
const FOLDS = 300;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function measure(exclusive: boolean) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pairpad-bench-locking-'));
  const storage = openStorage({ databaseUrl: undefined, sqlitePath: path.join(dir, 'pairpad.db'), sqliteExclusiveLocking: exclusive });
  try {
    checkMigrationResult(await migrateToLatest(storage.db));
    const store = createRoomStore(storage);
    const content = { code: 'x'.repeat(2_000), language: 'python' as const, title: '' };
    const docs = new Map<string, Y.Doc>();
    for (let i = 0; i < ROOMS; i++) {
      const id = `bench-room-${i}`;
      const state = encodeNewRoomState(content);
      await store.createRoom({ id, viewId: `view-${id}`, ...content, state });
      const doc = new Y.Doc();
      Y.applyUpdate(doc, state);
      docs.set(id, doc);
    }
    const commitMs: number[] = [];
    for (let round = 0; round < COMMITS; round++) {
      const rows = [...docs].map(([roomId, doc]) => {
        let update!: Uint8Array;
        doc.once('update', (value: Uint8Array) => (update = value));
        doc.getText('code').insert(round % 100, 'k');
        return { roomId, update };
      });
      const started = performance.now();
      await store.appendUpdates(rows);
      commitMs.push(performance.now() - started);
    }
    const foldMs: number[] = [];
    const versions = new Map([...docs.keys()].map((id) => [id, 0]));
    for (let fold = 0; fold < FOLDS; fold++) {
      const id = `bench-room-${fold % ROOMS}`;
      const doc = docs.get(id)!;
      const started = performance.now();
      const result = await store.foldRoom(id, versions.get(id)!, new Set(), {
        apply: (update) => Y.applyUpdate(doc, update),
        encode: () => ({ state: Y.encodeStateAsUpdate(doc), ...readRoomContent(doc) }),
      });
      foldMs.push(performance.now() - started);
      versions.set(id, result.stateVersion);
    }
    commitMs.sort((a, b) => a - b);
    foldMs.sort((a, b) => a - b);
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    return {
      locking: exclusive ? 'exclusive' : 'shared',
      commitMeanMs: mean(commitMs),
      commitP99Ms: percentile(commitMs, 0.99),
      foldMeanMs: mean(foldMs),
      foldP99Ms: percentile(foldMs, 0.99),
    };
  } finally {
    await storage.db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
// Alternate, twice each, so neither mode always runs on a warmer machine.
for (const exclusive of [false, true, false, true]) results.push(await measure(exclusive));
console.log(JSON.stringify(results));
console.log(`| locking | group commit (${ROOMS} rows) mean / p99 ms | fold mean / p99 ms |`);
console.log('|---|---|---|');
for (const row of results) {
  console.log(`| ${row.locking} | ${row.commitMeanMs.toFixed(3)} / ${row.commitP99Ms.toFixed(3)} | ${row.foldMeanMs.toFixed(3)} / ${row.foldP99Ms.toFixed(3)} |`);
}
