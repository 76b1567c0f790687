import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (the suite spawns `server/main.ts` from here). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The servers the suite can run; see `support/targets.ts`. */
export const TARGET_IDS = ['pairpad-sqlite', 'pairpad-postgres', 'pairpad-redis', 'hocuspocus', 'y-websocket', 'pairpad-sqlite-yjs'] as const;
export type TargetId = (typeof TARGET_IDS)[number];

/** The scenarios, in the order they run; one module each under `scenarios/`. */
export const SCENARIO_IDS = ['latency', 'hot-room', 'idle', 'large-document', 'wire-bytes'] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

/** Everything the suite reads from the environment, read once by {@link loadBenchConfig}. */
export interface BenchConfig {
  /** `BENCH_QUICK=1`: small sizes and short windows, results to a temporary folder. */
  quick: boolean;
  /** Servers to run (`BENCH_TARGETS`, comma-separated; default the five of issue 6). */
  targets: readonly TargetId[];
  /** Scenarios to run (`BENCH_SCENARIOS`, comma-separated; default all). */
  scenarios: readonly ScenarioId[];
  /** Postgres for `pairpad-postgres` and `pairpad-redis` (`BENCH_DATABASE_URL`); a database is created per server start and dropped. */
  databaseUrl: string;
  /** Redis for `pairpad-redis` (`REDIS_URL`, default `redis://127.0.0.1:6379`). */
  redisUrl: string;
  /** Where results.json and the SVG go (`BENCH_OUT_DIR`; default `docs/bench`, or a temporary folder when quick). */
  outDir: string;
  /**
   * Other programs share the machine: a typing step during which they used more
   * than `disturbedPercent` of a core (`BENCH_DISTURBED_PERCENT`, default 30) is
   * run again, up to `retries` times (`BENCH_RETRIES`, default 1), keeping the least disturbed run.
   */
  retries: number;
  disturbedPercent: number;
  /** When set (`BENCH_PROFILE_DIR`), the servers run with `--cpu-prof` into this folder. */
  profileDir: string | undefined;
  /** When set (`BENCH_PROFILE_WORKERS`), the load generators run with `--cpu-prof` into this folder (to see what a client costs). */
  workerProfileDir: string | undefined;
  latency: {
    /** Concurrent clients per step (`BENCH_LATENCY_CLIENTS`, default 100,500,1000). */
    clients: readonly number[];
    /** Clients per room, one of them typing (`BENCH_ROOM_SIZE`, default 5). */
    roomSize: number;
    /** Keystrokes per second of each typist (`BENCH_RATE`, default 10). */
    rate: number;
    /** Seconds of typing before measuring (`BENCH_WARMUP`, default 3). */
    warmupSeconds: number;
    /** Seconds measured (`BENCH_SECONDS`, default 10). */
    seconds: number;
    /** Load-generator processes (`BENCH_LOAD_WORKERS`, default 2, whole rooms per process: at 1,000 clients one process reached an event-loop p99 of 15 ms and, on a slower day, its whole core). */
    workers: number;
  };
  hotRoom: {
    /** Room sizes (`BENCH_HOT_SIZES`, default 10,50,200,400). */
    sizes: readonly number[];
    /** Share of the room typing (`BENCH_HOT_TYPING`, default 0.1). */
    typingShare: number;
    /** Keystrokes per second of each typist (`BENCH_HOT_RATE`, default 5). */
    rate: number;
    /** Seconds measured per size (`BENCH_HOT_SECONDS`, default 10). */
    seconds: number;
    /** p99 budget that defines "holds" (`BENCH_HOT_P99_MS`, default 100). */
    p99BudgetMs: number;
    /** Load-generator processes the room's clients are dealt over (`BENCH_HOT_WORKERS`, default 2: one alone used its whole core at 400 clients). */
    workers: number;
  };
  idle: {
    /** Stop once this many idle connections are held (`BENCH_IDLE_MAX`, default 10000). */
    max: number;
    /** Connections added per step (`BENCH_IDLE_STEP`, default 1000). */
    step: number;
    /** Server RSS budget in MiB (`BENCH_IDLE_RSS_MIB`, default 1024). */
    rssLimitMiB: number;
    /** Idle clients per load process (`BENCH_IDLE_PER_WORKER`, default 2500). */
    perWorker: number;
  };
  largeDocument: {
    /** The editing trace (`BENCH_TRACE`, default `../shared/data/automerge-paper.json.gz`). */
    tracePath: string;
    /** Replay only the first N edits (`BENCH_TRACE_EDITS`; default all, 20000 when quick). */
    edits: number | undefined;
    /** Fresh-client syncs timed, warm and cold (`BENCH_SYNC_REPEATS`, default 5: the first of a process runs on cold client code, so the median needs a few more). */
    syncRepeats: number;
  };
  wireBytes: {
    /** Document sizes in bytes (`BENCH_WIRE_SIZES`, default 1 KiB, 100 KiB, 1 MiB). */
    sizes: readonly number[];
    /** Keystrokes typed per size (`BENCH_WIRE_KEYSTROKES`, default 100). */
    keystrokes: number;
    /** Typing rate (`BENCH_WIRE_RATE`, default 10 per second). */
    rate: number;
  };
}

