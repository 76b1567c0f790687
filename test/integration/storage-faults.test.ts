import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawnServer, type ChildServer } from '../support/child-server.ts';
import { startOwnPostgres } from '../support/postgres-cluster.ts';
import { connectClient, type TestClient } from '../support/providers.ts';
import { createRoom, fetchRoomCode } from '../support/server.ts';
import { readHealth as health } from '../support/http.ts';

// How long the real Postgres server stays down (issue: 30 s).
const OUTAGE_MS = Number(process.env.FAULT_OUTAGE_SECONDS ?? 30) * 1000;


describe('storage faults', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(env: Record<string, string>): Promise<ChildServer> {
    const server = await spawnServer(env);
    cleanups.push(() => {
      server.kill('SIGKILL');
      return server.exited;
    });
    return server;
  }

  /** Kills the server (nothing gets a chance to be written then) and checks that a new one serves exactly `text`. */
  async function expectStoredAfterKill(server: ChildServer, env: Record<string, string>, roomId: string, text: string): Promise<void> {
    server.kill('SIGKILL');
    await server.exited;
    const restarted = await start(env);
    expect(await fetchRoomCode(restarted.baseUrl, roomId)).toBe(text);
  }

  function track(client: TestClient): TestClient {
    cleanups.push(() => client.destroy());
    return client;
  }

  /** A small file system of the test's own (tests run as root, which may mount); unmounted after the test. */
  function mountTmpfs(name: string, sizeMb: number): string {
    const mountPoint = path.join(os.tmpdir(), `pairpad-${name}-${process.pid}-${Date.now()}`);
    mkdirSync(mountPoint);
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', mountPoint]);
    cleanups.push(() => {
      execFileSync('umount', ['-l', mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    });
    return mountPoint;
  }

  /** Fills the file system at `mountPoint` to the last byte; returns a function that frees it again. */
  function fillDisk(mountPoint: string, sizeMb: number): () => void {
    const filler = path.join(mountPoint, 'filler');
    try {
      writeFileSync(filler, Buffer.alloc(sizeMb * 1024 * 1024));
    } catch {
      // ENOSPC: full, as intended
    }
    return () => rmSync(filler, { force: true });
  }

  /** A directory of the test's own on the ordinary disk. */
  function tempDir(name: string): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), `pairpad-${name}-`));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  /**
   * Opens a room with a writer and a reader and types `lines` lines; resolves
   * with the text once the reader has it all, i.e. once the server accepted
   * every edit (whatever it has managed to store).
   */
  async function typeInRoom(server: ChildServer, roomId: string, lines: number, label: string, breakStorage: () => void): Promise<string> {
    const writer = track(connectClient(server.wsUrl, roomId));
    const reader = track(connectClient(server.wsUrl, roomId));
    await Promise.all([writer.synced, reader.synced]);
    writer.text.insert(writer.text.length, 'before the fault\n');
    await vi.waitFor(() => expect(reader.text.toString()).toBe(writer.text.toString()));
    breakStorage();
    for (let i = 0; i < lines; i++) writer.text.insert(writer.text.length, `${label} ${i} ${'x'.repeat(100)}\n`);
    const text = writer.text.toString();
    await vi.waitFor(() => expect(reader.text.toString()).toBe(text), { timeout: 20_000 });
    return text;
  }

  it('keeps editing while the real Postgres server is stopped, answers 503, and stores everything when it returns', async () => {
    const postgres = await startOwnPostgres();
    cleanups.push(() => postgres.destroy());
    const server = await start({ DATABASE_URL: postgres.url });
    const { roomId } = await createRoom(server.baseUrl, { code: 'before\n' });
    const alice = track(connectClient(server.wsUrl, roomId));
    const bob = track(connectClient(server.wsUrl, roomId));
    await Promise.all([alice.synced, bob.synced]);

    postgres.stop();
    await vi.waitFor(async () => expect(await health(server)).toMatchObject({ httpStatus: 503, database: 'unreachable' }), { timeout: 10_000 });
    const outageEnds = Date.now() + OUTAGE_MS;
    let typed = 0;
    while (Date.now() < outageEnds) {
      alice.text.insert(alice.text.length, 'a');
      bob.text.insert(0, 'b');
      typed++;
      await new Promise((resolve) => setTimeout(resolve, 100)); // a person typing, not a wait for a condition
    }
    await vi.waitFor(() => expect(bob.text.toString()).toBe(alice.text.toString()));
    expect(await health(server)).toMatchObject({ httpStatus: 503 });

    postgres.start();
    await vi.waitFor(async () => expect(await health(server)).toMatchObject({ httpStatus: 200, database: 'ok', pendingWrites: 0 }), { timeout: 20_000 });
    const text = alice.text.toString();
    expect(text.match(/a/g)?.length).toBe(typed);
    expect(server.logs.some((line) => line.includes('writing the update log failed'))).toBe(true);

    await expectStoredAfterKill(server, { DATABASE_URL: postgres.url }, roomId, text);
  }, OUTAGE_MS + 90_000);

  it('spills rooms to disk on SIGTERM while Postgres is down, and stores them at the next start', async () => {
    const postgres = await startOwnPostgres();
    cleanups.push(() => postgres.destroy());
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pairpad-spill-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = { DATABASE_URL: postgres.url, DATA_DIR: dataDir, SHUTDOWN_TIMEOUT_MS: '2000' };
    const server = await start(env);
    const { roomId } = await createRoom(server.baseUrl, { code: 'before\n' });
    const writer = track(connectClient(server.wsUrl, roomId));
    const reader = track(connectClient(server.wsUrl, roomId));
    await Promise.all([writer.synced, reader.synced]);

    postgres.stop();
    for (let i = 0; i < 50; i++) writer.text.insert(writer.text.length, `typed during the outage ${i}\n`);
    const typed = writer.text.toString();
    // Accepted (the reader has it) but not acknowledged: the writer's answers wait for the database.
    await vi.waitFor(() => expect(reader.text.toString()).toBe(typed));
    server.kill('SIGTERM');
    expect(await server.exited).toBe(1);
    expect(server.logs.some((line) => line.includes('saved to') && line.includes('stored at the next start'))).toBe(true);

    postgres.start();
    const restarted = await start(env);
    expect(await fetchRoomCode(restarted.baseUrl, roomId)).toBe(typed);
    expect(restarted.logs.some((line) => line.includes('stored a room spilled at the last shutdown'))).toBe(true);
  });

  it.each([
    { to: 'SPILL_DIRS', env: (dir: string) => ({ SPILL_DIRS: dir }), spillDir: (dir: string) => dir },
    { to: 'the OS temp dir', env: (dir: string) => ({ TMPDIR: dir }), spillDir: (dir: string) => path.join(dir, 'pairpad-spill') },
  ])('on SIGTERM with the SQLite disk full, spills past the full DATA_DIR/spill to $to, and the next start stores every edit', async (chain) => {
    const mountPoint = mountTmpfs('full-sigterm', 3);
    const dir = tempDir('spill-chain');
    const spillDir = chain.spillDir(dir);
    const env = { DATA_DIR: path.join(mountPoint, 'data'), SHUTDOWN_TIMEOUT_MS: '2000', ...chain.env(dir) };
    const server = await start(env);
    const { roomId } = await createRoom(server.baseUrl, { code: 'start\n' });
    let freeDisk!: () => void;
    const text = await typeInRoom(server, roomId, 200, 'typed on a full disk', () => (freeDisk = fillDisk(mountPoint, 3)));
    await vi.waitFor(async () => expect(await health(server)).toMatchObject({ httpStatus: 503 }), { timeout: 10_000 });

    server.kill('SIGTERM');
    expect(await server.exited).toBe(1);
    freeDisk();
    const restarted = await start(env);
    expect(await fetchRoomCode(restarted.baseUrl, roomId)).toBe(text);
    expect(server.logs.some((line) => line.includes(`could not spill rooms to ${path.join(env.DATA_DIR, 'spill')}`))).toBe(true);
    expect(server.logs.some((line) => line.includes(`saved to ${spillDir}`))).toBe(true);
    expect(restarted.logs.some((line) => line.includes('stored a room spilled at the last shutdown'))).toBe(true);
  });

  it('on SIGTERM when neither the database nor any spill directory takes the rooms, stays up, says so in /health, and exits once they are stored', async () => {
    const postgres = await startOwnPostgres();
    cleanups.push(() => postgres.destroy());
    // DATA_DIR, SPILL_DIRS and the OS temp dir all on one file system that turns read-only.
    const mountPoint = mountTmpfs('readonly-all', 8);
    const env = {
      DATABASE_URL: postgres.url,
      DATA_DIR: path.join(mountPoint, 'data'),
      SPILL_DIRS: path.join(mountPoint, 'spill-too'),
      TMPDIR: path.join(mountPoint, 'tmp'),
      SHUTDOWN_TIMEOUT_MS: '1000',
    };
    mkdirSync(env.TMPDIR);
    const server = await start(env);
    const { roomId } = await createRoom(server.baseUrl, { code: 'start\n' });
    const text = await typeInRoom(server, roomId, 50, 'typed with nowhere to write', () => {
      postgres.stop();
      execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
    });

    server.kill('SIGTERM');
    await vi.waitFor(async () => expect(await health(server)).toMatchObject({ httpStatus: 503, status: 'degraded', unsavedRooms: 1 }), { timeout: 20_000 });
    await vi.waitFor(() => expect(server.logs.some((line) => line.includes('cannot store or spill 1 room(s); staying up and retrying'))).toBe(true), { timeout: 5_000 });
    expect(server.process.exitCode).toBeNull();

    postgres.start();
    expect(await server.exited).toBe(0);
    execFileSync('mount', ['-o', 'remount,rw', mountPoint]);
    const restarted = await start(env);
    expect(await fetchRoomCode(restarted.baseUrl, roomId)).toBe(text);
  });

  it('degrades, never dies of SIGBUS, when the SQLite files and the data dir turn unwritable; SIGTERM spills and the next start stores every edit', async () => {
    const dataDir = tempDir('unwritable');
    const env = { DATA_DIR: dataDir, SPILL_DIRS: tempDir('spill-dirs'), SHUTDOWN_TIMEOUT_MS: '1000' };
    const server = await start(env);
    const { roomId } = await createRoom(server.baseUrl, { code: 'start\n' });
    // Root ignores file modes, so the files are made immutable: every write, as root too, fails.
    // The -shm file, where SQLite keeps one (shared locking), included: writes to its memory map then raise SIGBUS.
    const targets = ['pairpad.db', 'pairpad.db-wal', 'pairpad.db-shm'].map((name) => path.join(dataDir, name)).filter((file) => existsSync(file));
    const setWritable = (writable: boolean) => execFileSync('chattr', [writable ? '-i' : '+i', ...targets, dataDir]);
    cleanups.push(() => setWritable(true));
    const text = await typeInRoom(server, roomId, 300, 'typed on an unwritable disk', () => setWritable(false));
    await vi.waitFor(async () => expect(await health(server)).toMatchObject({ httpStatus: 503, status: 'degraded' }), { timeout: 10_000 });
    expect(server.process.exitCode).toBeNull();
    expect(server.process.signalCode).toBeNull();

    server.kill('SIGTERM');
    expect(await server.exited).toBe(1);
    setWritable(true);
    const restarted = await start(env);
    expect(await fetchRoomCode(restarted.baseUrl, roomId)).toBe(text);
  });

  it('keeps editing when the SQLite disk is full, logs it clearly, and stores everything once there is room', async () => {
    const mountPoint = path.join(os.tmpdir(), `pairpad-full-${process.pid}-${Date.now()}`);
    mkdirSync(mountPoint);
    // A small disk of our own; CI runs as root, which may mount it.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mountPoint]);
    cleanups.push(() => {
      execFileSync('umount', ['-l', mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    });
    const dataDir = path.join(mountPoint, 'data');
    const server = await start({ DATA_DIR: dataDir });
    const { roomId } = await createRoom(server.baseUrl, { code: 'start\n' });
    const writer = track(connectClient(server.wsUrl, roomId));
    await writer.synced;

    // Fill the disk to the last byte.
    const filler = path.join(mountPoint, 'filler');
    try {
      writeFileSync(filler, Buffer.alloc(3 * 1024 * 1024));
    } catch {
      // ENOSPC: full, as intended
    }
    for (let i = 0; i < 200; i++) writer.text.insert(writer.text.length, `line ${i} ${'x'.repeat(200)}\n`);
    await vi.waitFor(async () => expect(await health(server)).toMatchObject({ httpStatus: 503, status: 'degraded' }), { timeout: 10_000 });
    await vi.waitFor(() => expect(server.logs.some((line) => line.includes('writing the update log failed') && /SQLITE_FULL|disk is full/.test(line))).toBe(true), { timeout: 5_000 });

    rmSync(filler, { force: true });
    await vi.waitFor(async () => expect(await health(server)).toMatchObject({ httpStatus: 200, pendingWrites: 0 }), { timeout: 20_000 });
    const text = writer.text.toString();
    await expectStoredAfterKill(server, { DATA_DIR: dataDir }, roomId, text);
  });

  it('keeps editing when the SQLite file turns read-only, logs it clearly, and stores everything once it is writable', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pairpad-readonly-'));
    const server = await start({ DATA_DIR: dataDir });
    const files = ['pairpad.db', 'pairpad.db-wal'].map((name) => path.join(dataDir, name));
    // Root ignores file modes, so the files are made immutable: every write, as root too, fails.
    const setWritable = (writable: boolean) => execFileSync('chattr', [writable ? '-i' : '+i', ...files]);
    cleanups.push(() => {
      setWritable(true);
      rmSync(dataDir, { recursive: true, force: true });
    });
    const { roomId } = await createRoom(server.baseUrl, { code: 'start\n' });
    const writer = track(connectClient(server.wsUrl, roomId));
    const reader = track(connectClient(server.wsUrl, roomId));
    await Promise.all([writer.synced, reader.synced]);

    setWritable(false);
    for (let i = 0; i < 200; i++) writer.text.insert(writer.text.length, `line ${i}\n`);
    await vi.waitFor(async () => expect(await health(server)).toMatchObject({ httpStatus: 503, status: 'degraded' }), { timeout: 10_000 });
    // The child's log lines arrive through its stdout, possibly just after /health has turned.
    await vi.waitFor(() => expect(server.logs.some((line) => line.includes('writing the update log failed (the database file is not writable'))).toBe(true), { timeout: 5_000 });
    // Editing goes on for everyone in the room.
    reader.text.insert(0, 'reader was here\n');
    await vi.waitFor(() => expect(writer.text.toString()).toBe(reader.text.toString()));
    expect(writer.text.toString()).toContain('line 199\n');

    setWritable(true);
    await vi.waitFor(async () => expect(await health(server)).toMatchObject({ httpStatus: 200, pendingWrites: 0 }), { timeout: 20_000 });
    const text = writer.text.toString();
    await expectStoredAfterKill(server, { DATA_DIR: dataDir }, roomId, text);
  });
});
