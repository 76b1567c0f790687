/**
 * `npm run bench:fold-stall`: how long typing in other rooms waits while a
 * room of two million characters folds, and while it loads.
 *
 * One Pairpad server (SQLite, its own process). A big room is filled with
 * 2,000,000 characters in 20,000 pastes of 100 at random places (as a long
 * session leaves a document: many Yjs items, not one). Four small rooms each
 * have a typist (a keystroke every 40 ms) and a peer; the latency is from the
 * typist's keystroke to the peer having it (same process, same clock).
 * Phase "fold": someone types a character in the big room every 2.5 s, so it
 * folds about every 2.5 s (the 2 s store debounce). Phase "load": the big
 * room leaves memory and is opened again, three times.
 *
 * Runs twice: with the fold worker off (`FOLD_WORKER_MIN_BYTES` huge: folds
 * on the event loop, as before) and on (default). Prints JSON and a table.
 * FOLD_STALL_SECONDS (default 25) sets the length of the fold phase;
 * FOLD_STALL_ONLY_AFTER=1 runs only the second mode. With the worker on, a
 * large room also loads in chunks split by the worker (`update-chunks.ts`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { spawnServer, type ChildServer } from '../support/child-server.ts';
import { connectClient, createRandom, type TestClient } from '../support/providers.ts';
import { createRoom } from '../support/server.ts';
import { formatTable, summarizeLatencies, type LatencySummary } from './support/stats.ts';

const foldSeconds = Number(process.env.FOLD_STALL_SECONDS ?? 25);
const SMALL_ROOMS = 4;
const KEYSTROKE_MS = 40;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('timed out');
    await sleep(10);
  }
}

/** Fills the big room: 20 messages of 1,000 pastes of 100 characters each, at random places. */
async function fillBigRoom(server: ChildServer, roomId: string): Promise<void> {
  const writer = connectClient(server.wsUrl, roomId);
  await writer.synced;
  const random = createRandom(2);
  for (let message = 0; message < 20; message++) {
    writer.doc.transact(() => {
      for (let i = 0; i < 1_000; i++) writer.text.insert(Math.floor(random() * (writer.text.length + 1)), 'abcdefghij'.repeat(10));
    });
    await waitFor(() => !writer.provider.hasUnsyncedChanges);
  }
  writer.destroy();
}

/**
 * Opens a room over `/yjs` and waits for the server's whole-room answer without
 * decoding it: a provider here would apply two million characters in this
 * process, and the pairs' latencies (measured here too) would include that.
 */
async function openRoomRaw(server: ChildServer, roomId: string): Promise<void> {
  const socket = new WebSocket(`${server.wsUrl}/yjs/${roomId}`);
  await new Promise<void>((resolve, reject) => {
    socket.on('open', () => socket.send(Uint8Array.of(0, 0, 1, 0))); // sync step 1 with an empty state vector
    socket.on('message', (data: Buffer) => {
      if (data[0] === 0 && data[1] === 1) resolve(); // sync step 2: the room is loaded
    });
    socket.on('error', reject);
  });
  socket.close();
}

/** A typist and a peer in one small room; `latencies` gets keystroke-to-peer times while `recording`. */
interface Pair {
  typist: TestClient;
  peer: TestClient;
  typed: number[];
  destroy(): void;
}

async function openPair(server: ChildServer): Promise<Pair> {
  const { roomId } = await createRoom(server.baseUrl, { code: '' });
  const typist = connectClient(server.wsUrl, roomId);
  const peer = connectClient(server.wsUrl, roomId);
  await Promise.all([typist.synced, peer.synced]);
  return { typist, peer, typed: [], destroy: () => (typist.destroy(), peer.destroy()) };
}

/** Types in every pair until `stop()`; returns the keystroke-to-peer latencies (ms) and how many keystrokes were owed. */
function typeInPairs(pairs: Pair[]): { stop(): Promise<{ latencies: number[]; owed: number }> } {
  const latencies: number[] = [];
  let owed = 0;
  let typing = true;
  const loops = pairs.map(async (pair, index) => {
    const sentAt: number[] = [];
    const base = pair.peer.text.length;
    let delivered = 0;
    const onUpdate = () => {
      const arrived = pair.peer.text.length - base;
      const now = performance.now();
      while (delivered < arrived && delivered < sentAt.length) latencies.push(now - sentAt[delivered++]);
    };
    pair.peer.doc.on('update', onUpdate);
    await sleep((index * KEYSTROKE_MS) / pairs.length);
    while (typing) {
      sentAt.push(performance.now());
      owed++;
      pair.typist.text.insert(pair.typist.text.length, 'k');
      await sleep(KEYSTROKE_MS);
    }
    await waitFor(() => delivered >= sentAt.length, 30_000).catch(() => undefined);
    pair.peer.doc.off('update', onUpdate);
  });
  return {
    async stop() {
      typing = false;
      await Promise.all(loops);
      return { latencies, owed };
    },
  };
}

