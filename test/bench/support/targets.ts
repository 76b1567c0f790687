import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis as IORedis } from 'ioredis';
import pg from 'pg';
import type { BenchConfig, TargetId } from '../config.ts';
import type { ClientProtocol } from '../load/protocol.ts';
import { readCpuMs, readRssBytes } from './process-usage.ts';
import type { ListeningProcess, ProcessRegistry } from './processes.ts';

/** What a server under test is. */
export interface TargetInfo {
  id: TargetId;
  label: string;
  /** The client its load uses. */
  protocol: ClientProtocol;
  /** Keeps rooms in a database (so a cold start is meaningful). */
  durable: boolean;
  pairpad: boolean;
  instances: number;
}

export const TARGETS: Record<TargetId, TargetInfo> = {
  'pairpad-sqlite': { id: 'pairpad-sqlite', label: 'Pairpad (SQLite)', protocol: 'hocuspocus', durable: true, pairpad: true, instances: 1 },
  'pairpad-postgres': { id: 'pairpad-postgres', label: 'Pairpad (Postgres)', protocol: 'hocuspocus', durable: true, pairpad: true, instances: 1 },
  'pairpad-redis': { id: 'pairpad-redis', label: 'Pairpad ×2 + Redis (Postgres)', protocol: 'hocuspocus', durable: true, pairpad: true, instances: 2 },
  hocuspocus: { id: 'hocuspocus', label: 'Hocuspocus (plain, in memory)', protocol: 'hocuspocus', durable: false, pairpad: false, instances: 1 },
  'y-websocket': { id: 'y-websocket', label: 'y-websocket reference (in memory)', protocol: 'yjs', durable: false, pairpad: false, instances: 1 },
  'pairpad-sqlite-yjs': { id: 'pairpad-sqlite-yjs', label: 'Pairpad (SQLite) via /yjs', protocol: 'yjs', durable: true, pairpad: true, instances: 1 },
};

/** CPU of processes outside the server that the load makes work (ms so far). */
export interface SidecarCpu {
  /** Postgres backends serving this server's database, by PID. */
  databaseByPid?: Record<number, number>;
  /** The whole redis-server process (shared with anything else using it). */
  redisMs?: number;
}

/** CPU the sidecars used between two readings, in ms (a backend that appeared meanwhile counts whole). */
export function sidecarCpuDelta(before: SidecarCpu, after: SidecarCpu): { databaseMs?: number; redisMs?: number } {
  const result: { databaseMs?: number; redisMs?: number } = {};
  if (after.databaseByPid) {
    result.databaseMs = Object.entries(after.databaseByPid).reduce(
      (sum, [pid, ms]) => sum + ms - (before.databaseByPid?.[Number(pid)] ?? 0),
      0,
    );
  }
  if (after.redisMs !== undefined && before.redisMs !== undefined) result.redisMs = after.redisMs - before.redisMs;
  return result;
}

/** A server under test, running. */
export interface RunningTarget {
  info: TargetInfo;
  /** WebSocket URL for the client with this index; clients alternate over instances. */
  clientUrl(index: number): string;
  /** A room clients may join: `POST /api/rooms` on Pairpad, a fresh name elsewhere. */
  createRoom(): Promise<string>;
  /** PIDs of the server processes (one per instance). */
  serverPids(): number[];
  serverCpuMs(): number;
  serverRssBytes(): number[];
  sidecarCpuMs(): Promise<SidecarCpu>;
  /** Graceful stop (every room stored) and a start on the same storage. */
  restart(): Promise<void>;
  /** Graceful stop, then the storage is removed. */
  stop(): Promise<void>;
}

export interface TargetContext {
  registry: ProcessRegistry;
  config: Readonly<BenchConfig>;
  /** Unique per suite run; names databases and Redis prefixes. */
  runId: string;
}

let storageCounter = 0;

interface Storage {
  env: Record<string, string>;
  databaseName?: string;
  drop(): Promise<void>;
}

