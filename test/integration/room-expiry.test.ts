import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.ts';
import { connectClient, type TestClient } from '../support/providers.ts';
import { createRoom, startTestServer, type TestServer } from '../support/server.ts';
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
});
