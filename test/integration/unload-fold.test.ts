import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { testDatabaseUrl } from '../support/databases.ts';
import { readHealth as health } from '../support/http.ts';
import { connectClient } from '../support/providers.ts';
import { createRoom, startTestServer } from '../support/server.ts';

// Postgres only: on SQLite the journal writes synchronously, so no write is ever in flight beside a fold.
describe.runIf(testDatabaseUrl)('a room leaving memory on Postgres', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('folds a log row whose write was still in flight when its last fold began', async () => {
    const server = await startTestServer({ dialect: 'postgres' });
    cleanups.push(() => server.close());
    const sql = new pg.Client({ connectionString: server.config.databaseUrl });
    await sql.connect();
    cleanups.push(() => sql.end());
    const logRows = async (roomId: string) =>
      (await sql.query('select count(*)::int as n from room_updates where room_id = $1', [roomId])).rows[0].n;

    const { roomId } = await createRoom(server.baseUrl, { code: 'start\n' });
    const client = connectClient(server.wsUrl, roomId);
    cleanups.push(() => client.destroy());
    await client.synced;

    // Hold the journal's next insert: reads (the fold's) still go through, writes to the log wait.
    await sql.query('begin');
    await sql.query('lock table room_updates in exclusive mode');
    client.text.insert(0, 'typed ');
    await vi.waitFor(async () => {
      const waiting = await sql.query("select count(*)::int as n from pg_locks where relation = 'room_updates'::regclass and not granted");
      expect(waiting.rows[0].n).toBe(1);
    });
    // The last person leaves: the room's last fold starts while that insert waits.
    client.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sql.query('commit');

    await vi.waitFor(async () => expect((await health(server)).rooms).toBe(0), { timeout: 10_000 });
    const stored = await sql.query('select code from rooms where id = $1', [roomId]);
    expect(stored.rows[0].code).toBe('typed start\n');
    expect(await logRows(roomId)).toBe(0);
  });
});