function list<T extends string>(value: string | undefined, allowed: readonly T[], fallback: readonly T[], name: string): T[] {
  if (!value) return [...fallback];
  const items = value.split(',').map((item) => item.trim()).filter(Boolean);
  const unknown = items.filter((item) => !(allowed as readonly string[]).includes(item));
  if (unknown.length > 0) throw new Error(`${name}: unknown ${unknown.join(', ')} (known: ${allowed.join(', ')})`);
  return items as T[];
}

function numbers(value: string | undefined, fallback: readonly number[], name: string): number[] {
  if (!value) return [...fallback];
  const items = value.split(',').map((item) => Number(item.trim()));
  if (items.some((item) => !Number.isFinite(item) || item <= 0)) throw new Error(`${name}: expected positive numbers, got ${value}`);
  return items;
}

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${name}: expected a positive number, got ${value}`);
  return parsed;
}

/** Reads the benchmark settings from `env` (normally `process.env`); throws on a bad value. */
export function loadBenchConfig(env: Record<string, string | undefined>): Readonly<BenchConfig> {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const defaultTargets: TargetId[] = ['pairpad-sqlite', 'pairpad-postgres', 'pairpad-redis', 'hocuspocus', 'y-websocket'];
  return Object.freeze({
    quick,
    targets: list(env.BENCH_TARGETS, TARGET_IDS, defaultTargets, 'BENCH_TARGETS'),
    scenarios: list(env.BENCH_SCENARIOS, SCENARIO_IDS, SCENARIO_IDS, 'BENCH_SCENARIOS'),
    databaseUrl: env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    outDir: path.resolve(repoRoot, env.BENCH_OUT_DIR || (quick ? path.join(os.tmpdir(), 'pairpad-bench-quick') : 'docs/bench')),
    retries: env.BENCH_RETRIES === '0' ? 0 : Math.round(positive(env.BENCH_RETRIES, quick ? 0 : 1, 'BENCH_RETRIES')),
    disturbedPercent: positive(env.BENCH_DISTURBED_PERCENT, 30, 'BENCH_DISTURBED_PERCENT'),
    profileDir: env.BENCH_PROFILE_DIR || undefined,
    workerProfileDir: env.BENCH_PROFILE_WORKERS || undefined,
    latency: {
      clients: numbers(env.BENCH_LATENCY_CLIENTS, quick ? [20, 50] : [100, 500, 1000], 'BENCH_LATENCY_CLIENTS'),
      roomSize: positive(env.BENCH_ROOM_SIZE, 5, 'BENCH_ROOM_SIZE'),
      rate: positive(env.BENCH_RATE, 10, 'BENCH_RATE'),
      warmupSeconds: positive(env.BENCH_WARMUP, quick ? 1 : 3, 'BENCH_WARMUP'),
      seconds: positive(env.BENCH_SECONDS, quick ? 3 : 10, 'BENCH_SECONDS'),
      workers: Math.round(positive(env.BENCH_LOAD_WORKERS, 2, 'BENCH_LOAD_WORKERS')),
    },
    hotRoom: {
      sizes: numbers(env.BENCH_HOT_SIZES, quick ? [10, 50] : [10, 50, 200, 400], 'BENCH_HOT_SIZES'),
      typingShare: positive(env.BENCH_HOT_TYPING, 0.1, 'BENCH_HOT_TYPING'),
      rate: positive(env.BENCH_HOT_RATE, 5, 'BENCH_HOT_RATE'),
      seconds: positive(env.BENCH_HOT_SECONDS, quick ? 3 : 10, 'BENCH_HOT_SECONDS'),
      p99BudgetMs: positive(env.BENCH_HOT_P99_MS, 100, 'BENCH_HOT_P99_MS'),
      workers: Math.round(positive(env.BENCH_HOT_WORKERS, 2, 'BENCH_HOT_WORKERS')),
    },
    idle: {
      max: Math.round(positive(env.BENCH_IDLE_MAX, quick ? 500 : 10_000, 'BENCH_IDLE_MAX')),
      step: Math.round(positive(env.BENCH_IDLE_STEP, quick ? 250 : 1000, 'BENCH_IDLE_STEP')),
      rssLimitMiB: positive(env.BENCH_IDLE_RSS_MIB, 1024, 'BENCH_IDLE_RSS_MIB'),
      perWorker: Math.round(positive(env.BENCH_IDLE_PER_WORKER, 2500, 'BENCH_IDLE_PER_WORKER')),
    },
    largeDocument: {
      tracePath: path.resolve(repoRoot, env.BENCH_TRACE || '../shared/data/automerge-paper.json.gz'),
      edits: env.BENCH_TRACE_EDITS ? Math.round(positive(env.BENCH_TRACE_EDITS, 0, 'BENCH_TRACE_EDITS')) : quick ? 20_000 : undefined,
      syncRepeats: Math.round(positive(env.BENCH_SYNC_REPEATS, quick ? 1 : 5, 'BENCH_SYNC_REPEATS')),
    },
    wireBytes: {
      sizes: numbers(env.BENCH_WIRE_SIZES, [1024, 100 * 1024, 1024 * 1024], 'BENCH_WIRE_SIZES'),
      keystrokes: Math.round(positive(env.BENCH_WIRE_KEYSTROKES, quick ? 30 : 100, 'BENCH_WIRE_KEYSTROKES')),
      rate: positive(env.BENCH_WIRE_RATE, 10, 'BENCH_WIRE_RATE'),
    },
  });
}
