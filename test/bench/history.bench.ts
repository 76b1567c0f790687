/**
 * `npm run bench:history`: the automerge-paper trace (259,778 edits, see
 * /work/shared/data/README.md or `PAPER_TRACE`) replayed into a room through
 * a real `@hocuspocus/provider` client, in the trace's transactions, a few
 * at a time as a fast typist's client sends them; once with history
 * recorded and once without. The trace's own times span 0.3 s, so history
 * is stamped as a modelled fast typist would make the edits (the recorder's
 * clock follows the replay: ~8 edits/s, a 4 s pause every 400 edits), and
 * versions close at those pauses. Reports: storage (SQLite after VACUUM) with
 * and without history and the history tables' bytes; versions; render time of
 * versions through the REST API (p50/p95 over up to 200 versions, in order
 * and shuffled); the first
 * 10 minutes of playback; typing latency (typist to a second client, p50/p99)
 * and CPU per keystroke: the whole process (client CPU included in both
 * runs, this is one process; history's worker thread included) and the main
 * thread's busy time alone, and the CPU of the busiest other threads (the
 * first is history's worker). Prints JSON lines and a table; never fails on a timing.
 * `BENCH_EDITS=n` replays only the first n edits; `BENCH_VARIANTS=with` only the run with history (`without`: only the other).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import SQLite from 'better-sqlite3';
import * as Y from 'yjs';
import { CODE_TEXT } from '../../shared/protocol.ts';
import { connectClient } from '../support/providers.ts';
import { createRoom, startTestServer } from '../support/server.ts';
import { formatTable, percentile, round } from './support/stats.ts';

const TRACE_PATH = process.env.PAPER_TRACE ?? '/work/shared/data/automerge-paper.json.gz';
/** Trace transactions sent between two yields to the event loop (a client's small batches). */
const BATCH = 8;
/** Every this many transactions, the typing latency is sampled. */
const SAMPLE_EVERY = 97;
/**
 * `BENCH_PACE_MS=n`: send one trace transaction every n ms (a person types
 * at ~120 ms a key) and sample the typing latency at every one, instead of
 * replaying as fast as the server takes it. Use with `BENCH_EDITS`.
 */
const PACE_MS = Number(process.env.BENCH_PACE_MS ?? 0);
/** The typist never runs more than this many transactions ahead of the second client (a real typist is slower). */
const MAX_AHEAD = 400;

interface Trace {
  startContent: string;
  endContent: string;
  txns: { time: string; patches: [number, number, string][] }[];
}

const trace = JSON.parse(gunzipSync(readFileSync(TRACE_PATH)).toString('utf8')) as Trace;
const limit = Number(process.env.BENCH_EDITS ?? Infinity);
let edits = 0;
const txns: Trace['txns'] = [];
for (const txn of trace.txns) {
  if (edits >= limit) break;
  txns.push(txn);
  edits += txn.patches.length;
}
const expected = txns.length === trace.txns.length ? trace.endContent : undefined;
/** A fast typist: ~8 edits a second, and a 4 s pause every 400 edits (about every 50 s). */
const TYPING_MS = 120;
const PAUSE_EVERY = 400;
const PAUSE_MS = 4_000;
const timeOf = (index: number) => Date.parse('2026-01-05T09:00:00.000Z') + index * TYPING_MS + Math.floor(index / PAUSE_EVERY) * PAUSE_MS;

