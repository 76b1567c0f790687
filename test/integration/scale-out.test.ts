import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawnServer, type ChildServer } from '../support/child-server.ts';
import { createPostgresDatabase, testDatabaseUrl, testRedisUrl } from '../support/databases.ts';
import { connectClient, connectYjsClient, createRandom, makeRandomEdit, type TestClient, type YjsTestClient } from '../support/providers.ts';
import { createRoom, fetchRoomCode, startTestServer, type TestServer } from '../support/server.ts';
import { readHealth as health } from '../support/http.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

const settle = () => new Promise((resolve) => setImmediate(resolve));

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

  it('converges when clients of both protocols on two instances type at once, and stores the result', async () => {
    const env = await sharedEnv();
    const a = await startInstance(env);
    const b = await startInstance(env);
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
    await vi.waitFor(() => {
      expect(a.pairpad.collab.hocuspocus.getDocumentsCount()).toBe(0);
      expect(b.pairpad.collab.hocuspocus.getDocumentsCount()).toBe(0);
    }, { timeout: 15_000 });
    const stored = await a.pairpad.store.loadRoomState(roomId);
    expect(stored?.record.code).toBe(merged);
    expect(stored?.updates).toEqual([]);
  });

  it('loses nothing when an instance is killed mid-typing and its client moves to another', async () => {
    const env = await sharedEnv();
    const spawn = async () => {
      const child: ChildServer = await spawnServer(env);
      cleanups.push(() => {
        child.kill('SIGKILL');
        return child.exited;
      });
      return child;
    };
    const a = await spawn();
    const b = await spawn();
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
