/**
 * `npm run bench:durability`: acknowledged means durable, under many SIGKILLs.
 *
 * Per dialect (SQLite in a temporary directory; Postgres on
 * BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test):
 * three `@hocuspocus/provider` typists type in one room (a random edit every
 * 1–6 ms each), the server (its own process) is SIGKILLed 150–900 ms in,
 * restarted on the same storage, and the room read back. Repeated
 * DURABILITY_ROUNDS times (default 30). Reports the acknowledged insertions
 * missing after restarts (must be 0) and the acknowledgement latency (send to
 * `SyncStatus`, per update) as p50/p95/p99.
 *
 * DURABILITY_SERVER_ROOT runs the server from another checkout (e.g. a
 * `git worktree` of the commit before "acknowledged means durable") for the
 * "before" figures. DURABILITY_DIALECTS=sqlite,postgres picks dialects.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { spawnServer, type ChildServer } from '../support/child-server.ts';
import { lostAcknowledged, readStoredRoom, typeUntilKilled } from '../support/crash-typing.ts';
import { createRandom } from '../support/providers.ts';
import { createRoom } from '../support/server.ts';
import { formatTable, summarizeLatencies, type LatencySummary } from './support/stats.ts';

const rounds = Number(process.env.DURABILITY_ROUNDS ?? 30);
const serverRoot = process.env.DURABILITY_SERVER_ROOT || undefined;
const databaseUrl = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const dialects = (process.env.DURABILITY_DIALECTS ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];

interface DialectResult {
  dialect: string;
  rounds: number;
  /** Insertions acknowledged before a kill and missing after the restart, over all rounds. */
  acknowledgedLost: number;
  roundsWithLoss: number;
  /** Insertions acknowledged before the kills, over all rounds. */
  acknowledged: number;
  ackLatencyMs: LatencySummary;
}

async function storageFor(dialect: 'sqlite' | 'postgres'): Promise<{ env: Record<string, string>; dispose(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pairpad-durability-'));
    return { env: { DATA_DIR: dataDir }, dispose: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `pairpad_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    async dispose() {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

async function runDialect(dialect: 'sqlite' | 'postgres'): Promise<DialectResult> {
  const storage = await storageFor(dialect);
  const env = { ...storage.env, RATE_LIMIT_ROOM_CREATE: '0', RATE_LIMIT_CONNECTIONS: '0' };
  let server: ChildServer = await spawnServer(env, serverRoot);
  const latencies: number[] = [];
  let acknowledgedLost = 0;
  let roundsWithLoss = 0;
  let acknowledged = 0;
  try {
    const { roomId } = await createRoom(server.baseUrl, { code: 'start\n' });
    const random = createRandom(1913);
    for (let round = 0; round < rounds; round++) {
      const killed = await typeUntilKilled(server, roomId, 3, random);
      server = await spawnServer(env, serverRoot);
      const stored = await readStoredRoom(server, roomId);
      const lost = lostAcknowledged(killed, stored);
      acknowledgedLost += lost;
      if (lost > 0) roundsWithLoss++;
      // The typists are new clients each round: their clocks start at 0.
      acknowledged += killed.typists.reduce((sum, typist) => sum + typist.ackedClock, 0);
      latencies.push(...killed.ackLatenciesMs);
      process.stderr.write(`[${dialect}] round ${round + 1}/${rounds}: killed after ${killed.killedAfterMs} ms, acknowledged lost ${lost}\n`);
    }
  } finally {
    server.kill('SIGKILL');
    await server.exited;
    await storage.dispose();
  }
  return { dialect, rounds, acknowledgedLost, roundsWithLoss, acknowledged, ackLatencyMs: summarizeLatencies(latencies, latencies.length) };
}

async function main() {
  const results: DialectResult[] = [];
  for (const dialect of dialects) results.push(await runDialect(dialect));
  console.log(JSON.stringify({ bench: 'durability', server: serverRoot ?? 'this checkout', results }, null, 2));
  console.log(
    formatTable(
      ['dialect', 'SIGKILLs', 'acknowledged insertions', 'acknowledged lost', 'rounds with loss', 'ack p50 ms', 'ack p95 ms', 'ack p99 ms', 'ack max ms'],
      results.map((result) => [
        result.dialect,
        result.rounds,
        result.acknowledged,
        result.acknowledgedLost,
        result.roundsWithLoss,
        result.ackLatencyMs.p50,
        result.ackLatencyMs.p95,
        result.ackLatencyMs.p99,
        result.ackLatencyMs.max,
      ]),
    ),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
