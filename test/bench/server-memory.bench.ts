/**
 * `npm run bench:server-memory`: what `npm start` gains by running the
 * compiled server (`node dist/server/main.js`) instead of the TypeScript
 * sources through tsx (`node --import tsx server/main.ts`, what `npm run
 * dev` does), issue 14 item 11. For each, a fresh server on SQLite: its
 * resident memory 3 s after it listens, the CPU it spends while two real
 * clients share 100 keystrokes (one every 30 ms, until the second client
 * has them all), and its memory 3 s later. The two alternate, three rounds
 * each (`BENCH_SERVER_MEMORY_ROUNDS`). Linux only (reads /proc). Prints
 * JSON lines and a table, never pass/fail.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { connectClient } from '../support/providers.ts';
import { formatTable, median } from './support/stats.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const ROUNDS = Number(process.env.BENCH_SERVER_MEMORY_ROUNDS ?? 3);
const KEYSTROKES = 100;
const SETTLE_MS = 3000;
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

const VARIANTS = {
  'tsx (npm run dev)': ['--import', 'tsx', 'server/main.ts'],
  'compiled (npm start)': ['dist/server/main.js'],
} as const;
type Variant = keyof typeof VARIANTS;

/** Resident set size of a process, MiB. */
function readRssMiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

/** User plus system CPU time a process has used, ms. */
function readCpuMs(pid: number): number {
  // Fields after the command name: state is the first, utime the 12th, stime the 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

async function measure(variant: Variant) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pairpad-memory-'));
  const child = spawn(process.execPath, VARIANTS[variant], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', YJS_WARM_UP: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.includes('"pairpad listening"')) resolve(JSON.parse(line).port);
      });
      void exited.then(() => reject(new Error(`${variant}: the server exited before listening`)));
    });
    await sleep(SETTLE_MS);
    const rssAfterStartMiB = readRssMiB(child.pid!);
    const created = await fetch(`http://127.0.0.1:${port}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language: 'python', code: '' }) });
    const { roomId } = (await created.json()) as { roomId: string };
    const typist = connectClient(`ws://127.0.0.1:${port}`, roomId);
    const reader = connectClient(`ws://127.0.0.1:${port}`, roomId);
    try {
      await Promise.all([typist.synced, reader.synced]);
      await sleep(500);
      const typed = 'for i in range(10):\n    print(i * i)\n'.repeat(5).slice(0, KEYSTROKES);
      const cpuBefore = readCpuMs(child.pid!);
      for (const character of typed) {
        typist.text.insert(typist.text.length, character);
        await sleep(30);
      }
      while (reader.text.toString() !== typed) await sleep(20);
      const cpuMs = readCpuMs(child.pid!) - cpuBefore;
      await sleep(SETTLE_MS);
      return { variant, rssAfterStartMiB: Math.round(rssAfterStartMiB), rssAfterTypingMiB: Math.round(readRssMiB(child.pid!)), cpuMsPerKeystroke: cpuMs / KEYSTROKES };
    } finally {
      typist.destroy();
      reader.destroy();
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// What `npm start` does first: build dist/ when it is missing or stale.
const built = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/build-if-stale.mjs')], { cwd: repoRoot, stdio: 'inherit' });
if (built.status !== 0) throw new Error('scripts/build-if-stale.mjs failed');

const results: Awaited<ReturnType<typeof measure>>[] = [];
for (let round = 0; round < ROUNDS; round++) {
  for (const variant of Object.keys(VARIANTS) as Variant[]) {
    const result = await measure(variant);
    console.log(JSON.stringify(result));
    results.push(result);
  }
}
const rows = (Object.keys(VARIANTS) as Variant[]).map((variant) => {
  const mine = results.filter((result) => result.variant === variant);
  return [
    variant,
    median(mine.map((result) => result.rssAfterStartMiB)),
    median(mine.map((result) => result.rssAfterTypingMiB)),
    Math.round(median(mine.map((result) => result.cpuMsPerKeystroke)) * 10) / 10,
  ];
});
console.log(`medians of ${ROUNDS} rounds, load average ${os.loadavg().map((load) => load.toFixed(1)).join(' ')}`);
console.log(formatTable(['server', 'RSS after start MiB', `RSS after ${KEYSTROKES} keystrokes MiB`, 'CPU ms per keystroke'], rows));
