import { afterEach, describe, expect, it, vi } from 'vitest';
import { dialects } from '../support/databases.ts';
import { connectClient, countReceivedUpdates, createRandom, makeRandomEdit, type TestClient } from '../support/providers.ts';
import { createRoom, fetchRoomCode, restartTestServer, startTestServer, type TestServer } from '../support/server.ts';

describe.each(dialects)('collaboration on %s', (dialect) => {
  const servers: TestServer[] = [];
  const clients: TestClient[] = [];
  afterEach(async () => {
    clients.splice(0).forEach((client) => client.destroy());
    for (const server of servers.splice(0).reverse()) await server.close().catch(() => {});
  });

  it('merges 500 concurrent random edits from each of two clients and keeps them over a restart', async () => {
    const server = await startTestServer({ dialect });
    servers.push(server);
    const { roomId } = await createRoom(server.baseUrl, { code: 'seed\n' });
    const alice = connectClient(server.wsUrl, roomId);
    const bob = connectClient(server.wsUrl, roomId);
    clients.push(alice, bob);
    await Promise.all([alice.synced, bob.synced]);
    expect(alice.text.toString()).toBe('seed\n');

    const randomA = createRandom(1);
    const randomB = createRandom(2);
    // Interleave in small bursts so both sides edit while the other's updates are in flight.
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 10; i++) makeRandomEdit(alice.text, randomA, 'abc\n');
      for (let i = 0; i < 10; i++) makeRandomEdit(bob.text, randomB, 'xyz\n');
      await new Promise((resolve) => setImmediate(resolve));
    }

    await vi.waitFor(() => expect(alice.text.toString()).toBe(bob.text.toString()), { timeout: 10_000 });
    const merged = alice.text.toString();
    expect(merged).toMatch(/[abc]/);
    expect(merged).toMatch(/[xyz]/);
    await vi.waitFor(async () => expect(await fetchRoomCode(server.baseUrl, roomId)).toBe(merged), { timeout: 10_000 });

    clients.splice(0).forEach((client) => client.destroy());
    await server.stop();
    servers.pop();
    const restarted = await restartTestServer(server);
    servers.push(restarted);
    expect(await fetchRoomCode(restarted.baseUrl, roomId)).toBe(merged);
    const carol = connectClient(restarted.wsUrl, roomId);
    clients.push(carol);
    const updates = countReceivedUpdates(carol);
    await carol.synced;
    expect(carol.text.toString()).toBe(merged);
    // The loaded room arrives once, in the sync answer, not again as an update.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(updates.count).toBe(0);
  });

  it('refuses a room that does not exist with 4404 "room not found" and creates nothing', async () => {
    const server = await startTestServer({ dialect });
    servers.push(server);
    const reasons: string[] = [];
    for (const name of ['AAAAAAAAAAAAAAAAAAAAAA', '../../etc/passwd', "x' OR '1'='1", 'a'.repeat(10_000)]) {
      const client = connectClient(server.wsUrl, name, { onAuthenticationFailed: (reason) => reasons.push(reason) });
      clients.push(client);
    }
    await vi.waitFor(() => expect(reasons).toHaveLength(4));
    expect(new Set(reasons)).toEqual(new Set(['room not found']));
    expect(server.pairpad.collab.hocuspocus.getDocumentsCount()).toBe(0);
    const response = await fetch(`${server.baseUrl}/api/rooms/AAAAAAAAAAAAAAAAAAAAAA`);
    expect(response.status).toBe(404);
  });

  it('unloads a room after its last client leaves, with every edit stored', async () => {
    const server = await startTestServer({ dialect });
    servers.push(server);
    const { roomId } = await createRoom(server.baseUrl);
    const alice = connectClient(server.wsUrl, roomId);
    clients.push(alice);
    await alice.synced;
    alice.text.insert(0, 'hello from alice');
    const { hocuspocus } = server.pairpad.collab;
    await vi.waitFor(() => expect(hocuspocus.documents.get(roomId)?.getText('code').toString()).toBe('hello from alice'));
    expect(hocuspocus.getDocumentsCount()).toBe(1);

    alice.destroy();
    clients.pop();
    await vi.waitFor(() => expect(hocuspocus.getDocumentsCount()).toBe(0));
    const stored = await server.pairpad.store.loadRoomState(roomId);
    expect(stored?.record.code).toBe('hello from alice');
    expect(stored?.updates).toHaveLength(0);
  });
});
