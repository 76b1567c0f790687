import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startTestServer, type TestServer } from '../../support/server.ts';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * Builds the web client from the current sources with Vite, into a fresh
 * temporary directory: a stale `dist/client` can never make the browser
 * tests pass. Returns the directory.
 */
export async function buildClient(): Promise<string> {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'pairpad-client-'));
  await promisify(execFile)(
    process.execPath,
    [path.join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'client/vite.config.ts', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
    { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 },
  );
  return outDir;
}

/** A freshly built client served by a real Pairpad server on a free port. */
export interface TestApp {
  server: TestServer;
  baseUrl: string;
  clientDir: string;
  close(): Promise<void>;
}

/** Builds the client and starts the whole server (temporary SQLite database) serving it. */
export async function startTestApp(options: { env?: Record<string, string> } = {}): Promise<TestApp> {
  const clientDir = await buildClient();
  const server = await startTestServer({ overrides: { clientDir }, env: options.env });
  return {
    server,
    baseUrl: server.baseUrl,
    clientDir,
    async close() {
      await server.close();
      rmSync(clientDir, { recursive: true, force: true });
    },
  };
}

/** What `POST /api/rooms` takes: one file as `code`, or several as `files`. */
export interface NewRoom {
  language?: string;
  title?: string;
  code?: string;
  files?: { path: string; content: string; language?: string }[];
}

/** `POST /api/rooms` on the test server. */
export async function createRoom(baseUrl: string, body: NewRoom = {}): Promise<{ roomId: string; viewId: string }> {
  const response = await fetch(`${baseUrl}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`create room: ${response.status} ${await response.text()}`);
  return (await response.json()) as { roomId: string; viewId: string };
}

/** The room as `GET /api/rooms/:roomId` returns it. */
export async function fetchRoom(baseUrl: string, roomId: string): Promise<{ code: string; language: string; title: string; activeUsers: number }> {
  const response = await fetch(`${baseUrl}/api/rooms/${roomId}`);
  if (!response.ok) throw new Error(`get room: ${response.status} ${await response.text()}`);
  return (await response.json()) as { code: string; language: string; title: string; activeUsers: number };
}
