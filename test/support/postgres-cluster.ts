import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A Postgres server of the test's own (initdb in a temporary directory), so a
 * test can stop and start the real thing without touching the shared one.
 * Runs the machine's Postgres binaries as the `postgres` user. It listens on
 * a Unix socket in its own directory only: a TCP port, free while the server
 * is stopped, could be taken meanwhile by another test's listener (a proxy to
 * another database), and the server under test would write there.
 */
export interface OwnPostgres {
  url: string;
  stop(): void;
  start(): void;
  destroy(): void;
}

function findBinDir(): string {
  const root = '/usr/lib/postgresql';
  const version = execFileSync('ls', [root], { encoding: 'utf8' }).trim().split('\n').sort().at(-1);
  if (!version) throw new Error(`no Postgres binaries under ${root}`);
  return path.join(root, version, 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const bin = findBinDir();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pairpad-pg-'));
  chmodSync(dir, 0o777);
  const data = path.join(dir, 'data');
  const port = await freePort();
  const asPostgres = (command: string, args: string[]) =>
    execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, command), ...args], { stdio: 'pipe' });
  asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const ctl = (action: 'start' | 'stop') =>
    asPostgres('pg_ctl', action === 'start'
      ? ['-D', data, '-w', '-l', path.join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses= -c fsync=off`, 'start']
      : ['-D', data, '-w', '-m', 'fast', 'stop']);
  ctl('start');
  return {
    url: `postgres://postgres@/postgres?host=${encodeURIComponent(dir)}&port=${port}`,
    stop: () => ctl('stop'),
    start: () => ctl('start'),
    destroy() {
      try {
        ctl('stop');
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
