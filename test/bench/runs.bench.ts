/**
 * `npm run bench:runs`: the run service's figures (issue 16), printed as
 * JSON and tables, never pass/fail.
 *
 * 1. POST → finished for a trivial Python program, one run at a time
 *    (`BENCH_RUNS_SAMPLES`, default 30): through the fake Piston engine
 *    (`test/support/fake-piston.ts`, a real child process per run) and,
 *    where the sandbox is available, the local runner.
 * 2. 20 runs queued at once in 20 rooms draining at `RUN_CONCURRENCY` (2):
 *    total time, none lost, the most the engine saw at once.
 * 3. Keystroke latency in another room (one typist, one reader, a key every
 *    20 ms) with no runs, then while two rooms run programs that print
 *    10,000 lines a second with people watching, and (sandbox only) while
 *    four rooms take turns running the costliest hostile programs:
 *    a fork bomb, 32 spinning processes, a memory bomb, 100 MB of output.
 *
 * The server runs in a process of its own; the clients and the fake engine
 * in this one.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnServer, type ChildServer } from '../support/child-server.ts';
import { startFakePiston, type FakePiston } from '../support/fake-piston.ts';
import { connectClient } from '../support/providers.ts';
import { createLocalRunner } from '../../server/run/local/local-runner.ts';
import { formatTable, percentile, round } from './support/stats.ts';

const SAMPLES = Number(process.env.BENCH_RUNS_SAMPLES ?? 30);
const KEYSTROKES = Number(process.env.BENCH_RUNS_KEYSTROKES ?? 250);

async function createRoom(server: ChildServer, code: string): Promise<string> {
  const response = await fetch(`${server.baseUrl}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ language: 'python', code }),
  });
  return ((await response.json()) as { roomId: string }).roomId;
}

async function startRun(server: ChildServer, roomId: string): Promise<string> {
  const response = await fetch(`${server.baseUrl}/api/rooms/${roomId}/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  if (response.status !== 202) throw new Error(`POST run: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { runId: string }).runId;
}

/**
 * Polls the run until it is over, every `everyMs`. Each answer holds the
 * output so far, so polling a loud run every few ms would measure JSON
 * encoding of the same output over and over (the web client follows runs
 * on its socket instead); the loud rooms poll as a patient REST caller would.
 */
async function waitOver(server: ChildServer, roomId: string, runId: string, everyMs = 5): Promise<{ status: string; stdout: string; wallMs: number | null }> {
  for (;;) {
    const run = (await (await fetch(`${server.baseUrl}/api/rooms/${roomId}/runs/${runId}`)).json()) as { status: string; stdout: string; wallMs: number | null };
    if (run.status !== 'queued' && run.status !== 'running') return run;
    await sleep(everyMs);
  }
}