async function createPostgresStorage(adminUrl: string, name: string): Promise<Storage> {
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    databaseName: name,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

function createSqliteStorage(): Storage {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pairpad-bench-'));
  return {
    env: { DATA_DIR: dataDir },
    async drop() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new IORedis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    // Bounded: a run leaves at most a handful of lock keys.
    for (let cursor = '0', rounds = 0; rounds < 1000; rounds++) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
}

async function readRedisPid(redisUrl: string): Promise<number | undefined> {
  const redis = new IORedis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const info = await redis.info('server');
    const match = /process_id:(\d+)/.exec(info);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

function safeCpuMs(pid: number): number {
  try {
    return readCpuMs(pid);
  } catch {
    return 0; // not on this machine, or gone
  }
}

/** A fresh room name in Pairpad's room-id format, so document names weigh the same on every server. */
function mintRoomName(): string {
  return randomBytes(16).toString('base64url');
}

/** Starts `id` in child processes with fresh storage. */
export async function startTarget(id: TargetId, context: TargetContext): Promise<RunningTarget> {
  const info = TARGETS[id];
  const { registry, config, runId } = context;
  const tag = `${runId}_${++storageCounter}`;
  let storage: Storage | undefined;
  let redisPrefix: string | undefined;
  let redisPid: number | undefined;

  if (id === 'pairpad-postgres' || id === 'pairpad-redis') storage = await createPostgresStorage(config.databaseUrl, `pairpad_bench_${tag}`);
  else if (id === 'pairpad-sqlite' || id === 'pairpad-sqlite-yjs') storage = createSqliteStorage();
  if (id === 'pairpad-redis') {
    redisPrefix = `pairpad-bench-${tag}`;
    redisPid = await readRedisPid(config.redisUrl);
  }

  const nodeArgs = config.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${config.profileDir}`] : [];
  const startInstances = async (): Promise<ListeningProcess[]> => {
    if (!info.pairpad) {
      const script = id === 'hocuspocus' ? 'test/bench/servers/hocuspocus-plain.ts' : 'test/bench/servers/y-websocket-reference.ts';
      return [await registry.spawnServer({ name: id, script, env: { NODE_ENV: 'production' }, nodeArgs })];
    }
    const env: Record<string, string> = {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info', // the listening line is an info log
      NODE_ENV: 'production',
      // Per-IP rate limits off: every bench client comes from 127.0.0.1. Every other check stays on.
      RATE_LIMIT_ROOM_CREATE: '0',
      RATE_LIMIT_CONNECTIONS: '0',
      RATE_LIMIT_AUTOCOMPLETE: '0',
      MAX_MESSAGES_PER_SECOND: '0',
      ...storage!.env,
      ...(redisPrefix ? { REDIS_URL: config.redisUrl, REDIS_PREFIX: redisPrefix } : {}),
    };
    // Instances start one after the other: both run the migrator on the same database.
    const started: ListeningProcess[] = [];
    for (let instance = 0; instance < info.instances; instance++) {
      started.push(await registry.spawnServer({ name: `${id}#${instance + 1}`, script: 'server/main.ts', env, nodeArgs }));
    }
    return started;
  };

  let instances: ListeningProcess[];
  try {
    instances = await startInstances();
  } catch (error) {
    await storage?.drop().catch(() => undefined);
    throw error;
  }

  const databasePids = async (): Promise<number[]> => {
    if (!storage?.databaseName) return [];
    const client = new pg.Client({ connectionString: config.databaseUrl, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [storage.databaseName]);
      return rows.map((row) => row.pid);
    } catch {
      return [];
    } finally {
      await client.end().catch(() => undefined);
    }
  };

  const stopInstances = async () => {
    // A graceful stop stores every room; give it the server's own shutdown budget.
    await Promise.all(instances.map((instance) => registry.stop(instance, 'SIGTERM', 40_000)));
  };

  const pathFor = info.pairpad ? (info.protocol === 'hocuspocus' ? '/collab' : '/yjs') : '';
  return {
    info,
    clientUrl: (index) => `ws://127.0.0.1:${instances[index % instances.length].port}${pathFor}`,
    async createRoom() {
      if (!info.pairpad) return mintRoomName();
      const response = await fetch(`http://127.0.0.1:${instances[0].port}/api/rooms`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      if (response.status !== 201) throw new Error(`POST /api/rooms: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { roomId: string }).roomId;
    },
    serverPids: () => instances.map((instance) => instance.pid),
    serverCpuMs: () => instances.reduce((sum, instance) => sum + safeCpuMs(instance.pid), 0),
    serverRssBytes: () => instances.map((instance) => readRssBytes(instance.pid)),
    async sidecarCpuMs() {
      const result: SidecarCpu = {};
      if (storage?.databaseName) result.databaseByPid = Object.fromEntries((await databasePids()).map((pid) => [pid, safeCpuMs(pid)]));
      if (redisPid !== undefined) result.redisMs = safeCpuMs(redisPid);
      return result;
    },
    async restart() {
      await stopInstances();
      instances = await startInstances();
    },
    async stop() {
      try {
        await stopInstances();
      } finally {
        await storage?.drop().catch((error: unknown) => console.error(`bench: could not drop storage of ${id}: ${String(error)}`));
        if (redisPrefix) await deleteRedisKeys(config.redisUrl, redisPrefix).catch(() => undefined);
      }
    },
  };
}

/** Runs `body` against a freshly started `id` and always stops it (and drops its storage). */
export async function withTarget<T>(id: TargetId, context: TargetContext, body: (target: RunningTarget) => Promise<T>): Promise<T> {
  const target = await startTarget(id, context);
  try {
    return await body(target);
  } finally {
    await target.stop();
  }
}

/** Creates `count` rooms, `concurrency` at a time. */
export async function createRooms(target: RunningTarget, count: number, concurrency = 16): Promise<string[]> {
  const rooms: string[] = new Array(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      rooms[index] = await target.createRoom();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return rooms;
}
