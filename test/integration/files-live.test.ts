import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { findFile, readFileTree } from '../../shared/room-files.ts';
import { createPostgresDatabase, dialects, testDatabaseUrl, testRedisUrl } from '../support/databases.ts';
import { getFile, listFiles, moveFile, postRoom, putFile } from '../support/files.ts';
import { connectClient, connectYjsClient, createRandom } from '../support/providers.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const project = {
  files: [
    { path: 'main.py', content: 'print("main")\n' },
    { path: 'lib/util.py', content: 'def f():\n    return 1\n' },
  ],
};

async function newRoom(server: TestServer): Promise<{ roomId: string; viewId: string }> {
  const response = await postRoom(server.baseUrl, project);
  expect(response.status).toBe(201);
  return (await response.json()) as { roomId: string; viewId: string };
}

/** The document a room's stored rows make, decoded as a fresh server would. */
async function storedDocument(server: TestServer, roomId: string): Promise<Y.Doc> {
  const stored = await server.pairpad.store.loadRoomState(roomId);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, stored!.state);
  for (const row of stored!.updates) Y.applyUpdate(doc, row.update);
  return doc;
}

describe.each(dialects)('REST file changes are live edits, on %s', (dialect) => {
  let server: TestServer;
  const cleanups: (() => void)[] = [];
  beforeAll(async () => {
    server = await startTestServer({ dialect });
  });
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });
  afterAll(() => server.close());

  it('a PUT reaches a connected @hocuspocus/provider and a y-websocket client as an edit, and is stored when it answers', async () => {
    const { roomId } = await newRoom(server);
    const hocuspocus = connectClient(server.wsUrl, roomId);
    const yjs = connectYjsClient(server.wsUrl, roomId);
    cleanups.push(() => hocuspocus.destroy(), () => yjs.destroy());
    await Promise.all([hocuspocus.synced, yjs.synced]);
    const utilText = findFile(hocuspocus.doc, 'lib/util.py')!.text;

    expect((await putFile(server.baseUrl, roomId, 'lib/new.py', 'x = 1\n')).status).toBe(201);
    // Durable when answered: the stored rows hold it already.
    expect(findFile(await storedDocument(server, roomId), 'lib/new.py')?.text.toString()).toBe('x = 1\n');
    expect((await putFile(server.baseUrl, roomId, 'lib/util.py', 'def f():\n    return 2\n')).status).toBe(200);
    expect(findFile(await storedDocument(server, roomId), 'lib/util.py')?.text.toString()).toBe('def f():\n    return 2\n');

    for (const doc of [hocuspocus.doc, yjs.doc]) {
      await vi.waitFor(() => {
        expect(findFile(doc, 'lib/new.py')?.text.toString()).toBe('x = 1\n');
        expect(findFile(doc, 'lib/util.py')?.text.toString()).toBe('def f():\n    return 2\n');
      });
    }
    // A replace is a change of the same text, not a new file or a new room state.
    expect(findFile(hocuspocus.doc, 'lib/util.py')!.text).toBe(utilText);

    expect((await moveFile(server.baseUrl, roomId, 'lib', 'src')).status).toBe(200);
    expect((await fetch(`${server.baseUrl}/api/rooms/${roomId}/files/src/new.py`, { method: 'DELETE' })).status).toBe(204);
    for (const doc of [hocuspocus.doc, yjs.doc]) {
      await vi.waitFor(() => expect(readFileTree(doc).files.map((file) => file.path)).toEqual(['main.py', 'src/util.py']));
    }
    expect(findFile(hocuspocus.doc, 'src/util.py')!.text).toBe(utilText);
  });

  it('answers a PUT only once the change is stored: held while the database refuses writes', async () => {
    const { roomId } = await newRoom(server);
    const store = server.pairpad.store;
    const { appendUpdates, foldRoom } = store;
    let refused = 0;
    store.appendUpdates = async () => {
      refused++;
      throw Object.assign(new Error('database away (test)'), { code: 'ECONNREFUSED' });
    };
    store.foldRoom = async () => {
      throw Object.assign(new Error('database away (test)'), { code: 'ECONNREFUSED' });
    };
    let answered = false;
    const put = putFile(server.baseUrl, roomId, 'held.txt', 'kept').then((response) => {
      answered = true;
      return response;
    });
    try {
      await vi.waitFor(() => expect(refused).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
      expect(answered).toBe(false);
    } finally {
      store.appendUpdates = appendUpdates;
      store.foldRoom = foldRoom;
    }
    expect((await put).status).toBe(201);
    expect(findFile(await storedDocument(server, roomId), 'held.txt')?.text.toString()).toBe('kept');
  });

  it("reads a client's edit of a file over REST", async () => {
    const { roomId, viewId } = await newRoom(server);
    const client = connectClient(server.wsUrl, roomId);
    cleanups.push(() => client.destroy());
    await client.synced;
    client.text.insert(0, '# edited\n');
    await vi.waitFor(async () => expect(await getFile(server.baseUrl, viewId, 'main.py')).toBe('# edited\nprint("main")\n'));
    const listed = await listFiles(server.baseUrl, roomId);
    expect(listed.files.find((file) => file.path === 'main.py')?.size).toBe(Buffer.byteLength('# edited\nprint("main")\n'));
  });

  it('renames a file over REST while a client types in it: every keystroke kept, one name everywhere', async () => {
    const { roomId } = await newRoom(server);
    const typist = connectClient(server.wsUrl, roomId);
    const watcher = connectYjsClient(server.wsUrl, roomId);
    cleanups.push(() => typist.destroy(), () => watcher.destroy());
    await Promise.all([typist.synced, watcher.synced]);
    const random = createRandom(7);
    let typed = '';
    let renamed = false;
    // Keystrokes go on, one per turn, until every rename has answered: they interleave.
    const typing = (async () => {
      for (let i = 0; i < 100 || !renamed; i++) {
        const char = 'abcdefgh'[Math.floor(random() * 8)];
        typist.text.insert(typist.text.length, char);
        typed += char;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const names = ['main.py', 'src/main.py', 'app.py', 'src/app/run.py'];
    for (let i = 1; i < names.length; i++) expect((await moveFile(server.baseUrl, roomId, names[i - 1], names[i])).status).toBe(200);
    renamed = true;
    await typing;
    const expected = `print("main")\n${typed}`;
    await vi.waitFor(async () => {
      expect(await getFile(server.baseUrl, roomId, 'src/app/run.py')).toBe(expected);
      expect(watcher.text.toString()).toBe(expected);
      expect(readFileTree(typist.doc).entry).toBe('src/app/run.py');
      expect(readFileTree(watcher.doc).entry).toBe('src/app/run.py');
    }, { timeout: 15_000 });
    expect((await listFiles(server.baseUrl, roomId)).entry).toBe('src/app/run.py');
  });
});

// Needs both services; CI sets TEST_DATABASE_URL and TEST_REDIS_URL.
describe.runIf(testDatabaseUrl && testRedisUrl)('REST file changes across instances', () => {
  it('a PUT on one instance reaches a client of another through Redis', async () => {
    const database = await createPostgresDatabase();
    const env = { DATABASE_URL: database.url, REDIS_URL: testRedisUrl!, REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}` };
    const a = await startTestServer({ databaseUrl: database.url, env });
    const b = await startTestServer({ databaseUrl: database.url, env });
    const { roomId } = await newRoom(a);
    const client = connectClient(b.wsUrl, roomId);
    try {
      await client.synced;
      await vi.waitFor(() => expect(b.pairpad.collab.redis?.reachable).toBe(true));
      expect((await putFile(a.baseUrl, roomId, 'from-a.txt', 'hello from A')).status).toBe(201);
      await vi.waitFor(() => expect(findFile(client.doc, 'from-a.txt')?.text.toString()).toBe('hello from A'), { timeout: 10_000 });
      client.text.insert(0, '#B\n');
      await vi.waitFor(async () => expect(await getFile(a.baseUrl, roomId, 'main.py')).toBe('#B\nprint("main")\n'), { timeout: 10_000 });
    } finally {
      client.destroy();
      await a.stop();
      await b.stop();
      await database.drop();
    }
  });
});
