/**
 * `npm run bench`: the same loads, in one run on this machine, against
 * Pairpad on SQLite, on Postgres, as two instances with Redis, a plain
 * Hocuspocus server and the reference y-websocket server. Each server runs in
 * its own child process, the load (real providers) in others. Prints a
 * Markdown table per scenario and the PASS/MISS lines of issue 6's targets;
 * writes `results.json` and `p99-vs-clients.svg` to `docs/bench/` (settings:
 * see `config.ts`; `BENCH_QUICK=1` for a small run).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis as IORedis } from 'ioredis';
import pg from 'pg';
import { loadBenchConfig, repoRoot, type BenchConfig, type ScenarioId, type TargetId } from './config.ts';
import { runHotRoomScenario } from './scenarios/hot-room.ts';
import { runIdleScenario } from './scenarios/idle-connections.ts';
import { runLargeDocumentScenario } from './scenarios/large-document.ts';
import { runLatencyScenario } from './scenarios/latency.ts';
import { runWireBytesScenario } from './scenarios/wire-bytes.ts';
import { ProcessRegistry } from './support/processes.ts';
import {
  chartPanels,
  evaluateTargets,
  hotRoomTables,
  idleTable,
  largeDocumentTable,
  latencyTable,
  verdictLines,
  wireBytesTable,
  type SuiteResults,
} from './support/report.ts';
import { round } from './support/stats.ts';
import { renderChart } from './support/svg-chart.ts';
import { TARGETS, type TargetContext } from './support/targets.ts';

function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Fails fast with a clear message when a service a chosen target needs is not there. */
async function checkServices(config: Readonly<BenchConfig>): Promise<void> {
  const needsPostgres = config.targets.some((id) => id === 'pairpad-postgres' || id === 'pairpad-redis');
  const needsRedis = config.targets.includes('pairpad-redis');
  if (needsPostgres) {
    const client = new pg.Client({ connectionString: config.databaseUrl, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
      await client.query('select 1');
    } catch (error) {
      throw new Error(`Postgres unreachable at ${config.databaseUrl} (BENCH_DATABASE_URL): ${String(error)}; or leave the Postgres targets out with BENCH_TARGETS`);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  if (needsRedis) {
    const redis = new IORedis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000, retryStrategy: () => null });
    try {
      await redis.connect();
      await redis.ping();
    } catch (error) {
      throw new Error(`Redis unreachable at ${config.redisUrl} (REDIS_URL): ${String(error)}; or leave pairpad-redis out with BENCH_TARGETS`);
    } finally {
      redis.disconnect();
    }
  }
}

/** The commit measured and how many server-side files differ from it (the tree may be mid-change). */
function readCodeVersion(): { commit: string; changedServerFiles: number } {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const changed = execFileSync('git', ['status', '--porcelain', '--', 'server', 'shared'], { cwd: repoRoot, encoding: 'utf8' });
    return { commit, changedServerFiles: changed.split('\n').filter(Boolean).length };
  } catch {
    return { commit: 'unknown', changedServerFiles: -1 };
  }
}

function heading(title: string): string {
  return `\n## ${title}\n`;
}

async function runScenario(scenario: ScenarioId, target: TargetId, context: TargetContext, results: SuiteResults): Promise<void> {
  switch (scenario) {
    case 'latency':
      results.latency.push(...(await runLatencyScenario(target, context)));
      return;
    case 'hot-room':
      results.hotRoom.push(...(await runHotRoomScenario(target, context)));
      return;
    case 'idle':
      results.idle.push(await runIdleScenario(target, context));
      return;
    case 'large-document':
      results.largeDocument.push(await runLargeDocumentScenario(target, context));
      return;
    case 'wire-bytes':
      results.wireBytes.push(...(await runWireBytesScenario(target, context)));
      return;
    default: {
      const unknown: never = scenario;
      throw new Error(`unknown scenario ${String(unknown)}`);
    }
  }
}

