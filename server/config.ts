import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { RunLimits } from './run/runner.ts';

const environment = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  SPILL_DIRS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((dir) => dir.trim()).filter(Boolean)),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
    .pipe(z.array(z.union([z.literal('*'), z.url()]))),
  MAX_DOCUMENT_BYTES: z.coerce.number().int().min(1024).default(5 * 1024 * 1024),
  MAX_MESSAGES_PER_SECOND: z.coerce.number().int().min(0).default(200),
  MAX_SOCKET_BUFFER_BYTES: z.coerce.number().int().min(64 * 1024).default(64 * 1024 * 1024),
  MAX_MESSAGE_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  METRICS_TOKEN: z.string().min(16, 'use at least 16 characters').optional(),
  AUTH_JWT_SECRET: z.string().min(32, 'use at least 32 characters for HS256').optional(),
  AUTH_JWT_PUBLIC_KEY: z
    .string()
    .transform((pem) => pem.replace(/\\n/g, '\n'))
    .pipe(z.string().includes('-----BEGIN PUBLIC KEY-----', { message: 'must be a PEM public key' }))
    .optional(),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(30_000),
  SQLITE_LOCKING: z.enum(['exclusive', 'shared']).default('exclusive'),
  YJS_WARM_UP: z.enum(['0', '1']).default('1'),
  FOLD_WORKER_MIN_BYTES: z.coerce.number().int().min(0).default(256 * 1024),
  ROOM_TTL_DAYS: z.coerce.number().min(0).default(0),
  HISTORY_RETENTION_DAYS: z.coerce.number().min(0).default(0),
  TRUST_PROXY: z.string().optional(),
  RATE_LIMIT_ROOM_CREATE: z.coerce.number().int().min(0).default(30),
  RATE_LIMIT_AUTOCOMPLETE: z.coerce.number().int().min(0).default(600),
  RATE_LIMIT_CONNECTIONS: z.coerce.number().int().min(0).default(300),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  REDIS_PREFIX: z.string().regex(/^[\w.-]{1,64}$/).default('pairpad'),
  AUTOCOMPLETE_LLM_URL: z.url({ protocol: /^https?$/ }).optional(),
  AUTOCOMPLETE_LLM_MODEL: z.string().min(1).default('default'),
  AUTOCOMPLETE_LLM_API_KEY: z.string().min(1).optional(),
  AUTOCOMPLETE_LLM_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(400),
  AUTOCOMPLETE_BUDGET_MS: z.coerce.number().int().min(5).max(10_000).default(50),
  AUTOCOMPLETE_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  AUTOCOMPLETE_WARM_UP: z.enum(['0', '1']).default('1'),
  RUNNER: z.enum(['local', 'piston', 'off']).optional(),
  RUNNER_URL: z.url({ protocol: /^https?$/ }).optional(),
  RUN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  RUN_COMPILE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  RUN_CPU_MS: z.coerce.number().int().min(100).max(600_000).optional(),
  RUN_MEMORY_MB: z.coerce.number().int().min(16).max(64 * 1024).default(256),
  RUN_PROCESSES: z.coerce.number().int().min(1).max(4096).default(64),
  RUN_OUTPUT_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  RUN_FILE_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(16 * 1024 * 1024),
  RUN_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(2),
  RATE_LIMIT_RUNS: z.coerce.number().int().min(0).default(30),
}).refine((vars) => vars.RUNNER !== 'piston' || vars.RUNNER_URL !== undefined, {
  path: ['RUNNER_URL'],
  message: 'is required with RUNNER=piston (the Piston engine, e.g. http://piston:2000)',
});

