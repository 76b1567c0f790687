import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawnServer, type ChildServer } from '../support/child-server.ts';
import { createPostgresDatabase, testDatabaseUrl, testRedisUrl } from '../support/databases.ts';
import { connectClient, connectYjsClient, createRandom, makeRandomEdit, syncAnswerSizes, type TestClient, type YjsTestClient } from '../support/providers.ts';
import { createRoom, fetchRoomCode, startTestServer, type TestServer } from '../support/server.ts';
import { readHealth as health } from '../support/http.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** What Postgres holds for a room, read with plain SQL as any SQL user would. */
async function readStoredRoom(databaseUrl: string, roomId: string): Promise<{ code: string; logRows: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const room = await client.query('select code from rooms where id = $1', [roomId]);
    const log = await client.query('select count(*)::int as n from room_updates where room_id = $1', [roomId]);
    return { code: room.rows[0]?.code, logRows: log.rows[0].n };
  } finally {
    await client.end();
  }
}

// Needs both services; CI always sets TEST_DATABASE_URL and TEST_REDIS_URL.
describe.runIf(testDatabaseUrl && testRedisUrl)('several instances sharing Redis and Postgres', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function sharedEnv(redisUrl = testRedisUrl!) {
    const database = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    // A prefix of its own keeps this test's channels apart from any other run.
    return { DATABASE_URL: database.url, REDIS_URL: redisUrl, REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}` };
  }

  async function startInstance(env: Record<string, string>): Promise<TestServer> {
    const server = await startTestServer({ databaseUrl: env.DATABASE_URL, env });
    cleanups.push(() => server.stop());
    return server;
  }

  function track<T extends TestClient | YjsTestClient>(client: T): T {
    cleanups.push(() => client.destroy());
    return client;
  }

  async function spawnInstance(env: Record<string, string>): Promise<ChildServer> {
    const child = await spawnServer(env);
    cleanups.push(() => {
      child.kill('SIGKILL');
      return child.exited;
    });
    return child;
  }

  /** Waits until an instance has stored and unloaded every room. */
  async function waitForNoRooms(...instances: { baseUrl: string }[]): Promise<void> {
    await vi.waitFor(async () => {
      for (const instance of instances) expect((await health(instance)).rooms).toBe(0);
    }, { timeout: 20_000, interval: 100 });
  }

  it('converges when clients of both protocols on two server processes type at once, and stores the result', async () => {
    const env = await sharedEnv();
    const [a, b] = await Promise.all([spawnInstance(env), spawnInstance(env)]);
    const { roomId } = await createRoom(a.baseUrl, { code: 'shared\n' });
    const clients = [
      track(connectClient(a.wsUrl, roomId)),
      track(connectYjsClient(a.wsUrl, roomId)),
      track(connectClient(b.wsUrl, roomId)),
      track(connectYjsClient(b.wsUrl, roomId)),
    ];
    await Promise.all(clients.map((client) => client.synced));
    const randoms = clients.map((_, index) => createRandom(100 + index));
    for (let round = 0; round < 20; round++) {
      clients.forEach((client, index) => {
        for (let i = 0; i < 5; i++) makeRandomEdit(client.text, randoms[index], 'abcd'[index]);
      });
      await settle();
    }
    await vi.waitFor(() => {
      const texts = new Set(clients.map((client) => client.text.toString()));
      expect(texts.size).toBe(1);
    }, { timeout: 15_000 });
    const merged = clients[0].text.toString();
    for (const letter of 'abcd') expect(merged).toContain(letter);
    expect(await fetchRoomCode(a.baseUrl, roomId)).toBe(merged);
    expect(await fetchRoomCode(b.baseUrl, roomId)).toBe(merged);

    clients.forEach((client) => client.destroy());
    await waitForNoRooms(a, b);
    expect(await readStoredRoom(env.DATABASE_URL, roomId)).toEqual({ code: merged, logRows: 0 });
  });

  it('gives a client the stored state ahead of the load, and then what another instance had not stored yet', async () => {
    const env = await sharedEnv();
    const a = await startInstance(env);
    // B holds its change in memory: no group commit, no fold for a minute.
    const b = await startTestServer({ databaseUrl: env.DATABASE_URL, env, overrides: { journalFlushMs: 60_000, storeDebounceMs: 60_000, storeMaxDebounceMs: 60_000 } });
    cleanups.push(() => b.stop());
    const { roomId } = await createRoom(a.baseUrl, { code: 'stored\n' });
    const writer = track(connectClient(b.wsUrl, roomId));
    await writer.synced;
    writer.text.insert(0, 'unstored ');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await readStoredRoom(env.DATABASE_URL, roomId)).toEqual({ code: 'stored\n', logRows: 0 });

    const reader = track(connectClient(a.wsUrl, roomId));
    const answers = syncAnswerSizes(reader);
    await reader.synced;
    await vi.waitFor(() => expect(reader.text.toString()).toBe('unstored stored\n'));
    // The stored state while A loaded, then A's own answer: the whole room if B's change
    // had reached A by then, else nothing and B's change as an update, as to everyone.
    expect(answers).toHaveLength(2);
    expect(answers[0]).toBeGreaterThan(2);
    // Both instances hold the same room, and edits keep flowing between them.
    reader.text.insert(0, '> ');
    await vi.waitFor(() => expect(writer.text.toString()).toBe('> unstored stored\n'));
  });

  it('opens a room on two instances at once as soon as they have answered each other, not after the wait for an answer runs out', async () => {
    const env = await sharedEnv();
    const a = await startInstance(env);
    const b = await startInstance(env);
    // Both load the room and ask each other for its state. An answer could
    // arrive before its asker had registered its wait for it; then that
    // load waited the whole timeout (1 s), every few rooms.
    const syncMs: number[] = [];
    for (let room = 0; room < 12; room++) {
      const { roomId } = await createRoom(a.baseUrl, { code: `room ${room}\n` });
      const started = performance.now();
      const clients = [track(connectClient(a.wsUrl, roomId)), track(connectClient(b.wsUrl, roomId))];
      await Promise.all(clients.map(async (client) => {
        await client.synced;
        syncMs.push(performance.now() - started);
        expect(client.text.toString()).toBe(`room ${room}\n`);
      }));
    }
    // A room this small syncs in tens of milliseconds; the missed answer cost at least 1,000.
    expect(Math.max(...syncMs)).toBeLessThan(800);
  });

  it('carries cursors, their removal and stateless messages between instances', async () => {
    const env = await sharedEnv();
    const [a, b] = await Promise.all([spawnInstance(env), spawnInstance(env)]);
    const { roomId } = await createRoom(a.baseUrl);
    const onA = track(connectClient(a.wsUrl, roomId));
    const onB = track(connectClient(b.wsUrl, roomId));
    const yjsOnB = track(connectYjsClient(b.wsUrl, roomId));
    await Promise.all([onA.synced, onB.synced, yjsOnB.synced]);

    const user = { name: 'Ada', color: '#30bced', colorLight: '#30bced33' };
    onA.provider.setAwarenessField('user', user);
    const seenBy = (awareness: { getStates(): Map<number, any> }) => awareness.getStates().get(onA.doc.clientID)?.user;
    await vi.waitFor(() => {
      expect(seenBy(onB.provider.awareness!)).toEqual(user);
      expect(seenBy(yjsOnB.provider.awareness)).toEqual(user);
    }, { timeout: 10_000 });

    const received: string[] = [];
    onB.provider.on('stateless', ({ payload }: { payload: string }) => received.push(payload));
    onA.provider.sendStateless('{"type":"follow","line":12}');
    await vi.waitFor(() => expect(received).toEqual(['{"type":"follow","line":12}']), { timeout: 10_000 });

    // Ada was the last client on A: her cursor must leave B's screens now, not after the 30 s awareness timeout.
    const leftAt = Date.now();
    onA.destroy();
    await vi.waitFor(() => {
      expect(seenBy(onB.provider.awareness!)).toBeUndefined();
      expect(seenBy(yjsOnB.provider.awareness)).toBeUndefined();
    }, { timeout: 10_000 });
    expect(Date.now() - leftAt).toBeLessThan(10_000);
  });

  it('stores edits another instance relayed even when that instance dies before it could store them', async () => {
    const env = await sharedEnv();
    const database = new URL(env.DATABASE_URL);
    const databaseProxy = await startTcpProxy({ host: database.hostname, port: Number(database.port || 5432) });
    cleanups.push(() => databaseProxy.close());
    const throughProxy = new URL(env.DATABASE_URL);
    throughProxy.port = String(databaseProxy.port);
    const a = await spawnInstance({ ...env, DATABASE_URL: throughProxy.toString() });
    const b = await spawnInstance(env);
    const { roomId } = await createRoom(b.baseUrl);
    const typist = track(connectClient(a.wsUrl, roomId));
    const watcher = track(connectYjsClient(b.wsUrl, roomId));
    await Promise.all([typist.synced, watcher.synced]);

    // A loses its database, so nothing it accepts from now on reaches the log; only B's copy can save it.
    await databaseProxy.cut();
    typist.text.insert(0, 'typed on A while its database was away');
    await vi.waitFor(() => expect(watcher.text.toString()).toBe('typed on A while its database was away'), { timeout: 10_000 });
    a.kill('SIGKILL');
    await a.exited;
    // The typist's editor is gone too, so it cannot resend anything.
    typist.destroy();

    watcher.destroy();
    await waitForNoRooms(b);
    expect(await readStoredRoom(env.DATABASE_URL, roomId)).toMatchObject({ code: 'typed on A while its database was away' });
  });

  it('loses nothing when an instance is killed mid-typing and its client moves to another', async () => {
    const env = await sharedEnv();
    const [a, b] = await Promise.all([spawnInstance(env), spawnInstance(env)]);
    const { roomId } = await createRoom(a.baseUrl);
    const typist = track(connectClient(a.wsUrl, roomId));
    const watcher = track(connectYjsClient(b.wsUrl, roomId));
    await Promise.all([typist.synced, watcher.synced]);

    const random = createRandom(5);
    for (let i = 0; i < 200; i++) {
      makeRandomEdit(typist.text, random);
      if (i === 150) a.kill('SIGKILL');
      if (i % 10 === 0) await settle();
    }
    expect(await a.exited).toBe('SIGKILL');
    const typed = typist.text.toString();

    // The typist's editor reconnects to the surviving instance with its document.
    typist.provider.destroy();
    typist.socket.destroy();
    const moved = track(connectClient(b.wsUrl, roomId, { document: typist.doc }));
    await moved.synced;
    await vi.waitFor(() => expect(watcher.text.toString()).toBe(typed), { timeout: 10_000 });
    await vi.waitFor(async () => expect(await fetchRoomCode(b.baseUrl, roomId)).toBe(typed));

    // And it is in the database, not only in B's memory.
    moved.destroy();
    watcher.destroy();
    await waitForNoRooms(b);
    expect(await readStoredRoom(env.DATABASE_URL, roomId)).toEqual({ code: typed, logRows: 0 });
  });

  it('folds a busy room on its own cadence only: no store storm, whatever the other instances do', async () => {
    const env = await sharedEnv();
    const overrides = { storeDebounceMs: 200, storeMaxDebounceMs: 500 };
    const a = await startTestServer({ databaseUrl: env.DATABASE_URL, env, overrides });
    const b = await startTestServer({ databaseUrl: env.DATABASE_URL, env, overrides });
    cleanups.push(() => a.stop(), () => b.stop());
    const folds = async (server: TestServer) => {
      const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
      return Number(/^pairpad_store_duration_seconds_count (\d+)/m.exec(text)?.[1] ?? 0);
    };
    const { roomId } = await createRoom(a.baseUrl);
    const typist = track(connectClient(a.wsUrl, roomId));
    const watchers = [track(connectClient(b.wsUrl, roomId)), track(connectYjsClient(b.wsUrl, roomId))];
    await Promise.all([typist.synced, ...watchers.map((watcher) => watcher.synced)]);
    const [aBefore, bBefore] = [await folds(a), await folds(b)];

    // Ten keystrokes a second for three seconds on A.
    const started = Date.now();
    while (Date.now() - started < 3_000) {
      typist.text.insert(typist.text.length, 'k');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await vi.waitFor(() => watchers.forEach((watcher) => expect(watcher.text.toString()).toBe(typist.text.toString())));
    const elapsed = Date.now() - started;
    const aFolds = (await folds(a)) - aBefore;
    const bFolds = (await folds(b)) - bBefore;
    // A folds once per maxDebounce while typing goes on (plus the one after it stops), not once per keystroke.
    expect(aFolds).toBeGreaterThanOrEqual(2);
    expect(aFolds).toBeLessThanOrEqual(Math.ceil(elapsed / overrides.storeMaxDebounceMs) + 2);
    // B only relays A's edits: it stores nothing while its clients stay (A has them in the log).
    expect(bFolds).toBe(0);
    // An idle room is not folded at all.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const idleFrom = await folds(a);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await folds(a)).toBe(idleFrom);

    // Everyone leaves: both instances store and unload the room (a change noted after its fold had begun once kept it loaded forever).
    typist.destroy();
    watchers.forEach((watcher) => watcher.destroy());
    await vi.waitFor(() => {
      expect(a.pairpad.collab.hocuspocus.getDocumentsCount()).toBe(0);
      expect(b.pairpad.collab.hocuspocus.getDocumentsCount()).toBe(0);
    }, { timeout: 10_000 });
  });

  it('repairs an update another instance missed within seconds, without a reconnect', async () => {
    const env = await sharedEnv();
    const a = await startInstance(env);
    const b = await startInstance(env);
    const { roomId } = await createRoom(a.baseUrl);
    const onA = track(connectClient(a.wsUrl, roomId));
    const onB = track(connectClient(b.wsUrl, roomId));
    await Promise.all([onA.synced, onB.synced]);
    onA.text.insert(0, 'seen ');
    await vi.waitFor(() => expect(onB.text.toString()).toBe('seen '));

    // B stops hearing the room's channel for a moment, as if the message were lost.
    const channel = `${env.REDIS_PREFIX}:${roomId}`;
    const sub = (b.pairpad.collab.redis as unknown as { sub: { unsubscribe(key: string): Promise<unknown>; subscribe(key: string): Promise<unknown> } }).sub;
    await sub.unsubscribe(channel);
    onA.text.insert(onA.text.length, 'missed');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(onB.text.toString()).toBe('seen ');
    await sub.subscribe(channel);
    // Nobody types again: the periodic state-vector exchange brings it.
    await vi.waitFor(() => expect(onB.text.toString()).toBe('seen missed'), { timeout: 15_000, interval: 200 });
  });

  it('keeps serving local clients while Redis is away, says so in /health, and catches up when it returns', async () => {
    const redis = new URL(testRedisUrl!);
    const proxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
    cleanups.push(() => proxy.close());
    const env = await sharedEnv(`redis://127.0.0.1:${proxy.port}`);
    const a = await startInstance(env);
    const b = await startInstance(env);
    const { roomId } = await createRoom(a.baseUrl);
    const [onA1, onA2, onB] = [track(connectClient(a.wsUrl, roomId)), track(connectYjsClient(a.wsUrl, roomId)), track(connectClient(b.wsUrl, roomId))];
    await Promise.all([onA1.synced, onA2.synced, onB.synced]);
    onA1.text.insert(0, 'before ');
    await vi.waitFor(() => expect(onB.text.toString()).toBe('before '));

    await proxy.cut();
    await vi.waitFor(async () => expect(await health(a)).toMatchObject({ httpStatus: 200, status: 'degraded', redis: 'unreachable', database: 'ok' }), { timeout: 10_000 });
    onA1.text.insert(onA1.text.length, 'during ');
    await vi.waitFor(() => expect(onA2.text.toString()).toBe('before during '));
    onB.text.insert(0, '[b] ');

    await proxy.restore();
    await vi.waitFor(async () => expect(await health(a)).toMatchObject({ httpStatus: 200, status: 'ok', redis: 'ok' }), { timeout: 15_000 });
    await vi.waitFor(() => {
      expect(onA1.text.toString()).toBe('[b] before during ');
      expect(onB.text.toString()).toBe('[b] before during ');
    }, { timeout: 10_000 });
  });
});
