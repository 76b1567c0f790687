/**
 * `npm run bench:files`: what multi-file rooms cost (issue 15).
 *
 * (a) Sync: the time a `@hocuspocus/provider` takes from connecting to
 *     synced, for a room of 200 files of 5 KB against a room of one 1 MB
 *     file (same characters, same number of pastes of 100 characters at
 *     random places), stored on SQLite. Cold: the server restarted, the room
 *     loaded from storage for this client (the order of the two rooms
 *     alternates). Warm: the room loaded (another client holds it). Target:
 *     files / single ≤ 1.5.
 * (b) Typing: the guard's cost per keystroke (`inspectUpdate` plus the size
 *     check, in this process) in one file of a 200-file room against the
 *     single-file room; and the end-to-end latency from a keystroke leaving
 *     one client to its arrival at another (server in its own process).
 *
 * One Pairpad server process (SQLite, Yjs warm-up on, as in production).
 * FILES_BENCH_ROUNDS (default 6) cold/warm rounds; FILES_BENCH_KEYSTROKES
 * (default 400, one every 20 ms) per room. Prints JSON and a table; never
 * fails on a figure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { currentRoomBytes } from '../../server/collab/room-size.ts';
import { inspectUpdate } from '../../server/collab/update-guard.ts';
import { CODE_TEXT } from '../../shared/protocol.ts';
import { findFile, readFileTree, writeFile } from '../../shared/room-files.ts';
import { spawnServer, type ChildServer } from '../support/child-server.ts';
import { connectClient, connectYjsClient, createRandom, type TestClient } from '../support/providers.ts';
import { createRoom } from '../support/server.ts';
import { formatTable, median, percentile, round } from './support/stats.ts';

const rounds = Number(process.env.FILES_BENCH_ROUNDS ?? 6);
const keystrokes = Number(process.env.FILES_BENCH_KEYSTROKES ?? 400);
const FILES = 200;
const FILE_CHARS = 5_000;
const CHUNK = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('timed out');
    await sleep(5);
  }
}

/** Pastes `chars` characters into `text` in chunks of 100 at random places, as history would. */
function fill(text: Y.Text, chars: number, random: () => number): void {
  for (let written = 0; written < chars; written += CHUNK) {
    text.insert(Math.floor(random() * (text.length + 1)), 'abcdefghi\n'.repeat(CHUNK / 10));
  }
}

/** Fills a room through a provider (several messages, each under the message limit) and waits until stored. */
async function buildRoom(client: TestClient, shape: 'files' | 'single'): Promise<void> {
  const random = createRandom(shape === 'files' ? 1 : 2);
  if (shape === 'single') {
    for (let part = 0; part < 5; part++) {
      client.doc.transact(() => fill(client.text, (FILES * FILE_CHARS) / 5, random));
      await waitFor(() => !client.provider.hasUnsyncedChanges);
    }
    return;
  }
  for (let batch = 0; batch < FILES; batch += 20) {
    client.doc.transact(() => {
      for (let i = batch; i < batch + 20; i++) {
        if (i === 0) fill(client.text, FILE_CHARS, random); // the entry file is one of the 200
        else {
          writeFile(client.doc, `src/module${String(i).padStart(3, '0')}.py`, '');
          fill(findFile(client.doc, `src/module${String(i).padStart(3, '0')}.py`)!.text, FILE_CHARS, random);
        }
      }
    });
    await waitFor(() => !client.provider.hasUnsyncedChanges);
  }
}

/** Milliseconds from creating a provider to its first sync. */
async function timeSync(server: ChildServer, roomId: string): Promise<{ ms: number; client: TestClient }> {
  const started = performance.now();
  const client = connectClient(server.wsUrl, roomId);
  await client.synced;
  return { ms: performance.now() - started, client };
}

/** Latency of each keystroke from `typist` to `peer` (both in this process, so one clock). */
async function typingLatency(typist: TestClient, peerText: Y.Text, typistText: Y.Text): Promise<number[]> {
  const latencies: number[] = [];
  let sentAt = 0;
  let expected = -1;
  const observer = () => {
    if (peerText.length === expected) latencies.push(performance.now() - sentAt);
  };
  peerText.observe(observer);
  for (let i = 0; i < keystrokes; i++) {
    expected = peerText.length + 1;
    sentAt = performance.now();
    typistText.insert(Math.floor(typistText.length / 2), 'k');
    await waitFor(() => peerText.length >= expected, 10_000);
    await sleep(20);
  }
  peerText.unobserve(observer);
  await waitFor(() => !typist.provider.hasUnsyncedChanges);
  return latencies;
}