const variant = async (withHistory: boolean) => {
  const server = await startTestServer({ overrides: { maxMessagesPerSecond: 1_000_000, maxDocumentChars: 8 * 1024 * 1024 } });
  const history = server.pairpad.collab.history;
  if (!withHistory) history.watch = () => {};
  // The trace's own times span 0.3 s (they are not a typist's): edits are stamped as a fast typist
  // makes them, one every TYPING_MS, with a pause of PAUSE_MS every PAUSE_EVERY edits.
  const startAt = Date.parse('2026-01-05T09:00:00.000Z');
  let virtual = startAt - 60_000;
  history.now = () => virtual;
  const { roomId } = await createRoom(server.baseUrl, { language: 'markdown', code: trace.startContent });
  const typist = connectClient(server.wsUrl, roomId);
  const reader = connectClient(server.wsUrl, roomId);
  await Promise.all([typist.synced, reader.synced]);
  typist.provider.setAwarenessField('user', { name: 'Martin', color: '#3366ff' });
  // The history worker thread's start is a one-time cost of the process (several seconds of CPU under tsx, far less
  // compiled), not a keystroke's: the typing figures start once it is ready, as the renders below start after a warm-up.
  if (withHistory) await server.pairpad.historyWorker.warm();
  const text = typist.doc.getText(CODE_TEXT);
  const client = typist.doc.clientID;
  const latencies: number[] = [];
  const waiting: { clock: number; sentAt: number }[] = [];
  reader.doc.on('update', () => {
    const clock = Y.getState(reader.doc.store, client);
    while (waiting.length > 0 && waiting[0].clock <= clock) latencies.push(performance.now() - waiting.shift()!.sentAt);
  });
  const cpuStart = process.cpuUsage();
  const threadsStart = threadCpuMs();
  const loopStart = performance.eventLoopUtilization();
  const wallStart = performance.now();
  for (let index = 0; index < txns.length; index++) {
    const txn = txns[index];
    virtual = timeOf(index);
    typist.doc.transact(() => {
      for (const [pos, del, ins] of txn.patches) {
        if (del > 0) text.delete(pos, del);
        if (ins) text.insert(pos, ins);
      }
    });
    if (PACE_MS > 0) {
      waiting.push({ clock: Y.getState(typist.doc.store, client), sentAt: performance.now() });
      await new Promise((resolve) => setTimeout(resolve, PACE_MS));
      continue;
    }
    if (index % SAMPLE_EVERY === 0) waiting.push({ clock: Y.getState(typist.doc.store, client), sentAt: performance.now() });
    if (index % BATCH === BATCH - 1) {
      await new Promise((resolve) => setImmediate(resolve));
      const target = Y.getState(typist.doc.store, client);
      // Flow control: wait while the second client is far behind.
      while (target - Y.getState(reader.doc.store, client) > MAX_AHEAD * 4) await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
  const target = Y.getState(typist.doc.store, client);
  while (Y.getState(reader.doc.store, client) < target) await new Promise((resolve) => setTimeout(resolve, 5));
  while (typist.provider.hasUnsyncedChanges) await new Promise((resolve) => setTimeout(resolve, 5));
  const cpu = process.cpuUsage(cpuStart);
  const threadsEnd = threadCpuMs();
  const loop = performance.eventLoopUtilization(loopStart);
  const wallMs = performance.now() - wallStart;
  const finalText = reader.doc.getText(CODE_TEXT).toString();
  if (expected !== undefined && finalText !== expected) throw new Error('the replay does not end in the trace\'s endContent');
  typist.destroy();
  reader.destroy();

  const result: Record<string, unknown> = {
    variant: withHistory ? 'with history' : 'without history',
    edits,
    ...(PACE_MS > 0 ? { paceMs: PACE_MS } : {}),
    replayS: round(wallMs / 1000, 1),
    typingP50Ms: round(percentile(latencies.sort((a, b) => a - b), 50)),
    typingP99Ms: round(percentile(latencies, 99)),
    cpuUsPerEdit: round((cpu.user + cpu.system) / edits, 1),
    // The main thread's busy time (sockets, clients and server share it here); the history worker's is not in it.
    mainThreadUsPerEdit: round((loop.active * 1000) / edits, 1),
    // CPU (user + system) of the main thread, and of every other thread (the history worker, V8's and libuv's helpers), from /proc.
    mainThreadCpuUsPerEdit: round(((threadsEnd.main - threadsStart.main) * 1000) / edits, 1),
    otherThreadsCpuUsPerEdit: round(((threadsEnd.others - threadsStart.others) * 1000) / edits, 1),
    busiestOtherThreadsCpuUsPerEdit: busiestThreads(threadsStart.byThread, threadsEnd.byThread, edits),
  };
  if (withHistory) {
    // Everything typed is a closed version once the clock passed the last pause.
    virtual += 3_600_000;
    let versions: { versionId: string; at: string }[] = [];
    for (let attempt = 0; attempt < 600; attempt++) {
      const response = await fetch(`${server.baseUrl}/api/rooms/${roomId}/history?limit=1000`);
      versions = ((await response.json()) as { versions: { versionId: string; at: string }[] }).versions;
      const pending = (server.pairpad.store as unknown as object) && (await countSegments(server.config.sqlitePath));
      if (pending === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // The history worker thread starts at its first task: not part of a render's time.
    await fetch(`${server.baseUrl}/api/rooms/${roomId}/history/${versions[0].versionId}`).then((response) => response.text());
    const step = Math.max(1, Math.floor(versions.length / 200));
    const renders: number[] = [];
    let lastContent = '';
    for (let index = 0; index < versions.length; index += step) {
      const started = performance.now();
      const response = await fetch(`${server.baseUrl}/api/rooms/${roomId}/history/${versions[index].versionId}`, { headers: { accept: 'text/plain' } });
      lastContent = await response.text();
      renders.push(performance.now() - started);
    }
    // The same versions in a shuffled order (a seeded shuffle): the worker's render cache only helps renders that go forward.
    const sampled: string[] = [];
    for (let index = 0; index < versions.length; index += step) sampled.push(versions[index].versionId);
    let seed = 17;
    for (let index = sampled.length - 1; index > 0; index--) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      const other = seed % (index + 1);
      [sampled[index], sampled[other]] = [sampled[other], sampled[index]];
    }
    const shuffledRenders: number[] = [];
    for (const versionId of sampled) {
      const started = performance.now();
      await (await fetch(`${server.baseUrl}/api/rooms/${roomId}/history/${versionId}`, { headers: { accept: 'text/plain' } })).text();
      shuffledRenders.push(performance.now() - started);
    }
    shuffledRenders.sort((a, b) => a - b);
    const lastRender = await (await fetch(`${server.baseUrl}/api/rooms/${roomId}/history/${versions.at(-1)!.versionId}`, { headers: { accept: 'text/plain' } })).text();
    if (expected !== undefined && lastRender !== expected) throw new Error('the newest version does not render as the trace\'s endContent');
    void lastContent;
    renders.sort((a, b) => a - b);
    const from = new Date(startAt - 1_000).toISOString();
    const to = new Date(startAt + 10 * 60_000).toISOString();
    const playbackStarted = performance.now();
    const playback = await (await fetch(`${server.baseUrl}/api/rooms/${roomId}/playback?from=${from}&to=${to}`)).text();
    const playbackMs = performance.now() - playbackStarted;
    Object.assign(result, {
      versions: versions.length,
      renderP50Ms: round(percentile(renders, 50)),
      renderP95Ms: round(percentile(renders, 95)),
      renderShuffledP50Ms: round(percentile(shuffledRenders, 50)),
      renderShuffledP95Ms: round(percentile(shuffledRenders, 95)),
      playback10MinMs: round(playbackMs),
      playback10MinChanges: playback.split('\n').length - 1,
    });
  }
  await server.stop();
  const database = new SQLite(server.config.sqlitePath);
  database.exec('VACUUM');
  const parts = withHistory
    ? (database.prepare('select sum(length("update")) as updates, sum(length("changes")) as changes, coalesce(sum(length("snapshot")), 0) as snapshots, count("snapshot") as snapshotCount from history_versions').get() as { updates: number; changes: number; snapshots: number; snapshotCount: number })
    : undefined;
  const historyBytes = parts ? parts.updates + parts.changes + parts.snapshots : 0;
  if (parts) {
    Object.assign(result, {
      versionUpdatesKiB: round(parts.updates / 1024, 1),
      changeIndexesKiB: round(parts.changes / 1024, 1),
      snapshotsKiB: round(parts.snapshots / 1024, 1),
      snapshots: parts.snapshotCount,
    });
  }
  database.close();
  result.databaseKiB = round(statSync(server.config.sqlitePath).size / 1024, 1);
  if (withHistory) result.historyTablesKiB = round(historyBytes / 1024, 1);
  await server.dispose();
  return result;
};

/** CPU time (ms) of this process's main thread and of all its other threads, from /proc (Linux); zeros elsewhere. */
function threadCpuMs(): { main: number; others: number; byThread: Map<string, number> } {
  const ticksMs = 10; // USER_HZ is 100 on Linux.
  let main = 0;
  let others = 0;
  const byThread = new Map<string, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      } catch {
        continue; // The thread ended.
      }
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * ticksMs;
      if (Number(tid) === process.pid) main += ms;
      else {
        others += ms;
        // Every thread of the process is named "node": told apart by id.
        byThread.set(tid, ms);
      }
    }
  } catch {
    // Not Linux.
  }
  return { main, others, byThread };
}

