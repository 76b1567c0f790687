import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Config } from '../../server/config.ts';
import { createPostgresDatabase, testDatabaseUrl } from '../support/databases.ts';
import { connectClient, type TestClient } from '../support/providers.ts';
import { createRoom, fetchRoomCode, restartTestServer, startTestServer, type TestServer } from '../support/server.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { readHealth as health } from '../support/http.ts';


// Runs wherever Postgres is configured; CI always sets TEST_DATABASE_URL.
describe.runIf(testDatabaseUrl)('a Postgres outage while people type', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A server whose Postgres is reached through a TCP hop the test controls, with quick stores. */
  async function startBehindProxy(overrides: Partial<Config> = {}): Promise<{ database: { url: string }; proxy: TcpProxy; server: TestServer }> {
    const database = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    const target = new URL(database.url);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    cleanups.push(() => proxy.close());
    const viaProxy = new URL(database.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const server = await startTestServer({
      databaseUrl: viaProxy.toString(),
      overrides: { storeDebounceMs: 100, storeMaxDebounceMs: 300, ...overrides },
    });
    cleanups.push(() => server.close());
    return { database, proxy, server };
  }

  it('keeps editing in memory, reports 503, and stores everything once the database is back', async () => {
    const { database, proxy, server } = await startBehindProxy();
    const { roomId } = await createRoom(server.baseUrl);
    const alice: TestClient = connectClient(server.wsUrl, roomId);
    const bob: TestClient = connectClient(server.wsUrl, roomId);
    cleanups.push(() => alice.destroy(), () => bob.destroy());
    await Promise.all([alice.synced, bob.synced]);
    alice.text.insert(0, 'before the outage. ');

    await proxy.cut();
    await vi.waitFor(async () => expect(await health(server)).toMatchObject({ httpStatus: 503, status: 'degraded', database: 'unreachable' }), { timeout: 10_000 });
    for (let i = 0; i < 50; i++) {
      alice.text.insert(alice.text.length, 'x');
      bob.text.insert(0, 'y');
    }
    await vi.waitFor(() => expect(bob.text.toString()).toBe(alice.text.toString()));
    // Give the journal and the store time to fail and retry at least once.
    await vi.waitFor(async () => expect((await health(server)).pendingWrites).toBeGreaterThan(0));

    const typed = alice.text.toString();
    expect(typed).toContain('before the outage. ');
    expect(typed.match(/x/g)?.length).toBe(50);
    expect(typed.match(/y/g)?.length).toBe(50);

    // Everyone leaves while the database is still away: the room must stay in memory.
    alice.destroy();
    bob.destroy();
    const { hocuspocus, persistence } = server.pairpad.collab;
    await vi.waitFor(() => expect(persistence.failingRoomCount).toBe(1), { timeout: 10_000 });
    // The sockets close on their own schedule: Hocuspocus counts a connection until its close hooks ran.
    await vi.waitFor(() => expect(hocuspocus.getConnectionsCount()).toBe(0), { timeout: 15_000 });
    expect(hocuspocus.documents.has(roomId)).toBe(true);

    await proxy.restore();
    await vi.waitFor(async () => expect(await health(server)).toMatchObject({ httpStatus: 200, status: 'ok', database: 'ok', pendingWrites: 0 }), { timeout: 15_000 });
    await vi.waitFor(() => expect(hocuspocus.getDocumentsCount()).toBe(0), { timeout: 10_000 });
    await server.stop();
    const restarted = await restartTestServer({ ...server, config: { ...server.config, databaseUrl: database.url } });
    cleanups.push(() => restarted.stop());
    expect(await fetchRoomCode(restarted.baseUrl, roomId)).toBe(typed);
  });

  it('reports 503 within a second or two when the database stops answering, and stores everything once it answers again', async () => {
    const { database, proxy, server } = await startBehindProxy({ databaseQueryTimeoutMs: 1_500 });
    const { roomId } = await createRoom(server.baseUrl);
    const alice: TestClient = connectClient(server.wsUrl, roomId);
    cleanups.push(() => alice.destroy());
    await alice.synced;
    alice.text.insert(0, 'before. ');
    await vi.waitFor(async () => expect((await health(server)).pendingWrites).toBe(0));

    // Bytes are held, connections stay open: nothing fails fast, queries just hang.
    proxy.freeze();
    const frozenAt = Date.now();
    expect(await health(server)).toMatchObject({ httpStatus: 503, database: 'unreachable' });
    expect(Date.now() - frozenAt).toBeLessThan(2_500);
    for (let i = 0; i < 30; i++) alice.text.insert(alice.text.length, 'h');
    // The hung journal write times out (rather than holding every later write) and is retried.
    await vi.waitFor(() => expect(server.pairpad.collab.journal.failing).toBe(true), { timeout: 10_000 });
    expect(await health(server)).toMatchObject({ httpStatus: 503, status: 'degraded', database: 'unreachable' });
    // A fold in flight holds the journal's updates for a moment, uncounted until it fails.
    await vi.waitFor(async () => expect((await health(server)).pendingWrites).toBeGreaterThan(0), { timeout: 10_000 });
    const typed = alice.text.toString();

    proxy.thaw();
    await vi.waitFor(async () => expect(await health(server)).toMatchObject({ httpStatus: 200, status: 'ok', pendingWrites: 0 }), { timeout: 20_000 });
    alice.destroy();
    const { hocuspocus } = server.pairpad.collab;
    await vi.waitFor(() => expect(hocuspocus.getDocumentsCount()).toBe(0), { timeout: 15_000 });
    await server.stop();
    const restarted = await restartTestServer({ ...server, config: { ...server.config, databaseUrl: database.url } });
    cleanups.push(() => restarted.stop());
    expect(await fetchRoomCode(restarted.baseUrl, roomId)).toBe(typed);
  });
});