function scenarioTable(scenario: ScenarioId, results: SuiteResults, config: Readonly<BenchConfig>): string {
  switch (scenario) {
    case 'latency':
      return `${heading(`Edit-to-remote latency (rooms of ${config.latency.roomSize}, one typist per room at ${config.latency.rate} keystrokes/s, ${config.latency.seconds} s measured)`)}\n${latencyTable(results.latency)}`;
    case 'hot-room':
      return `${heading(`Hot room (one room, ${config.hotRoom.typingShare * 100}% typing at ${config.hotRoom.rate} keystrokes/s, cursor after each keystroke)`)}\n${hotRoomTables(results.hotRoom, config.hotRoom.p99BudgetMs)}`;
    case 'idle':
      return `${heading('Idle connections in one server process')}\n${idleTable(results.idle, config)}`;
    case 'large-document':
      return `${heading('Large real document (automerge-paper trace)')}\n${largeDocumentTable(results.largeDocument)}`;
    case 'wire-bytes':
      return `${heading('Bytes on the wire per keystroke (room of 5, presence off)')}\n${wireBytesTable(results.wireBytes)}`;
    default: {
      const unknown: never = scenario;
      throw new Error(`unknown scenario ${String(unknown)}`);
    }
  }
}

async function main(): Promise<void> {
  const config = loadBenchConfig(process.env);
  const registry = new ProcessRegistry(config.workerProfileDir);
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const context: TargetContext = { registry, config, runId };
  let interrupted = false;
  const interrupt = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    progress(`${signal}: stopping every child process`);
    void registry.stopAll(5_000).finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);

  const startedAt = new Date();
  const results: SuiteResults = { latency: [], hotRoom: [], idle: [], largeDocument: [], wireBytes: [] };
  const tables: string[] = [];
  try {
    await checkServices(config);
    progress(`run ${runId}: ${config.targets.join(', ')} × ${config.scenarios.join(', ')}${config.quick ? ' (quick)' : ''}`);
    console.log(`# Pairpad benchmark suite${config.quick ? ' (quick run)' : ''}\n`);
    console.log(`${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${round(os.totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}. Servers and load generators are separate processes on the same cores.`);
    for (const scenario of config.scenarios) {
      for (const target of config.targets) {
        const started = performance.now();
        progress(`${scenario} / ${target} …`);
        await runScenario(scenario, target, context, results);
        progress(`${scenario} / ${target} done in ${round((performance.now() - started) / 1000, 1)} s`);
      }
      const table = scenarioTable(scenario, results, config);
      tables.push(table);
      console.log(table);
    }
  } finally {
    await registry.stopAll();
  }

  const verdicts = evaluateTargets(results, config);
  console.log(`${heading('Targets (issue 6)')}\n${verdictLines(verdicts)}`);
  const finishedAt = new Date();
  const durationSeconds = round((finishedAt.getTime() - startedAt.getTime()) / 1000, 1);
  console.log(`\nSuite runtime: ${round(durationSeconds / 60, 1)} min`);

  mkdirSync(config.outDir, { recursive: true });
  const code = readCodeVersion();
  const machine = { code, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: round(os.totalmem() / 2 ** 30, 1), node: process.version, kernel: os.release() };
  const json = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds,
    quick: config.quick,
    machine,
    config,
    targets: config.targets.map((id) => TARGETS[id]),
    notes: [
      'Latency is measured in the load-generator process from just before a typist inserts a character until a remote client has applied it; a delivery that never arrived counts as infinitely late (null in JSON).',
      'Server CPU is user+system time of the server processes from /proc; Postgres backends of the run\'s database and the redis-server process are reported separately.',
      'Client CPU % and event-loop p99 show how busy the load generators were: with 2 cores shared by servers and clients, a saturated client adds to latency.',
    ],
    results,
    verdicts,
  };
  writeFileSync(path.join(config.outDir, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
  const panels = chartPanels(results, config);
  if (panels.length > 0) {
    const caption = `Pairpad benchmark suite, ${startedAt.toISOString().slice(0, 10)}, ${machine.cpus} cores, Node ${machine.node}; ∞ = deliveries missing`;
    writeFileSync(path.join(config.outDir, 'p99-vs-clients.svg'), renderChart(panels, caption));
  }
  writeFileSync(
    path.join(config.outDir, 'results.md'),
    `# Pairpad benchmark results\n\nRun ${startedAt.toISOString()} (${round(durationSeconds / 60, 1)} min), ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}${config.quick ? ', quick run' : ''}.\n${tables.join('\n')}\n${heading('Targets (issue 6)')}\n\`\`\`\n${verdictLines(verdicts)}\n\`\`\`\n`,
  );
  progress(`wrote ${path.join(config.outDir, 'results.json')}, results.md and p99-vs-clients.svg`);
}

try {
  await main();
  process.exit(0);
} catch (error) {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
}
