import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';
import { startPairpad, type Pairpad } from '../../server/server.ts';
import { createPostgresDatabase } from './databases.ts';

/** A real Pairpad server started in this process on a free port. */
export interface TestServer {
  baseUrl: string;
  /** `ws://127.0.0.1:PORT` (append `/collab` or `/yjs`). */
  wsUrl: string;
  pairpad: Pairpad;
  config: Config;
  /** Stops the server and removes its database. */
  close(): Promise<void>;
  /** Stops the server but keeps its database, for a restart with {@link restartTestServer}. */
  stop(): Promise<void>;
  /** Removes the database and directory this server created (after {@link stop}). */
  dispose(): Promise<void>;
}

export interface TestServerOptions {
  /** `sqlite` (default, a temporary directory) or `postgres` (a fresh database on TEST_DATABASE_URL). */
  dialect?: 'sqlite' | 'postgres';
  /** Use this database instead of a new one (e.g. to restart on the same data). */
  databaseUrl?: string;
  dataDir?: string;
  /** Config fields to override (e.g. short store debounce). */
  overrides?: Partial<Config>;
  env?: Record<string, string>;
  /** Also run when this server is disposed (a restarted server takes over its predecessor's files). */
  disposeAlso?: () => Promise<void>;
}

/** Starts the whole server on port 0 with its own temporary database. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  let dataDir = options.dataDir;
  let databaseUrl = options.databaseUrl;
  let dropDatabase: (() => Promise<void>) | undefined;
  let removeDir = false;
  if (!databaseUrl && options.dialect === 'postgres') {
    const database = await createPostgresDatabase();
    databaseUrl = database.url;
    dropDatabase = database.drop;
  }
  // A directory of its own even on Postgres, for the spill folder.
  if (!dataDir) {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'pairpad-test-'));
    removeDir = true;
  }
  const config: Config = {
    ...loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      // Tests create rooms and sockets far faster than people; the rate-limit tests turn them back on.
      RATE_LIMIT_ROOM_CREATE: '0',
      RATE_LIMIT_AUTOCOMPLETE: '0',
      RATE_LIMIT_CONNECTIONS: '0',
      RATE_LIMIT_RUNS: '0',
      // Starting the local sandbox costs a test run at every server start; the run tests ask for it.
      RUNNER: 'off',
      // Each server would load its autocomplete threads (a second of CPU); the first request still starts them.
      AUTOCOMPLETE_WARM_UP: '0',
      DATA_DIR: dataDir,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...options.env,
    }),
    // In-process tests reach into the SQLite file from a second connection
    // (aging rooms, injecting faults), which the exclusive lock would refuse;
    // the child-process tests run the production setting.
    sqliteExclusiveLocking: false,
    ...options.overrides,
  };
  const pairpad = await startPairpad({ config, log: createLogger(config.logLevel) });
  const stop = () => pairpad.close();
  const dispose = async () => {
    await dropDatabase?.();
    if (removeDir && dataDir) rmSync(dataDir, { recursive: true, force: true });
    await options.disposeAlso?.();
  };
  return {
    baseUrl: `http://127.0.0.1:${pairpad.port}`,
    wsUrl: `ws://127.0.0.1:${pairpad.port}`,
    pairpad,
    config: { ...config, databaseUrl, sqlitePath: config.sqlitePath },
    stop,
    dispose,
    async close() {
      await stop();
      await dispose();
    },
  };
}

/** Starts a new server with the config and on the database of a stopped one; closing it also removes the predecessor's files. */
export function restartTestServer(previous: TestServer, overrides?: Partial<Config>): Promise<TestServer> {
  return startTestServer({
    databaseUrl: previous.config.databaseUrl,
    dataDir: path.dirname(previous.config.sqlitePath),
    overrides: { ...previous.config, ...overrides },
    disposeAlso: previous.dispose,
  });
}

/** `POST /api/rooms` and return the room. */
export async function createRoom(baseUrl: string, body: object = {}): Promise<{ roomId: string; code: string; language: string; title: string }> {
  const response = await fetch(`${baseUrl}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`create room: ${response.status} ${await response.text()}`);
  return (await response.json()) as { roomId: string; code: string; language: string; title: string };
}

/** `GET /api/rooms/:roomId` and return its code. */
export async function fetchRoomCode(baseUrl: string, roomId: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/rooms/${roomId}`);
  if (!response.ok) throw new Error(`get room: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { code: string }).code;
}
