import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dialects } from '../support/databases.ts';
import { connectClient, type TestClient } from '../support/providers.ts';
import { createRoom, fetchRoomCode, restartTestServer, startTestServer, type TestServer } from '../support/server.ts';
import { openStorage } from '../../server/storage/database.ts';

describe.each(dialects)('ROOM_TTL_DAYS on %s', (dialect) => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('deletes rooms untouched for longer than the TTL, but never a loaded one or a fresh one', async () => {
    const server: TestServer = await startTestServer({ dialect, env: { ROOM_TTL_DAYS: '30' } });
    cleanups.push(() => server.close());
    const stale = await createRoom(server.baseUrl, { code: 'old' });
    const staleButOpen = await createRoom(server.baseUrl, { code: 'old but open' });
    const fresh = await createRoom(server.baseUrl, { code: 'new' });

    // Age two rooms by rewriting their timestamps, as if last touched 40 days ago.
    const storage = openStorage({ databaseUrl: server.config.databaseUrl, sqlitePath: server.config.sqlitePath });
    cleanups.push(() => storage.db.destroy());
    const old = new Date(Date.now() - 40 * 24 * 3600 * 1000).toISOString();
    await sql`update rooms set updated_at = ${old}, created_at = ${old} where id in (${stale.roomId}, ${staleButOpen.roomId})`.execute(storage.db);

    const client: TestClient = connectClient(server.wsUrl, staleButOpen.roomId);
    cleanups.push(() => client.destroy());
    await client.synced;

    expect(await server.pairpad.expiry.runOnce()).toBe(1);
    expect((await fetch(`${server.baseUrl}/api/rooms/${stale.roomId}`)).status).toBe(404);
    expect((await fetch(`${server.baseUrl}/api/rooms/${(stale as any).viewId}`)).status).toBe(404);
    expect((await fetch(`${server.baseUrl}/api/rooms/${staleButOpen.roomId}`)).status).toBe(200);
    expect((await fetch(`${server.baseUrl}/api/rooms/${fresh.roomId}`)).status).toBe(200);
  });

  /** A server with one room aged past the TTL. */
  async function staleRoom() {
    const server: TestServer = await startTestServer({ dialect, env: { ROOM_TTL_DAYS: '30' } });
    cleanups.push(() => server.close());
    const room = await createRoom(server.baseUrl, { code: 'old' });
    const storage = openStorage({ databaseUrl: server.config.databaseUrl, sqlitePath: server.config.sqlitePath });
    cleanups.push(() => storage.db.destroy());
    const old = new Date(Date.now() - 40 * 24 * 3600 * 1000).toISOString();
    await sql`update rooms set updated_at = ${old}, created_at = ${old} where id = ${room.roomId}`.execute(storage.db);
    return { server, storage, roomId: room.roomId };
  }

  it('stores a loaded room again when it was deleted under it, with everything typed, and keeps writing the others', async () => {
    const server: TestServer = await startTestServer({ dialect });
    cleanups.push(() => server.close());
    const gone = await createRoom(server.baseUrl, { code: 'gone' });
    const kept = await createRoom(server.baseUrl, { code: 'kept' });
    const storage = openStorage({ databaseUrl: server.config.databaseUrl, sqlitePath: server.config.sqlitePath });
    cleanups.push(() => storage.db.destroy());
    const [a, b] = [connectClient(server.wsUrl, gone.roomId), connectClient(server.wsUrl, kept.roomId)];
    cleanups.push(() => a.destroy(), () => b.destroy());
    await Promise.all([a.synced, b.synced]);

    // Deleted behind the server's back (as by another instance's expiry).
    await sql`delete from rooms where id = ${gone.roomId}`.execute(storage.db);
    a.text.insert(0, 'typed into a deleted room ');
    b.text.insert(0, 'typed into a stored room ');
    const journal = server.pairpad.collab.journal;
    await vi.waitFor(async () => {
      const rows = await sql<{ count: number | string }>`select count(*) as count from room_updates where room_id = ${kept.roomId}`.execute(storage.db);
      expect(Number(rows.rows[0].count)).toBeGreaterThan(0);
      expect(journal.pendingUpdates).toBe(0);
    });
    expect(journal.failing).toBe(false);

    // Everyone leaves; both rooms are stored and load again after a restart, under the same ids.
    a.destroy();
    b.destroy();
    await vi.waitFor(() => expect(server.pairpad.collab.hocuspocus.getDocumentsCount()).toBe(0), { timeout: 10_000 });
    await server.stop();
    const restarted = await restartTestServer(server);
    cleanups.push(() => restarted.close());
    expect(await fetchRoomCode(restarted.baseUrl, gone.roomId)).toBe('typed into a deleted room gone');
    expect(await fetchRoomCode(restarted.baseUrl, kept.roomId)).toBe('typed into a stored room kept');
    const { viewId } = (await (await fetch(`${restarted.baseUrl}/api/rooms/${gone.roomId}`)).json()) as { viewId: string };
    expect((await fetch(`${restarted.baseUrl}/api/rooms/${viewId}`)).status).toBe(200);
  });

  it('keeps a room touched between finding it stale and deleting it: the delete checks again', async () => {
    const { server, storage, roomId } = await staleRoom();
    const store = server.pairpad.store;
    const find = store.findStaleRooms.bind(store);
    store.findStaleRooms = async (cutoff, limit) => {
      const found = await find(cutoff, limit);
      // Someone edits it (a fold) right after the query.
      await sql`update rooms set updated_at = ${new Date().toISOString()} where id = ${roomId}`.execute(storage.db);
      return found;
    };
    expect(await server.pairpad.expiry.runOnce()).toBe(0);
    expect((await fetch(`${server.baseUrl}/api/rooms/${roomId}`)).status).toBe(200);
  });

  it('never has a room loaded while its row is deleted: opening it during the delete waits and is refused', async () => {
    const { server, roomId } = await staleRoom();
    const store = server.pairpad.store;
    const documents = server.pairpad.collab.hocuspocus.documents;
    const remove = store.deleteRooms.bind(store);
    const refusals: string[] = [];
    store.deleteRooms = async (ids, cutoff) => {
      // Someone opens the room after the pass checked it was not loaded, before the delete.
      const client = connectClient(server.wsUrl, roomId, { onAuthenticationFailed: (reason) => refusals.push(reason) });
      cleanups.push(() => client.destroy());
      // The load is held back by the pass; give a loader every chance to overtake the delete.
      await vi.waitFor(() => expect(documents.has(roomId)).toBe(true), { timeout: 1_000 }).catch(() => {});
      return remove(ids, cutoff);
    };
    expect(await server.pairpad.expiry.runOnce()).toBe(1);
    await vi.waitFor(() => expect(refusals).toEqual(['room not found']));
    expect(documents.has(roomId)).toBe(false);
    expect((await fetch(`${server.baseUrl}/api/rooms/${roomId}`)).status).toBe(404);
  });
});
