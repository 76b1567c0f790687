import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createPostgresDatabase } from './databases.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A Pairpad server running as its own process, so a test can kill it for real. */
export interface ChildServer {
  process: ChildProcess;
  port: number;
  baseUrl: string;
  wsUrl: string;
  /** Every log line it printed (JSON lines from pino, or anything else as text). */
  logs: string[];
  /** Resolves with the exit code (or the signal name) once the process ended. */
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Starts `server/main.ts` in a child process with `env` and waits until it
 * listens. `serverRoot`: another checkout to run (a benchmark's "before");
 * `logs`: where its lines go, to read them before it listens.
 */
export async function spawnServer(env: Record<string, string | undefined>, serverRoot = root, logs: string[] = []): Promise<ChildServer> {
  // SERVER_NODE_ARGS: node flags for the server (a benchmark's --cpu-prof, say).
  const nodeArgs = process.env.SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/main.ts'], {
    cwd: serverRoot,
    // Warming up Yjs, and loading the autocomplete threads, cost a second each per start; the tests of them turn them on.
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', YJS_WARM_UP: '0', AUTOCOMPLETE_WARM_UP: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  createInterface({ input: child.stderr! }).on('line', (line) => logs.push(line));
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      logs.push(line);
      if (line.includes('"pairpad listening"')) resolve(JSON.parse(line).port);
    });
    exited.then((code) => reject(new Error(`server exited (${code}) before listening:\n${logs.join('\n')}`)));
  });
  return {
    process: child,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    logs,
    exited,
    kill: (signal) => child.kill(signal),
  };
}

/** Child servers a test kills and restarts on one storage (see {@link createRestartableServers}). */
export interface RestartableServers {
  /** A fresh, empty storage: the environment (`DATABASE_URL` or `DATA_DIR`) that points a server at it. */
  storageEnv(): Promise<Record<string, string>>;
  /** Starts a server with `env`; a restart on the same storage is another `start(env)`. */
  start(env: Record<string, string>): Promise<ChildServer>;
}

/**
 * Child servers on `dialect` for the crash tests. Everything they make is
 * torn down by `cleanups`, the list the test file runs (last first) after
 * each test: storage is dropped or removed, and a server still running is
 * SIGKILLed. `label` names the temporary SQLite directories.
 */
export function createRestartableServers(dialect: 'sqlite' | 'postgres', cleanups: (() => unknown)[], label: string): RestartableServers {
  return {
    async storageEnv(): Promise<Record<string, string>> {
      if (dialect === 'postgres') {
        const database = await createPostgresDatabase();
        cleanups.push(() => database.drop());
        return { DATABASE_URL: database.url };
      }
      const dataDir = mkdtempSync(path.join(os.tmpdir(), `pairpad-${label}-`));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      return { DATA_DIR: dataDir };
    },
    async start(env) {
      const server = await spawnServer(env);
      cleanups.push(() => {
        server.kill('SIGKILL');
        return server.exited;
      });
      return server;
    },
  };
}
