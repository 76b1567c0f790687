import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPostgresDatabase, dialects, testDatabaseUrl } from '../support/databases.ts';
import { connectClient, type TestClient } from '../support/providers.ts';
import { createRoom, fetchRoomCode, startTestServer } from '../support/server.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

/** Acknowledged means durable: the sender's answer waits for the update log; its peers do not. */
describe.each(dialects)('acknowledgements on %s', (dialect) => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('sends an edit to the peers at once and acknowledges it to its sender only once the log holds it', async () => {
    // The group commit runs only when the test says so.
    const server = await startTestServer({ dialect, overrides: { journalFlushMs: 600_000, storeDebounceMs: 600_000, storeMaxDebounceMs: 600_000 } });
    cleanups.push(() => server.close());
    const { roomId } = await createRoom(server.baseUrl, { code: '' });
    const alice = connectClient(server.wsUrl, roomId);
    const bob = connectClient(server.wsUrl, roomId);
    cleanups.push(() => alice.destroy(), () => bob.destroy());
    await Promise.all([alice.synced, bob.synced]);
    await vi.waitFor(() => expect(alice.provider.hasUnsyncedChanges).toBe(false));

    alice.text.insert(0, 'held until stored');
    await vi.waitFor(() => expect(bob.text.toString()).toBe('held until stored'));
    const { journal } = server.pairpad.collab;
    expect(journal.pendingUpdates).toBe(1);
    // Bob's copy came through the same server turn that would have answered Alice; make sure her socket is drained too.
    await roundTrip(alice);
    expect(alice.provider.hasUnsyncedChanges).toBe(true);

    await journal.flush();
    await vi.waitFor(() => expect(alice.provider.hasUnsyncedChanges).toBe(false));
  });

  it('acknowledges a connection\'s updates in the order they came, each once the log holds it', async () => {
    const server = await startTestServer({ dialect, overrides: { journalFlushMs: 600_000, storeDebounceMs: 600_000, storeMaxDebounceMs: 600_000 } });
    cleanups.push(() => server.close());
    const { roomId } = await createRoom(server.baseUrl, { code: '' });
    const alice = connectClient(server.wsUrl, roomId);
    const bob = connectClient(server.wsUrl, roomId);
    cleanups.push(() => alice.destroy(), () => bob.destroy());
    await Promise.all([alice.synced, bob.synced]);
    await vi.waitFor(() => expect(alice.provider.hasUnsyncedChanges).toBe(false));
    const { journal } = server.pairpad.collab;

    alice.text.insert(0, 'a');
    await vi.waitFor(() => expect(bob.text.toString()).toBe('a'));
    await journal.flush();
    alice.text.insert(1, 'b');
    await vi.waitFor(() => expect(bob.text.toString()).toBe('ab'));
    await vi.waitFor(() => expect(alice.provider.unsyncedChanges).toBe(1));
    await roundTrip(alice);
    // The first answer left after the first commit; the second waits for the next.
    expect(alice.provider.unsyncedChanges).toBe(1);
    await journal.flush();
    await vi.waitFor(() => expect(alice.provider.unsyncedChanges).toBe(0));
  });
});

describe.runIf(testDatabaseUrl)('acknowledgements while Postgres is away', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('does not acknowledge an edit whose write failed, and acknowledges it once a retry stored it', async () => {
    const database = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    const target = new URL(database.url);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    cleanups.push(() => proxy.close());
    const viaProxy = new URL(database.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const server = await startTestServer({ databaseUrl: viaProxy.toString(), overrides: { storeDebounceMs: 600_000, storeMaxDebounceMs: 600_000, databaseQueryTimeoutMs: 1_000 } });
    cleanups.push(() => server.close());
    const { roomId } = await createRoom(server.baseUrl, { code: '' });
    const alice = connectClient(server.wsUrl, roomId);
    const bob = connectClient(server.wsUrl, roomId);
    cleanups.push(() => alice.destroy(), () => bob.destroy());
    await Promise.all([alice.synced, bob.synced]);
    await vi.waitFor(() => expect(alice.provider.hasUnsyncedChanges).toBe(false));

    await proxy.cut();
    alice.text.insert(0, 'typed while the database is away');
    await vi.waitFor(() => expect(bob.text.toString()).toBe('typed while the database is away'));
    const { journal } = server.pairpad.collab;
    await vi.waitFor(() => expect(journal.failing).toBe(true), { timeout: 15_000 });
    await roundTrip(alice);
    expect(alice.provider.hasUnsyncedChanges).toBe(true);

    await proxy.restore();
    await vi.waitFor(() => expect(alice.provider.hasUnsyncedChanges).toBe(false), { timeout: 20_000 });
    expect(journal.pendingUpdates).toBe(0);
    expect(await fetchRoomCode(server.baseUrl, roomId)).toBe('typed while the database is away');
  });
});

/**
 * Waits until everything the server sent `client` before now has arrived:
 * Hocuspocus echoes an awareness change to every connection, its sender
 * included, behind anything it already sent on that socket.
 */
async function roundTrip(client: TestClient): Promise<void> {
  const marker = `round-trip-${Math.random()}`;
  await new Promise<void>((resolve) => {
    const onMessage = ({ event }: { event: MessageEvent }) => {
      if (!new TextDecoder().decode(new Uint8Array(event.data as ArrayBuffer)).includes(marker)) return;
      client.provider.off('message', onMessage);
      resolve();
    };
    client.provider.on('message', onMessage);
    client.provider.setAwarenessField('marker', marker);
  });
}