/** Everything the server needs to know from outside; built once by {@link loadConfig}. */
export interface Config {
  /** TCP port of the HTTP and WebSocket server (`PORT`, default 8000; 0 picks a free one). */
  port: number;
  /** Interface to listen on (`HOST`, default `0.0.0.0`). */
  host: string;
  /** Postgres connection string (`DATABASE_URL`); unset means SQLite. */
  databaseUrl: string | undefined;
  /** SQLite file, `DATA_DIR/pairpad.db` (`DATA_DIR` default `./data`); unused with Postgres. */
  sqlitePath: string;
  /**
   * Where a shutdown that cannot store its rooms writes them, tried in order
   * (each recovered at the next start): `DATA_DIR/spill`, then the directories
   * in `SPILL_DIRS` (comma-separated; default none), then `pairpad-spill` in
   * the OS temp dir. A directory that is not a private one of ours is
   * skipped (`spill.ts`). See docs/operations.md.
   */
  spillDirs: readonly string[];
  /** pino level (`LOG_LEVEL`, default `info`). */
  logLevel: string;
  /** Origins allowed to call the REST API from a browser (`CORS_ORIGINS`, comma-separated; `*` for any; default none). */
  corsOrigins: readonly string[];
  /** Token signing key: `AUTH_JWT_SECRET` (HS256) or `AUTH_JWT_PUBLIC_KEY` (PEM, RS256/ES256); unset means no tokens. */
  auth: { secret?: string; publicKey?: string };
  /**
   * Largest size a room may reach, in bytes (`MAX_DOCUMENT_BYTES`, default 5 MiB): 2 per UTF-16 code
   * unit of the code, every file's text and path, the folders' paths and the meta strings; an update
   * past it is refused with 4413.
   */
  maxDocumentChars: number;
  /** Average messages per second one connection may send (`MAX_MESSAGES_PER_SECOND`, default 200, bursts of twice that; a faster one is slowed down, see `message-pacing.ts`; 0 = off). */
  maxMessagesPerSecond: number;
  /** Unsent bytes a socket may hold before its client counts as not reading and is dropped (`MAX_SOCKET_BUFFER_BYTES`, default 64 MiB). */
  maxSocketBufferBytes: number;
  /** Largest WebSocket message accepted, in bytes (`MAX_MESSAGE_BYTES`, default 1 MiB); larger closes with 1009. */
  maxMessageBytes: number;
  /** Bearer token required by `/metrics` (`METRICS_TOKEN`); unset leaves it open. */
  metricsToken: string | undefined;
  /** Rooms untouched for this many days are deleted by a background job (`ROOM_TTL_DAYS`, default 0 = never). */
  roomTtlDays: number;
  /**
   * Keystrokes older than this many days are thinned into one change per
   * version, hourly (`HISTORY_RETENTION_DAYS`, default 0 = keep every change
   * forever); versions themselves are kept. See `docs/history.md`.
   */
  historyRetentionDays: number;
  /**
   * Which proxies to believe about the client IP (`X-Forwarded-For`), as
   * Express's `trust proxy` takes it: `true`, a hop count, or addresses/subnets
   * (`TRUST_PROXY`; unset trusts none).
   */
  trustProxy: boolean | number | string[];
  /** Per client IP and minute, 0 = off: room creations (`RATE_LIMIT_ROOM_CREATE`, 30), autocomplete requests (`RATE_LIMIT_AUTOCOMPLETE`, 600), new sockets (`RATE_LIMIT_CONNECTIONS`, 300), runs started (`RATE_LIMIT_RUNS`, 30). */
  rateLimits: { roomCreate: number; autocomplete: number; connections: number; runs: number };
  /** Running rooms' code; see docs/operations.md ("Running code"). */
  runs: RunConfig;
  /** Redis for scale-out (`REDIS_URL`); unset means a single instance. */
  redisUrl: string | undefined;
  /** Namespace of Pairpad's Redis channels and keys (`REDIS_PREFIX`, default `pairpad`). */
  redisPrefix: string;
  /** Optional model backend for autocomplete (`AUTOCOMPLETE_LLM_URL`, `_MODEL`, `_API_KEY`, `_TIMEOUT_MS` default 400 ms). */
  autocompleteModel: { url: string; model: string; apiKey?: string; timeoutMs: number } | undefined;
  /**
   * The local engine's worker threads: time one request may take, queue included (`AUTOCOMPLETE_BUDGET_MS`,
   * default 50; past it the answer is empty), how many threads (`AUTOCOMPLETE_WORKERS`; unset = cores − 1, 1 to 4),
   * and whether they start as the server starts listening (`AUTOCOMPLETE_WARM_UP`, `1` or `0`; default `1`) or at the
   * first request (whose caller then waits a second or more for them).
   */
  autocomplete: { budgetMs: number; workers: number | undefined; warmUp: boolean };
  /** Directory of the built web client, served at `/`; default `dist/client`. */
  clientDir: string;
  /**
   * Longest an accepted update waits in memory before it is written (group
   * commit), in ms; default 20. Its sender's acknowledgement waits for that
   * write (see `docs/durability.md`), so this is most of the latency it adds.
   */
  journalFlushMs: number;
  /** Quiet time after the last change before a room's snapshot is rewritten, in ms; default 2000. */
  storeDebounceMs: number;
  /** Longest a busy room goes without its snapshot rewritten, in ms; default 10000. */
  storeMaxDebounceMs: number;
  /** Rooms whose stored state is at least this many bytes fold in a worker thread (`FOLD_WORKER_MIN_BYTES`, default 262144); see `collab/room-replicas.ts`. */
  foldWorkerMinBytes: number;
  /** A large room loads in chunks for about this long per turn of the event loop, in ms; default 8 (0: one chunk per turn). See `collab/update-chunks.ts`. */
  loadSliceMs: number;
  /** How long a graceful shutdown waits for the database before it spills rooms to disk (`SHUTDOWN_TIMEOUT_MS`, default 30000). */
  shutdownTimeoutMs: number;
  /** Longest a Postgres query may go unanswered before it fails and is retried, in ms; default 10000. */
  databaseQueryTimeoutMs: number;
  /**
   * The server holds the SQLite file exclusively, its WAL index in memory
   * rather than a mapped `-shm` file, so an unwritable disk fails writes
   * instead of killing the process (SIGBUS). Other processes cannot open the
   * file while the server runs. `SQLITE_LOCKING`: `exclusive` (default) or
   * `shared` (live SQL readers allowed, a SIGBUS risked). See docs/operations.md.
   */
  sqliteExclusiveLocking: boolean;
  /** Optimise Yjs's load and sync code before listening (`YJS_WARM_UP`, `1` or `0`; default `1`); see `collab/yjs-warm-up.ts`. */
  warmUpYjs: boolean;
}