/** Guard cost per keystroke, in this process, on a copy of a room. */
function guardCost(state: Uint8Array, textOf: (doc: Y.Doc) => Y.Text): { p50Ns: number; p99Ns: number; meanNs: number } {
  const room = new Y.Doc();
  Y.applyUpdate(room, state);
  const typist = new Y.Doc();
  Y.applyUpdate(typist, state);
  const text = textOf(typist);
  const random = createRandom(3);
  const samples: number[] = [];
  currentRoomBytes(room);
  for (let i = 0; i < 20_000; i++) {
    const updates: Uint8Array[] = [];
    const listener = (update: Uint8Array) => updates.push(update);
    typist.on('update', listener);
    if (random() < 0.2 && text.length > 0) text.delete(Math.floor(random() * text.length), 1);
    else text.insert(Math.floor(random() * (text.length + 1)), 'k');
    typist.off('update', listener);
    const started = process.hrtime.bigint();
    const verdict = inspectUpdate(updates[0], room);
    if (verdict.ok) currentRoomBytes(room);
    const elapsed = Number(process.hrtime.bigint() - started);
    if (!verdict.ok) throw new Error(`a keystroke was refused: ${JSON.stringify(verdict)}`);
    if (i >= 2_000) samples.push(elapsed);
    Y.applyUpdate(room, updates[0]);
  }
  samples.sort((a, b) => a - b);
  return { p50Ns: Math.round(percentile(samples, 50)), p99Ns: Math.round(percentile(samples, 99)), meanNs: Math.round(samples.reduce((a, b) => a + b, 0) / samples.length) };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pairpad-files-bench-'));
  const env = { DATA_DIR: dataDir, RATE_LIMIT_ROOM_CREATE: '0', RATE_LIMIT_CONNECTIONS: '0', YJS_WARM_UP: '1' };
  let server = await spawnServer(env);
  const stop = async () => {
    server.kill('SIGTERM');
    await server.exited;
  };
  try {
    const rooms = { files: (await createRoom(server.baseUrl, { code: '', language: 'python' })).roomId, single: (await createRoom(server.baseUrl, { code: '', language: 'python' })).roomId };
    const states: Record<'files' | 'single', Uint8Array> = { files: new Uint8Array(), single: new Uint8Array() };
    for (const shape of ['files', 'single'] as const) {
      const builder = connectClient(server.wsUrl, rooms[shape]);
      await builder.synced;
      await buildRoom(builder, shape);
      states[shape] = Y.encodeStateAsUpdate(builder.doc);
      builder.destroy();
    }
    const stateBytes = { files: states.files.length, single: states.single.length };

    const cold: Record<'files' | 'single', number[]> = { files: [], single: [] };
    const warm: Record<'files' | 'single', number[]> = { files: [], single: [] };
    for (let round = 0; round < rounds; round++) {
      await stop();
      server = await spawnServer(env);
      const order = round % 2 === 0 ? (['files', 'single'] as const) : (['single', 'files'] as const);
      const holders: TestClient[] = [];
      for (const shape of order) {
        const { ms, client } = await timeSync(server, rooms[shape]);
        cold[shape].push(ms);
        if (shape === 'files' && readFileTree(client.doc).files.length !== FILES) throw new Error('the files room did not sync whole');
        holders.push(client);
      }
      for (const shape of order) {
        const { ms, client } = await timeSync(server, rooms[shape]);
        warm[shape].push(ms);
        client.destroy();
      }
      holders.forEach((client) => client.destroy());
    }

    const typing: Record<'files' | 'single', number[]> = { files: [], single: [] };
    for (const shape of ['files', 'single'] as const) {
      const typist = connectClient(server.wsUrl, rooms[shape]);
      const peer = connectYjsClient(server.wsUrl, rooms[shape]);
      await Promise.all([typist.synced, peer.synced]);
      const textOf = (doc: Y.Doc) => (shape === 'files' ? findFile(doc, 'src/module100.py')!.text : doc.getText(CODE_TEXT));
      typing[shape] = await typingLatency(typist, textOf(peer.doc), textOf(typist.doc));
      typist.destroy();
      peer.destroy();
    }

    const guard = {
      files: guardCost(states.files, (doc) => findFile(doc, 'src/module100.py')!.text),
      single: guardCost(states.single, (doc) => doc.getText(CODE_TEXT)),
    };

    const summary = (values: number[]) => ({ median: round(median(values), 1), min: round(Math.min(...values), 1), max: round(Math.max(...values), 1) });
    const latency = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return { p50: round(percentile(sorted, 50), 2), p99: round(percentile(sorted, 99), 2), count: sorted.length };
    };
    const result = {
      bench: 'files',
      rounds,
      stateBytes,
      coldSyncMs: { files: summary(cold.files), single: summary(cold.single), ratio: round(median(cold.files) / median(cold.single), 2) },
      warmSyncMs: { files: summary(warm.files), single: summary(warm.single), ratio: round(median(warm.files) / median(warm.single), 2) },
      guardNs: guard,
      peerLatencyMs: { files: latency(typing.files), single: latency(typing.single) },
    };
    console.log(JSON.stringify(result));
    console.log(
      formatTable(
        ['measure', '200 files × 5 KB', '1 file × 1 MB', 'ratio'],
        [
          ['stored state (bytes)', stateBytes.files, stateBytes.single, round(stateBytes.files / stateBytes.single, 2)],
          ['cold sync, median ms', result.coldSyncMs.files.median, result.coldSyncMs.single.median, result.coldSyncMs.ratio],
          ['warm sync, median ms', result.warmSyncMs.files.median, result.warmSyncMs.single.median, result.warmSyncMs.ratio],
          ['guard per keystroke, p50 ns', guard.files.p50Ns, guard.single.p50Ns, round(guard.files.p50Ns / guard.single.p50Ns, 2)],
          ['guard per keystroke, p99 ns', guard.files.p99Ns, guard.single.p99Ns, round(guard.files.p99Ns / guard.single.p99Ns, 2)],
          ['peer latency p50 ms', result.peerLatencyMs.files.p50, result.peerLatencyMs.single.p50, round(result.peerLatencyMs.files.p50 / result.peerLatencyMs.single.p50, 2)],
          ['peer latency p99 ms', result.peerLatencyMs.files.p99, result.peerLatencyMs.single.p99, round(result.peerLatencyMs.files.p99 / result.peerLatencyMs.single.p99, 2)],
        ],
      ),
    );
  } finally {
    await stop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