async function withServer<T>(env: Record<string, string>, body: (server: ChildServer) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pairpad-bench-runs-'));
  const server = await spawnServer({ DATA_DIR: dataDir, RATE_LIMIT_RUNS: '0', RATE_LIMIT_ROOM_CREATE: '0', RATE_LIMIT_CONNECTIONS: '0', ...env });
  try {
    return await body(server);
  } finally {
    server.kill('SIGTERM');
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function postToFinished(server: ChildServer): Promise<{ p50: number; p95: number; max: number; runnerWallP50: number }> {
  const roomId = await createRoom(server, 'print("hello")\n');
  await waitOver(server, roomId, await startRun(server, roomId)); // warm-up
  const totals: number[] = [];
  const walls: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const began = performance.now();
    const run = await waitOver(server, roomId, await startRun(server, roomId));
    totals.push(performance.now() - began);
    if (run.status !== 'finished' || run.stdout !== 'hello\n') throw new Error(`unexpected run: ${JSON.stringify(run)}`);
    walls.push(run.wallMs ?? Number.NaN);
  }
  totals.sort((a, b) => a - b);
  walls.sort((a, b) => a - b);
  return { p50: round(percentile(totals, 50)), p95: round(percentile(totals, 95)), max: round(totals.at(-1)!), runnerWallP50: round(percentile(walls, 50)) };
}

async function drainTwenty(server: ChildServer, piston?: FakePiston): Promise<{ totalMs: number; finished: number; lost: number; others: string[]; maxInFlight: number | null }> {
  const rooms = await Promise.all(Array.from({ length: 20 }, (_, i) => createRoom(server, `import time\ntime.sleep(0.1)\nprint("room ${i}")\n`)));
  if (piston) piston.stats.maxInFlight = 0;
  const began = performance.now();
  const runIds: string[] = [];
  for (const roomId of rooms) runIds.push(await startRun(server, roomId));
  const runs = await Promise.all(rooms.map((roomId, i) => waitOver(server, roomId, runIds[i])));
  const finished = runs.filter((run, i) => run.status === 'finished' && run.stdout === `room ${i}\n`).length;
  const others = runs.filter((run, i) => !(run.status === 'finished' && run.stdout === `room ${i}\n`)).map((run) => `${run.status}: ${JSON.stringify(run.stdout.slice(0, 40))}`);
  return { totalMs: round(performance.now() - began), finished, lost: 20 - finished, others, maxInFlight: piston ? piston.stats.maxInFlight : null };
}

/** The server's own event-loop delay (prom-client's default metrics): max since its start, in ms. */
async function serverLoopDelayMaxMs(server: ChildServer): Promise<number> {
  const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((entry) => entry.startsWith('pairpad_nodejs_eventloop_lag_max_seconds'));
  return line ? round(Number(line.split(' ').at(-1)) * 1000) : Number.NaN;
}

/** Prints 10,000 lines a second for 3 s. */
const LOUD = 'import time\nfor s in range(3):\n    t = time.time()\n    for i in range(10000):\n        print("line", s, i)\n    time.sleep(max(0, 1 - (time.time() - t)))\n';

/** The hostile programs that cost the machine most; each ends at a limit (the bench server's timeout is 3 s). */
const ALL_HOSTILE = [
  // Fork bomb: up to the process limit, each spinning.
  'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n',
  // 32 processes spinning on every core until the timeout.
  'import os\nfor _ in range(5):\n    os.fork()\nwhile True:\n    pass\n',
  // Memory bomb.
  'a = []\nwhile True:\n    a.append(bytearray(10**6))\n',
  // 100 MB of output as fast as it can.
  'import sys\nline = "x" * 1023 + "\\n"\nfor _ in range(102400):\n    sys.stdout.write(line)\n',
];
/** `BENCH_RUNS_HOSTILE=0,3` picks some of them (by index), to find which one costs. */
const HOSTILE = process.env.BENCH_RUNS_HOSTILE ? process.env.BENCH_RUNS_HOSTILE.split(',').map((index) => ALL_HOSTILE[Number(index)]) : ALL_HOSTILE;
/** `BENCH_RUNS_ONLY=hostile` measures only the hostile-runs row. */
const ONLY_HOSTILE = process.env.BENCH_RUNS_ONLY === 'hostile';

/** Keystroke latency between two clients of a quiet room, while other rooms (three people watching each) run `programs` over and over. */
async function keystrokeLatency(server: ChildServer, programs: string[]): Promise<{ p50: number; p99: number; max: number; runsDuring: number; serverLoopDelayMaxMs: number }> {
  const roomId = await createRoom(server, '');
  const writer = connectClient(server.wsUrl, roomId);
  const reader = connectClient(server.wsUrl, roomId);
  await Promise.all([writer.synced, reader.synced]);
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  reader.text.observe((event) => {
    for (const delta of event.delta) {
      if (typeof delta.insert !== 'string') continue;
      // Keys that arrive in one update come as one insert.
      for (const key of delta.insert.split(';').filter(Boolean)) {
        const at = sentAt.get(`${key};`);
        if (at !== undefined) latencies.push(performance.now() - at);
      }
    }
  });
  let stop = false;
  let runsDuring = 0;
  const noisy: Promise<void>[] = [];
  const watchers: { destroy(): void }[] = [];
  if (programs.length > 0) {
    for (const program of programs) {
      const loud = await createRoom(server, program);
      for (let w = 0; w < 3; w++) watchers.push(connectClient(server.wsUrl, loud));
      noisy.push((async () => {
        while (!stop) {
          await waitOver(server, loud, await startRun(server, loud), 500);
          runsDuring++;
        }
      })());
    }
    await sleep(500);
  }
  for (let i = 0; i < KEYSTROKES; i++) {
    const key = `${i.toString(36)}${randomBytes(2).toString('hex')};`;
    sentAt.set(key, performance.now());
    writer.text.insert(writer.text.length, key);
    await sleep(20);
  }
  const deadline = Date.now() + 10_000;
  while (latencies.length < KEYSTROKES && Date.now() < deadline) await sleep(20);
  stop = true;
  await Promise.all(noisy);
  for (const client of [writer, reader, ...watchers]) client.destroy();
  latencies.sort((a, b) => a - b);
  while (latencies.length < KEYSTROKES) latencies.push(Number.POSITIVE_INFINITY);
  return { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies.at(-1)!), runsDuring, serverLoopDelayMaxMs: await serverLoopDelayMaxMs(server) };
}

