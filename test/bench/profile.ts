/**
 * Profiles Pairpad under a benchmark load: runs one scenario of the suite
 * against Pairpad with the server under `node --cpu-prof`, then prints where
 * the server's CPU went (self and total time per function, self time per
 * package). Run: `node --import tsx test/bench/profile.ts`.
 *
 * Settings (environment): BENCH_PROFILE_SCENARIO (`latency` at
 * BENCH_LATENCY_CLIENTS, default 1000; `hot-room`; `large-document`),
 * BENCH_PROFILE_TARGET (default `pairpad-sqlite`), BENCH_PROFILE_DIR
 * (default `/tmp/prof`), BENCH_PROFILE_TOP (rows, default 30), and the
 * suite's own settings.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadBenchConfig, type ScenarioId, type TargetId } from './config.ts';
import { runHotRoomScenario } from './scenarios/hot-room.ts';
import { runLargeDocumentScenario } from './scenarios/large-document.ts';
import { runLatencyScenario } from './scenarios/latency.ts';
import { summarizeCpuProfiles } from './support/cpu-profile.ts';
import { ProcessRegistry } from './support/processes.ts';
import { formatTable, round } from './support/stats.ts';

const scenario = (process.env.BENCH_PROFILE_SCENARIO ?? 'latency') as ScenarioId;
const target = (process.env.BENCH_PROFILE_TARGET ?? 'pairpad-sqlite') as TargetId;
const profileDir = path.resolve(process.env.BENCH_PROFILE_DIR ?? '/tmp/prof');
const top = Number(process.env.BENCH_PROFILE_TOP ?? 30);
const config = loadBenchConfig({
  BENCH_LATENCY_CLIENTS: '1000',
  ...process.env,
  BENCH_TARGETS: target,
  BENCH_PROFILE_DIR: profileDir,
});
mkdirSync(profileDir, { recursive: true });
const registry = new ProcessRegistry(config.workerProfileDir);
const context = { registry, config, runId: `prof${randomBytes(3).toString('hex')}` };
const started = Date.now();
process.on('SIGINT', () => void registry.stopAll(5_000).finally(() => process.exit(130)));

// Only the measured windows count: not start-up, connecting or the drain.
const windows: [number, number][] = [];
try {
  let measured: unknown;
  if (scenario === 'latency') {
    const rows = await runLatencyScenario(target, context);
    rows.forEach((row) => row.windowUs && windows.push(row.windowUs));
    measured = rows;
  } else if (scenario === 'hot-room') {
    const rows = await runHotRoomScenario(target, context);
    rows.forEach((row) => row.windowUs && windows.push(row.windowUs));
    measured = rows;
  } else if (scenario === 'large-document') {
    const row = await runLargeDocumentScenario(target, context);
    if (row.replayWindowUs) windows.push(row.replayWindowUs);
    measured = row;
  } else throw new Error(`BENCH_PROFILE_SCENARIO: ${scenario} is not profiled (latency, hot-room, large-document)`);
  console.log(JSON.stringify(measured, null, 2));
} finally {
  await registry.stopAll();
}

// Every server started above wrote a profile per thread on its way out; thread 0 is
// the main thread (the others are tsx's loader, idle once modules are loaded).
const profiles = readdirSync(profileDir)
  .filter((name) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(name))
  .map((name) => path.join(profileDir, name))
  .filter((file) => statSync(file).mtimeMs >= started);
if (profiles.length === 0) throw new Error(`no .cpuprofile written to ${profileDir}`);
if (windows.length === 0) throw new Error('the scenario measured nothing (see the errors above)');
const summary = summarizeCpuProfiles(profiles, windows);
const share = (ms: number) => `${round((ms / summary.busyMs) * 100, 1)}%`;
console.log(`\n## Server CPU profile: ${target}, ${scenario} (${profiles.length} profile${profiles.length > 1 ? 's' : ''})\n`);
console.log(`measured windows only; sampled ${round(summary.sampledMs / 1000, 1)} s, busy ${round(summary.busyMs / 1000, 1)} s (${round((summary.busyMs / summary.sampledMs) * 100, 1)}%)\n`);
console.log('### Self time by function\n');
console.log(formatTable(['function', 'where', 'self ms', 'self %', 'total %'],
  summary.functions.slice(0, top).map((fn) => [fn.name, fn.where, round(fn.selfMs, 0), share(fn.selfMs), share(fn.totalMs)])));
console.log('\n### Total time (self + callees) by function\n');
console.log(formatTable(['function', 'where', 'total ms', 'total %'],
  [...summary.functions].sort((a, b) => b.totalMs - a.totalMs).filter((fn) => !fn.name.startsWith('(')).slice(0, top)
    .map((fn) => [fn.name, fn.where, round(fn.totalMs, 0), share(fn.totalMs)])));
console.log('\n### Self time by package or folder\n');
console.log(formatTable(['where', 'self ms', 'self %'], summary.byPlace.slice(0, top).map((place) => [place.where, round(place.selfMs, 0), share(place.selfMs)])));
console.log(`\nprofiles: ${profiles.join(', ')}`);
process.exit(0);
