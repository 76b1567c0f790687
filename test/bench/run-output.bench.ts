/**
 * `npm run bench:run-output`: how long storing and answering a run's output
 * holds the event loop (issue 16), the way the server did it before
 * `run_output` and the way it does now, on a real SQLite database (the
 * server's own pragmas and migrations). Figures, never pass/fail.
 *
 * The output is what the "100 MB of output" hostile program leaves: the
 * 1 MiB limit, all stdout, in 1 KiB lines.
 *
 * - before: `finishRun` wrote stdout, stderr and output (each by the
 *   regular-expression rule) as TEXT in one statement; `GET …/runs/:id`
 *   read the three back in one statement and `res.json` stringified them,
 *   converted the body to bytes and hashed it for the ETag.
 * - now: 16 rows of 64 Ki units appended as the run goes; the GET reads two
 *   rows per statement and writes the JSON in 64 KiB pieces.
 *
 * A heartbeat of `setImmediate` measures the longest stretch between two
 * turns of the loop, in wall time and in CPU time (`process.cpuUsage`,
 * which other processes on a busy machine do not inflate).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { runJsonParts } from '../../server/http/run-json.ts';
import { OUTPUT_BATCH_CHARS, RunOutputLog } from '../../server/run/run-output-log.ts';
import { appendRunOutput } from '../../server/run/run-output.repository.ts';
import { findRun } from '../../server/run/run.repository.ts';
import { openStorage } from '../../server/storage/database.ts';
import { checkMigrationResult, migrateToLatest } from '../../server/storage/migrator.ts';
import { formatTable, percentile, round } from './support/stats.ts';

const RUNS = Number(process.env.BENCH_RUN_OUTPUT_RUNS ?? 20);
const OUTPUT = ('x'.repeat(1023) + '\n').repeat(1024);
const OLD_RULE = /[\0\uD800-\uDFFF]/gu;
const oldStoredText = (text: string) => text.replace(OLD_RULE, '\uFFFD');

interface Stretches {
  /** Longest stretch between two turns of the loop, ms. */
  maxWallMs: number;
  maxCpuMs: number;
  /** CPU time of the whole operation, ms. */
  cpuMs: number;
}