/** How this server runs code (`RUNNER`, `RUNNER_URL`, `RUN_*`). */
export interface RunConfig {
  /**
   * `RUNNER`: `local` (the bubblewrap sandbox), `piston` (a Piston engine at
   * `RUNNER_URL`) or `off`. Unset: `local` when the sandbox is available
   * (`bwrap` installed), else `off`.
   */
  runner: 'local' | 'piston' | 'off' | undefined;
  /** `RUNNER_URL`: the Piston engine's base URL (required with `RUNNER=piston`). */
  url: string | undefined;
  /** Runs at once on this instance (`RUN_CONCURRENCY`, default 2); the rest wait in order. */
  concurrency: number;
  /**
   * Limits of each run: wall time `RUN_TIMEOUT_MS` (10000), compile time
   * `RUN_COMPILE_TIMEOUT_MS` (10000), CPU time `RUN_CPU_MS` (default the
   * wall time), memory `RUN_MEMORY_MB` (256), processes `RUN_PROCESSES` (64),
   * output `RUN_OUTPUT_BYTES` (1 MiB, stdout and stderr together), largest
   * file written `RUN_FILE_BYTES` (16 MiB).
   */
  limits: Readonly<RunLimits>;
}

function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((entry) => entry.trim()).filter(Boolean);
}

/** Thrown by {@link loadConfig} with every invalid variable named. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the configuration from `env` (normally `process.env`). Reports every
 * invalid variable at once and returns a frozen object. This is the only
 * place in the server that reads the environment.
 */
