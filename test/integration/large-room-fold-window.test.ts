import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { CODE_TEXT } from '../../shared/protocol.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { connectClient } from '../support/providers.ts';
import { createRoom, fetchRoomCode, restartTestServer, startTestServer } from '../support/server.ts';

/**
 * The worker's copy of a room that grew large is made by a fold on the main
 * thread. On Postgres that fold's transaction spans network round trips after
 * the encoding; the edits applied meanwhile must reach the copy, or the next
 * fold (by the worker) writes a snapshot without them and deletes their log rows.
 */
describe.runIf(testDatabaseUrl)('a room growing large on Postgres while its first large fold commits', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('keeps the edits made while that fold was held, through the worker fold after it and a restart', async () => {
    const server = await startTestServer({
      dialect: 'postgres',
      overrides: { journalFlushMs: 600_000, storeDebounceMs: 600_000, storeMaxDebounceMs: 600_000, foldWorkerMinBytes: 1024 },
    });
    let stopped = false;
    cleanups.push(() => (stopped ? undefined : server.close()));
    const sql = new pg.Client({ connectionString: server.config.databaseUrl });
    await sql.connect();
    let ended = false;
    cleanups.push(() => (ended ? undefined : sql.end()));
    const { roomId } = await createRoom(server.baseUrl, { code: 'small\n' });
    const alice = connectClient(server.wsUrl, roomId);
    cleanups.push(() => alice.destroy());
    await alice.synced;
    const { replicas, journal, persistence, hocuspocus } = server.pairpad.collab;
    const document = hocuspocus.documents.get(roomId)!;
    expect(replicas.has(roomId)).toBe(false);

    // The room grows past the worker's threshold; its row is in the log.
    alice.text.insert(0, 'y'.repeat(4_000));
    await vi.waitFor(() => expect(journal.pendingUpdates).toBe(1));
    await journal.flush();

    // The first large fold encodes on the main thread, then waits on the lock to delete the folded row.
    await sql.query('begin');
    await sql.query('lock table room_updates in exclusive mode');
    const firstFold = persistence.storeAll([document]);
    await vi.waitFor(async () => {
      const { rows } = await sql.query("select pid from pg_locks where relation = 'room_updates'::regclass and not granted");
      expect(rows).toHaveLength(1);
    });
    alice.text.insert(0, 'typed while the fold committed. ');
    await vi.waitFor(() => expect(document.getText(CODE_TEXT).toString()).toBe(alice.text.toString()));
    await sql.query('commit');
    await sql.end();
    ended = true;
    await firstFold;
    expect(replicas.has(roomId)).toBe(true);

    // That edit becomes a log row, which the next fold, by the worker, folds.
    await journal.flush();
    await persistence.storeAll([document]);
    const stored = (await server.pairpad.store.loadRoomState(roomId))!;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, stored.state);
    for (const row of stored.updates) Y.applyUpdate(doc, row.update);
    expect(doc.getText(CODE_TEXT).toString()).toBe(alice.text.toString());

    const expected = alice.text.toString();
    alice.destroy();
    await server.stop();
    stopped = true;
    const restarted = await restartTestServer(server);
    cleanups.push(() => restarted.close());
    expect(await fetchRoomCode(restarted.baseUrl, roomId)).toBe(expected);
  }, 60_000);
});