/**
 * CPU per edit (µs) of the busiest other threads between two readings,
 * busiest first: with history the first is its worker thread; the rest are
 * V8's helpers (garbage collection, compilation) and libuv's pool.
 */
function busiestThreads(start: Map<string, number>, end: Map<string, number>, edits: number): number[] {
  const used = [...end].map(([tid, ms]) => ms - (start.get(tid) ?? 0)).filter((ms) => ms > 0);
  return used.sort((a, b) => b - a).slice(0, 4).map((ms) => round((ms * 1000) / edits, 1));
}

async function countSegments(sqlitePath: string): Promise<number> {
  const database = new SQLite(sqlitePath, { readonly: true });
  try {
    return (database.prepare('select count(*) as n from history_changes').get() as { n: number }).n;
  } finally {
    database.close();
  }
}

const results = [];
// `BENCH_VARIANTS=with` runs only the run with history (its storage figures then lack the baseline), `without` only the other.
const variants = process.env.BENCH_VARIANTS === 'with' ? [true] : process.env.BENCH_VARIANTS === 'without' ? [false] : [false, true];
for (const withHistory of variants) {
  const result = await variant(withHistory);
  console.log(JSON.stringify(result));
  results.push(result);
}
if (results.length === 2) {
  const [without, withIt] = results;
  console.log(`\nhistory storage: ${round(Number(withIt.databaseKiB) - Number(without.databaseKiB), 1)} KiB beyond the room without history (${without.databaseKiB} KiB)\n`);
}
const columns = ['variant', 'edits', 'replayS', 'typingP50Ms', 'typingP99Ms', 'cpuUsPerEdit', 'mainThreadCpuUsPerEdit', 'otherThreadsCpuUsPerEdit', 'mainThreadUsPerEdit', 'databaseKiB', 'historyTablesKiB', 'versionUpdatesKiB', 'changeIndexesKiB', 'snapshotsKiB', 'snapshots', 'versions', 'renderP50Ms', 'renderP95Ms', 'renderShuffledP50Ms', 'renderShuffledP95Ms', 'playback10MinMs', 'playback10MinChanges'];
console.log(formatTable(columns, results.map((result) => columns.map((column) => String(result[column] ?? '')))));