async function measure(work: () => Promise<void>): Promise<Stretches> {
  let running = true;
  let maxWallMs = 0;
  let maxCpuMs = 0;
  let lastWall = performance.now();
  let lastCpu = process.cpuUsage();
  const beat = () => {
    const wall = performance.now();
    const cpu = process.cpuUsage();
    maxWallMs = Math.max(maxWallMs, wall - lastWall);
    maxCpuMs = Math.max(maxCpuMs, (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000);
    lastWall = wall;
    lastCpu = cpu;
    if (running) setImmediate(beat);
  };
  setImmediate(beat);
  await nextTurn();
  const start = process.cpuUsage();
  await work();
  const used = process.cpuUsage(start);
  running = false;
  await nextTurn();
  return { maxWallMs, maxCpuMs, cpuMs: (used.user + used.system) / 1000 };
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pairpad-bench-run-output-'));
const storage = openStorage({ databaseUrl: undefined, sqlitePath: path.join(dataDir, 'pairpad.db') });
const { db } = storage;
const results: Record<string, Record<string, Stretches[]>> = { before: { store: [], answer: [] }, now: { store: [], answer: [] } };
try {
  checkMigrationResult(await migrateToLatest(db));
  const at = new Date().toISOString();
  await db.insertInto('rooms').values({ id: 'bench-room', language: 'python', title: '', code: '', state: new Uint8Array([0, 0]), state_version: 0, created_at: at, updated_at: at } as never).execute();
  const newRun = async (id: string) => {
    await db.insertInto('runs').values({
      id, room_id: 'bench-room', language: 'python', status: 'running', started_by: 'bench', instance: 'local', exit_code: null, signal: null,
      stdout: '', stderr: '', output: '', truncated: 0, message: null, queued_at: at, started_at: at, finished_at: null, wall_ms: null, cpu_ms: null, max_rss_kb: null,
    }).execute();
  };

  for (let i = 0; i < RUNS; i++) {
    // Before: one statement at the end with three copies, then one read and res.json's work.
    const oldId = `old-${i}`;
    await newRun(oldId);
    const text = `${OUTPUT.slice(0, -2)}${i % 10}\n`; // a fresh string each run, as a run's would be
    results.before.store.push(await measure(async () => {
      await db.updateTable('runs').set({ status: 'finished', stdout: oldStoredText(text), stderr: oldStoredText(''), output: oldStoredText(text), finished_at: at }).where('id', '=', oldId).execute();
    }));
    results.before.answer.push(await measure(async () => {
      const row = await db.selectFrom('runs').selectAll().where('id', '=', oldId).executeTakeFirstOrThrow();
      const body = JSON.stringify({ runId: row.id, status: row.status, stdout: row.stdout, stderr: row.stderr, output: row.output, truncated: Boolean(row.truncated) });
      const bytes = Buffer.from(body, 'utf8');
      createHash('sha1').update(bytes).digest('base64');
    }));

    // Now: batches as the run goes (the runner hands over 64 Ki-character batches), then the paged read and pieces.
    const newId = `new-${i}`;
    await newRun(newId);
    results.now.store.push(await measure(async () => {
      const log = new RunOutputLog();
      let seq = 0;
      for (let atChar = 0; atChar < text.length; atChar += OUTPUT_BATCH_CHARS) {
        log.append('stdout', text.slice(atChar, atChar + OUTPUT_BATCH_CHARS));
        const batch = log.takeBatch()!;
        await appendRunOutput(db, { runId: newId, roomId: 'bench-room', seq: seq++, ...batch });
        await nextTurn(); // the next batch comes from the pipe in a later turn
      }
      await db.updateTable('runs').set({ status: 'finished', finished_at: at }).where('id', '=', newId).execute();
    }));
    results.now.answer.push(await measure(async () => {
      const run = (await findRun(db, 'bench-room', newId))!;
      let pending: string[] = [];
      let chars = 0;
      for (const part of runJsonParts(run)) {
        pending.push(part);
        chars += part.length;
        if (chars < 64 * 1024) continue;
        Buffer.from(pending.join(''), 'utf8');
        pending = [];
        chars = 0;
        await nextTurn();
      }
      Buffer.from(pending.join(''), 'utf8');
    }));
  }
} finally {
  await db.destroy();
  rmSync(dataDir, { recursive: true, force: true });
}

const summary: Record<string, Record<string, Record<string, number>>> = {};
const rows: (string | number)[][] = [];
for (const [way, steps] of Object.entries(results)) {
  summary[way] = {};
  for (const [step, samples] of Object.entries(steps)) {
    const pick = (key: keyof Stretches, p: number) => round(percentile(samples.map((sample) => sample[key]).sort((a, b) => a - b), p));
    summary[way][step] = {
      maxWallMsP50: pick('maxWallMs', 50), maxWallMsMax: pick('maxWallMs', 100), maxCpuMsP50: pick('maxCpuMs', 50), maxCpuMsMax: pick('maxCpuMs', 100), cpuMsP50: pick('cpuMs', 50),
    };
    const s = summary[way][step];
    rows.push([way, step, s.maxWallMsP50, s.maxWallMsMax, s.maxCpuMsP50, s.maxCpuMsMax, s.cpuMsP50]);
  }
}
const lines = [
  JSON.stringify({ runs: RUNS, outputBytes: OUTPUT.length, loadAverage: os.loadavg().map((load) => round(load)), results: summary }, null, 2),
  '',
  `1 MiB of output (all stdout), ${RUNS} runs; load average ${os.loadavg().map((load) => load.toFixed(2)).join(' ')}`,
  '',
  formatTable(['way', 'step', 'longest stretch p50 ms', 'longest stretch max ms', 'longest stretch CPU p50 ms', 'longest stretch CPU max ms', 'CPU total p50 ms'], rows),
];
process.stdout.write(`${lines.join('\n')}\n`);