export function loadConfig(env: Record<string, string | undefined>): Readonly<Config> {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const vars = parsed.data;
  return Object.freeze({
    port: vars.PORT,
    host: vars.HOST,
    databaseUrl: vars.DATABASE_URL,
    sqlitePath: path.resolve(vars.DATA_DIR, 'pairpad.db'),
    spillDirs: Object.freeze([
      ...new Set([
        path.resolve(vars.DATA_DIR, 'spill'),
        ...vars.SPILL_DIRS.map((dir) => path.resolve(dir)),
        path.join(os.tmpdir(), 'pairpad-spill'),
      ]),
    ]),
    logLevel: vars.LOG_LEVEL,
    corsOrigins: Object.freeze(vars.CORS_ORIGINS),
    auth: Object.freeze({ secret: vars.AUTH_JWT_SECRET, publicKey: vars.AUTH_JWT_PUBLIC_KEY }),
    maxDocumentChars: vars.MAX_DOCUMENT_BYTES,
    maxMessagesPerSecond: vars.MAX_MESSAGES_PER_SECOND,
    maxSocketBufferBytes: vars.MAX_SOCKET_BUFFER_BYTES,
    maxMessageBytes: vars.MAX_MESSAGE_BYTES,
    metricsToken: vars.METRICS_TOKEN,
    roomTtlDays: vars.ROOM_TTL_DAYS,
    historyRetentionDays: vars.HISTORY_RETENTION_DAYS,
    trustProxy: parseTrustProxy(vars.TRUST_PROXY),
    rateLimits: Object.freeze({
      roomCreate: vars.RATE_LIMIT_ROOM_CREATE,
      autocomplete: vars.RATE_LIMIT_AUTOCOMPLETE,
      connections: vars.RATE_LIMIT_CONNECTIONS,
      runs: vars.RATE_LIMIT_RUNS,
    }),
    runs: Object.freeze({
      runner: vars.RUNNER,
      url: vars.RUNNER_URL,
      concurrency: vars.RUN_CONCURRENCY,
      limits: Object.freeze({
        wallMs: vars.RUN_TIMEOUT_MS,
        compileMs: vars.RUN_COMPILE_TIMEOUT_MS,
        cpuMs: vars.RUN_CPU_MS ?? vars.RUN_TIMEOUT_MS,
        memoryMb: vars.RUN_MEMORY_MB,
        processes: vars.RUN_PROCESSES,
        outputBytes: vars.RUN_OUTPUT_BYTES,
        fileSizeBytes: vars.RUN_FILE_BYTES,
      }),
    }),
    redisUrl: vars.REDIS_URL,
    redisPrefix: vars.REDIS_PREFIX,
    autocompleteModel: vars.AUTOCOMPLETE_LLM_URL
      ? Object.freeze({
          url: vars.AUTOCOMPLETE_LLM_URL,
          model: vars.AUTOCOMPLETE_LLM_MODEL,
          apiKey: vars.AUTOCOMPLETE_LLM_API_KEY,
          timeoutMs: vars.AUTOCOMPLETE_LLM_TIMEOUT_MS,
        })
      : undefined,
    autocomplete: Object.freeze({ budgetMs: vars.AUTOCOMPLETE_BUDGET_MS, workers: vars.AUTOCOMPLETE_WORKERS, warmUp: vars.AUTOCOMPLETE_WARM_UP === '1' }),
    clientDir: path.resolve('dist/client'),
    journalFlushMs: 20,
    storeDebounceMs: 2000,
    storeMaxDebounceMs: 10_000,
    foldWorkerMinBytes: vars.FOLD_WORKER_MIN_BYTES,
    loadSliceMs: 8,
    shutdownTimeoutMs: vars.SHUTDOWN_TIMEOUT_MS,
    databaseQueryTimeoutMs: 10_000,
    sqliteExclusiveLocking: vars.SQLITE_LOCKING === 'exclusive',
    warmUpYjs: vars.YJS_WARM_UP === '1',
  });
}