async function readStoreMetrics(server: ChildServer): Promise<{ folds: number; seconds: number }> {
  const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
  const read = (name: string) => Number(text.split('\n').find((line) => line.startsWith(`${name} `))?.split(' ')[1] ?? Number.NaN);
  return { folds: read('pairpad_store_duration_seconds_count'), seconds: read('pairpad_store_duration_seconds_sum') };
}

interface ModeResult {
  mode: string;
  fold: LatencySummary & { folds: number; meanFoldMs: number };
  load: LatencySummary & { loads: number };
}

async function runMode(mode: 'event loop (before)' | 'worker (after)'): Promise<ModeResult> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pairpad-fold-stall-'));
  const env = {
    DATA_DIR: dataDir,
    RATE_LIMIT_ROOM_CREATE: '0',
    RATE_LIMIT_CONNECTIONS: '0',
    YJS_WARM_UP: '1',
    ...(mode === 'event loop (before)' ? { FOLD_WORKER_MIN_BYTES: String(2 ** 50) } : {}),
  };
  let server = await spawnServer(env);
  try {
    const { roomId: bigRoomId } = await createRoom(server.baseUrl, { code: '' });
    process.stderr.write(`[${mode}] filling the big room\n`);
    await fillBigRoom(server, bigRoomId);
    // Restart, so the big room loads from storage (the worker gets its copy at load).
    server.kill('SIGTERM');
    await server.exited;
    server = await spawnServer(env);
    const pairs = await Promise.all(Array.from({ length: SMALL_ROOMS }, () => openPair(server)));
    const editor = connectClient(server.wsUrl, bigRoomId);
    await editor.synced;
    if (editor.text.length < 1_900_000) throw new Error(`big room has ${editor.text.length} characters`);

    // Phase "fold".
    process.stderr.write(`[${mode}] fold phase, ${foldSeconds} s\n`);
    await sleep(3_000); // the load's own fold settles
    const before = await readStoreMetrics(server);
    const foldTyping = typeInPairs(pairs);
    const deadline = performance.now() + foldSeconds * 1_000;
    while (performance.now() < deadline) {
      editor.text.insert(0, 'e');
      await sleep(2_500);
    }
    await sleep(2_500);
    const foldRun = await foldTyping.stop();
    const after = await readStoreMetrics(server);
    const folds = after.folds - before.folds;

    // Phase "load": the big room leaves memory, then opens again, while the pairs type.
    process.stderr.write(`[${mode}] load phase\n`);
    editor.destroy();
    const loadTyping = typeInPairs(pairs);
    const loads = 3;
    for (let i = 0; i < loads; i++) {
      await sleep(4_000); // it folds and unloads
      await openRoomRaw(server, bigRoomId);
    }
    await sleep(4_000);
    const loadRun = await loadTyping.stop();
    pairs.forEach((pair) => pair.destroy());
    return {
      mode,
      fold: { ...summarizeLatencies(foldRun.latencies, foldRun.owed), folds, meanFoldMs: folds > 0 ? ((after.seconds - before.seconds) / folds) * 1_000 : Number.NaN },
      load: { ...summarizeLatencies(loadRun.latencies, loadRun.owed), loads },
    };
  } finally {
    // SIGTERM: a profiled server (SERVER_NODE_ARGS=--cpu-prof) writes its profile.
    server.kill('SIGTERM');
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const modes = (['event loop (before)', 'worker (after)'] as const).filter((mode) => !process.env.FOLD_STALL_ONLY_AFTER || mode === 'worker (after)');
  const results: ModeResult[] = [];
  for (const mode of modes) results.push(await runMode(mode));
  console.log(JSON.stringify({ bench: 'fold-stall', bigRoomCharacters: 2_000_000, smallRooms: SMALL_ROOMS, keystrokeMs: KEYSTROKE_MS, results }, null, 2));
  console.log(
    formatTable(
      ['folds on', 'phase', 'folds/loads', 'mean fold ms', 'keystrokes', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
      results.flatMap((result) => [
        [result.mode, 'big room folds', result.fold.folds, Math.round(result.fold.meanFoldMs), result.fold.samples, result.fold.p50, result.fold.p95, result.fold.p99, result.fold.max],
        [result.mode, 'big room loads', result.load.loads, '–', result.load.samples, result.load.p50, result.load.p95, result.load.p99, result.load.max],
      ]),
    ),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