const results: Record<string, unknown> = { samples: SAMPLES, keystrokes: KEYSTROKES, cpus: os.cpus().length };
// Hostile runs end at this timeout; the hello and drain runs take far less.
const RUN_TIMEOUT_MS = '3000';
const piston = await startFakePiston();
try {
  const kinds: { name: string; env: Record<string, string>; piston?: FakePiston }[] = ONLY_HOSTILE ? [] : [
    { name: 'piston (fake engine)', env: { RUNNER: 'piston', RUNNER_URL: piston.url, RUN_TIMEOUT_MS }, piston },
  ];
  if ((await createLocalRunner()) !== undefined) kinds.push({ name: 'local (sandbox)', env: { RUNNER: 'local', RUN_TIMEOUT_MS } });
  for (const kind of kinds) {
    results[kind.name] = await withServer(kind.env, async (server) => {
      const step = async <T>(label: string, measure: () => Promise<T>) => {
        process.stderr.write(`${kind.name}: ${label}…\n`);
        return measure();
      };
      if (ONLY_HOSTILE) return { keystrokesWhileHostile: await step('keystrokes, hostile runs', () => keystrokeLatency(server, HOSTILE)) };
      return {
        postToFinished: await step('POST → finished', () => postToFinished(server)),
        drainTwenty: await step('20 queued runs', () => drainTwenty(server, kind.piston)),
        keystrokesQuiet: await step('keystrokes, quiet', () => keystrokeLatency(server, [])),
        keystrokesWhileRunsStream: await step('keystrokes, runs streaming', () => keystrokeLatency(server, [LOUD, LOUD])),
        // The fake engine runs programs unsandboxed: hostile ones only go to the sandbox.
        keystrokesWhileHostile: kind.piston ? undefined : await step('keystrokes, hostile runs', () => keystrokeLatency(server, HOSTILE)),
      };
    });
  }
} finally {
  await piston.close();
}

const lines: string[] = [JSON.stringify(results, null, 2)];
for (const [name, value] of Object.entries(results)) {
  if (typeof value !== 'object' || value === null) continue;
  const r = value as any;
  lines.push(`\n### ${name}\n`);
  lines.push(formatTable(['measure', 'p50 ms', 'p95/p99 ms', 'max ms', 'notes'], [
    ...(r.postToFinished === undefined ? [] : [
    ['POST → finished (hello)', r.postToFinished.p50, `p95 ${r.postToFinished.p95}`, r.postToFinished.max, `program wall p50 ${r.postToFinished.runnerWallP50} ms`],
    ['20 queued runs drain', '', '', r.drainTwenty.totalMs, `${r.drainTwenty.finished} finished, ${r.drainTwenty.lost} lost, max at once ${r.drainTwenty.maxInFlight ?? 'n/a'}`],
    ['keystroke, quiet', r.keystrokesQuiet.p50, `p99 ${r.keystrokesQuiet.p99}`, r.keystrokesQuiet.max, `server loop delay max so far ${r.keystrokesQuiet.serverLoopDelayMaxMs} ms`],
    ['keystroke, runs streaming', r.keystrokesWhileRunsStream.p50, `p99 ${r.keystrokesWhileRunsStream.p99}`, r.keystrokesWhileRunsStream.max, `${r.keystrokesWhileRunsStream.runsDuring} runs of 30,000 lines meanwhile; server loop delay max so far ${r.keystrokesWhileRunsStream.serverLoopDelayMaxMs} ms`],
    ]),
    ...(r.keystrokesWhileHostile === undefined ? [] : [['keystroke, hostile runs', r.keystrokesWhileHostile.p50, `p99 ${r.keystrokesWhileHostile.p99}`, r.keystrokesWhileHostile.max, `${r.keystrokesWhileHostile.runsDuring} runs (fork bomb, 32 spinners, memory bomb, 100 MB output) meanwhile; server loop delay max so far ${r.keystrokesWhileHostile.serverLoopDelayMaxMs} ms`]]),
  ]));
}
// Written before exiting: on a pipe, console output is asynchronous.
process.stdout.write(`${lines.join('\n')}\n`, () => process.exit(0));
