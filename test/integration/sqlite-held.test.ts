import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStorageWhenFree, StorageHeldError } from '../../server/storage/database.ts';
import { spawnServer, type ChildServer } from '../support/child-server.ts';
import { createRoom, fetchRoomCode } from '../support/server.ts';

/** A second process on a SQLite file the first holds (SQLITE_LOCKING=exclusive, the default) waits for it rather than failing at once. */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pairpad-held-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function track(server: ChildServer): ChildServer {
  cleanups.push(async () => {
    if (server.process.exitCode === null && server.process.signalCode === null) server.kill('SIGKILL');
    await server.exited;
  });
  return server;
}

describe('a SQLite file held by another process', () => {
  it('makes a new server wait, saying so, and start once the old one stopped (a rolling restart)', { timeout: 120_000 }, async () => {
    const env = { DATA_DIR: tempDir(), SHUTDOWN_TIMEOUT_MS: '2000' };
    const old = track(await spawnServer(env));
    const { roomId } = await createRoom(old.baseUrl, { code: 'kept\n' });

    const logs: string[] = [];
    const starting = spawnServer(env, undefined, logs);
    starting.then(track, () => {});
    await vi.waitFor(() => expect(logs.some((line) => line.includes('pairpad.db is held by another process (pid unknown); waiting'))).toBe(true), {
      timeout: 60_000,
      interval: 100,
    });

    old.kill('SIGTERM');
    expect(await old.exited).toBe(0);
    const replacement = await starting;
    expect(await fetchRoomCode(replacement.baseUrl, roomId)).toBe('kept\n');
  });

  it('gives up after the wait with a clear error', { timeout: 120_000 }, async () => {
    const dataDir = tempDir();
    track(await spawnServer({ DATA_DIR: dataDir }));
    const held: string[] = [];
    const opening = openStorageWhenFree({ databaseUrl: undefined, sqlitePath: path.join(dataDir, 'pairpad.db'), sqliteExclusiveLocking: true }, (message) => held.push(message), 1_000);
    await expect(opening).rejects.toThrow(StorageHeldError);
    await expect(opening).rejects.toThrow(/pairpad\.db is held by another process \(pid unknown\); gave up after 1 s/);
    expect(held).toEqual([expect.stringContaining('pairpad.db is held by another process (pid unknown); waiting')]);
  });
});
