import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../support/providers.ts';

// `npm start` as a newcomer runs it: a checkout without dist/, so the
// client and the server are built first, then the compiled server runs
// (`node dist/server/main.js`), worker threads included. A source newer
// than its build is rebuilt on the next start; an unchanged one is not.
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const eventually = { timeout: 30_000, interval: 100 };
let checkout: string;

beforeAll(() => {
  checkout = mkdtempSync(path.join(os.tmpdir(), 'pairpad-checkout-'));
  const skip = new Set(['node_modules', 'dist', '.git', 'data', 'test-results']);
  cpSync(repoRoot, checkout, { recursive: true, filter: (source) => !skip.has(path.relative(repoRoot, source).split(path.sep)[0]) });
  // The dependencies as `npm install` left them (a copy would take a minute).
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(checkout, 'node_modules'), 'dir');
});

afterAll(() => {
  rmSync(checkout, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  baseUrl: string;
  wsUrl: string;
  lines: string[];
  stop(): Promise<void>;
}

/** `npm start` in the checkout, on a free port; resolves once the server listens. */
async function npmStart(dataDir: string): Promise<Started> {
  const child = spawn('npm', ['start', '--silent'], {
    cwd: checkout,
    // Its own process group, so stopping it stops npm and node together.
    detached: true,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', YJS_WARM_UP: '0', FOLD_WORKER_MIN_BYTES: '1024' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  createInterface({ input: child.stderr! }).on('line', (line) => lines.push(line));
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (line.includes('"pairpad listening"')) resolve(JSON.parse(line).port);
    });
    void exited.then(() => reject(new Error(`npm start exited before listening:\n${lines.join('\n')}`)));
  });
  return {
    child,
    baseUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    lines,
    async stop() {
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    },
  };
}

describe('npm start', () => {
  it('builds a fresh checkout, runs the compiled server with its workers, and rebuilds only what is stale', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pairpad-start-data-'));
    try {
      const first = await npmStart(dataDir);
      try {
        expect(first.lines.some((line) => line.startsWith('client: dist was missing; built in'))).toBe(true);
        expect(first.lines.some((line) => line.startsWith('server: dist was missing; built in'))).toBe(true);

        // The page and its assets, compressed at build time.
        const html = await (await fetch(`${first.baseUrl}/`)).text();
        const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
        expect(script).toBeDefined();
        const asset = await fetch(`${first.baseUrl}${script}`, { headers: { 'accept-encoding': 'br' } });
        expect(asset.headers.get('content-encoding')).toBe('br');

        // The autocomplete engine answers from its worker thread (engine.worker.js).
        const source = 'calculate_total = 0\nfor item in items:\n    calculate_total += item\nprint(calc';
        const completion = await fetch(`${first.baseUrl}/api/autocomplete`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ language: 'python', code: source, cursorPosition: source.length }),
        });
        expect(completion.status).toBe(200);
        expect(((await completion.json()) as { items: { label: string }[] }).items[0].label).toBe('calculate_total');

        // A room over FOLD_WORKER_MIN_BYTES is folded by its copy in the fold worker (fold.worker.js).
        const code = 'x = 1\n'.repeat(1000);
        const created = await fetch(`${first.baseUrl}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language: 'python', code }) });
        const { roomId } = (await created.json()) as { roomId: string };
        const client = connectClient(first.wsUrl, roomId);
        try {
          await client.synced;
          client.text.insert(0, '# typed\n');
          await expect
            .poll(async () => ((await (await fetch(`${first.baseUrl}/api/rooms/${roomId}`)).json()) as { code: string }).code, eventually)
            .toBe(`# typed\n${code}`);
        } finally {
          client.destroy();
        }
      } finally {
        await first.stop();
      }
      const complaints = first.lines.filter((line) => /"level":(40|50|60)/.test(line));
      expect(complaints).toEqual([]);

      // Nothing changed: nothing is rebuilt.
      const second = await npmStart(dataDir);
      await second.stop();
      expect(second.lines).toContain('client: dist is up to date');
      expect(second.lines).toContain('server: dist is up to date');

      // A client source newer than the build (item 9: a stale dist/client was served).
      const future = new Date(Date.now() + 60_000);
      utimesSync(path.join(checkout, 'client/main.ts'), future, future);
      const third = await npmStart(dataDir);
      await third.stop();
      expect(third.lines.some((line) => line.startsWith('client: dist was older than its sources; built in'))).toBe(true);
      expect(third.lines).toContain('server: dist is up to date');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
