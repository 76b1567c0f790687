import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Config } from '../../server/config.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { readHealth as health } from '../support/http.ts';
import { connectClient } from '../support/providers.ts';
import { createRoom, startTestServer, type TestServer } from '../support/server.ts';

// Postgres only: on SQLite the journal writes synchronously, so no write is ever in flight beside a fold.
describe.runIf(testDatabaseUrl)('a room leaving memory on Postgres while a log write is in flight', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /**
   * A server and a room whose last person typed and left while the journal's
   * insert waits behind a table lock the test holds (reads, the fold's,
   * still go through). Returns the test's own connection, inside that lock.
   */
  async function leaveWithInsertHeld(overrides: Partial<Config> = {}): Promise<{ server: TestServer; roomId: string; sql: pg.Client }> {
    const server = await startTestServer({ dialect: 'postgres', overrides });
    cleanups.push(() => server.close());
    const sql = new pg.Client({ connectionString: server.config.databaseUrl });
    await sql.connect();
    cleanups.push(() => sql.end());
    const { roomId } = await createRoom(server.baseUrl, { code: 'start\n' });
    const client = connectClient(server.wsUrl, roomId);
    cleanups.push(() => client.destroy());
    await client.synced;

    await sql.query('begin');
    await sql.query('lock table room_updates in exclusive mode');
    client.text.insert(0, 'typed ');
    await vi.waitFor(async () => expect(await heldInserts(sql)).toEqual([expect.any(Number)]));
    // The last person leaves: the room's last fold runs while that insert waits.
    client.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { server, roomId, sql };
  }

  async function heldInserts(sql: pg.Client): Promise<number[]> {
    const { rows } = await sql.query("select pid from pg_locks where relation = 'room_updates'::regclass and not granted");
    return rows.map((row) => row.pid);
  }

  async function expectFoldedAndUnloaded(server: TestServer, sql: pg.Client, roomId: string): Promise<void> {
    await vi.waitFor(async () => expect((await health(server)).rooms).toBe(0), { timeout: 10_000 });
    const stored = await sql.query('select code from rooms where id = $1', [roomId]);
    expect(stored.rows[0].code).toBe('typed start\n');
    const log = await sql.query('select count(*)::int as n from room_updates where room_id = $1', [roomId]);
    expect(log.rows[0].n).toBe(0);
  }

  it('folds the row once the write lands, and leaves no log row behind', async () => {
    const { server, roomId, sql } = await leaveWithInsertHeld();
    await sql.query('commit');
    await expectFoldedAndUnloaded(server, sql, roomId);
  });

  it('folds the updates a failed write hands back, and leaves no log row behind', async () => {
    const { server, roomId, sql } = await leaveWithInsertHeld();
    const [pid] = await heldInserts(sql);
    // The insert fails for real; the journal keeps its updates for a retry.
    await sql.query('select pg_cancel_backend($1)', [pid]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sql.query('commit');
    await expectFoldedAndUnloaded(server, sql, roomId);
  });

  it('has the database cancel a write the server gave up waiting for, so it cannot land after the room left', async () => {
    // The insert waits longer than the query timeout: the journal hands its
    // updates back, the fold takes them, and the room leaves while the lock holds.
    const { server, roomId, sql } = await leaveWithInsertHeld({ databaseQueryTimeoutMs: 1_000 });
    await vi.waitFor(async () => expect((await health(server)).rooms).toBe(0), { timeout: 10_000 });
    await sql.query('commit');
    // An insert given up on by the server alone would commit now.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expectFoldedAndUnloaded(server, sql, roomId);
  });
});
