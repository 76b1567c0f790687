import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { CODE_TEXT } from '../../shared/protocol.ts';
import { deletePath, findFile, movePath, readFileTree, writeFile } from '../../shared/room-files.ts';
import { dialects } from '../support/databases.ts';
import { connectClient, connectYjsClient, type TestClient, type YjsTestClient } from '../support/providers.ts';
import { createRoom, fetchRoomCode, restartTestServer, startTestServer, type TestServer } from '../support/server.ts';
import { connectStockClient, STOCK_CLIENTS, type StockClient } from '../support/stock-clients.ts';

/**
 * Multi-file rooms over both socket protocols (issue 15): stock clients
 * create, edit, rename and delete files through shared/room-files.ts on
 * their own Y.Doc; the other protocol sees it, it is stored, and a restarted
 * server serves it. A client that knows only `code` keeps working. Two
 * people renaming one file while typing in it end with one name and the
 * whole text.
 */

type AnyClient = StockClient | TestClient | YjsTestClient;

/** What a person sees of a room: the entry, each file's path, language and text, the folders. */
function treeOf(doc: Y.Doc) {
  const tree = readFileTree(doc);
  return { entry: tree.entry, files: tree.files.map((file) => [file.path, file.language, file.text.toString()]), folders: tree.folders };
}

describe.each(dialects)('files over the sockets on %s', (dialect) => {
  const servers: TestServer[] = [];
  const clients: AnyClient[] = [];
  afterEach(async () => {
    clients.splice(0).forEach((client) => client.destroy());
    for (const server of servers.splice(0).reverse()) await server.close().catch(() => {});
  });

  /** Stops the server once clients are gone (it stores every room) and starts a new one on the same database. */
  async function restart(server: TestServer): Promise<TestServer> {
    clients.splice(0).forEach((client) => client.destroy());
    await server.stop();
    servers.splice(servers.indexOf(server), 1);
    const restarted = await restartTestServer(server);
    servers.push(restarted);
    return restarted;
  }

  it('every stock client creates, edits, renames and deletes files; the other protocol sees it; a restart keeps it', async () => {
    const server = await startTestServer({ dialect });
    servers.push(server);
    const expected = new Map<string, ReturnType<typeof treeOf>>();
    for (const kind of STOCK_CLIENTS) {
      const { roomId } = await createRoom(server.baseUrl, { code: 'print("entry")\n', language: 'python' });
      const author = connectStockClient(kind, server.wsUrl, roomId);
      // The watcher speaks the other protocol.
      const watcher: AnyClient = kind.startsWith('y-websocket') ? connectClient(server.wsUrl, roomId) : connectYjsClient(server.wsUrl, roomId);
      clients.push(author, watcher);
      await Promise.all([author.synced, watcher.synced]);

      writeFile(author.doc, 'src/util.py', 'def helper():\n    return 1\n');
      writeFile(author.doc, 'notes.md', '# notes\n');
      writeFile(author.doc, 'scratch.txt', 'to be deleted');
      const util = findFile(author.doc, 'src/util.py')!;
      for (const char of '# typed\n') util.text.insert(util.text.length, char);
      movePath(author.doc, 'notes.md', 'docs/README.md');
      deletePath(author.doc, 'scratch.txt');
      author.text.insert(0, '# entry\n');
      const tree = treeOf(author.doc);
      expect(tree.files.map(([path]) => path)).toEqual(['docs/README.md', 'main.py', 'src/util.py']);
      await vi.waitFor(() => expect(treeOf(watcher.doc)).toEqual(tree), { timeout: 20_000 });
      // And the other way: the watcher edits a file, the author sees it.
      findFile(watcher.doc, 'docs/README.md')!.text.insert(0, 'seen ');
      await vi.waitFor(() => expect(findFile(author.doc, 'docs/README.md')?.text.toString()).toBe('seen # notes\n'), { timeout: 20_000 });
      expect(author.closes).toEqual([]);
      expected.set(roomId, treeOf(watcher.doc));
    }

    const restarted = await restart(server);
    for (const [roomId, tree] of expected) {
      const reader = connectClient(restarted.wsUrl, roomId);
      const yjsReader = connectYjsClient(restarted.wsUrl, roomId);
      clients.push(reader, yjsReader);
      await Promise.all([reader.synced, yjsReader.synced]);
      expect(treeOf(reader.doc)).toEqual(tree);
      expect(treeOf(yjsReader.doc)).toEqual(tree);
      expect(await fetchRoomCode(restarted.baseUrl, roomId)).toBe('# entry\nprint("entry")\n');
    }
  }, 180_000);

  it('a client that knows only `code` edits the entry file of a multi-file room; the other files are untouched, also after a restart', async () => {
    const server = await startTestServer({ dialect });
    servers.push(server);
    const { roomId } = await createRoom(server.baseUrl, { code: 'x = 1\n', language: 'python' });
    const modern = connectClient(server.wsUrl, roomId);
    clients.push(modern);
    await modern.synced;
    writeFile(modern.doc, 'lib/a.py', 'a = 1\n');
    writeFile(modern.doc, 'lib/b.py', 'b = 2\n');
    await vi.waitFor(() => expect(modern.provider.hasUnsyncedChanges).toBe(false));
    const files = treeOf(modern.doc).files.filter(([path]) => path !== 'main.py');

    for (const kind of ['y-websocket 1.x', '@hocuspocus/provider 3.x'] as const) {
      // Only `doc.getText('code')`: what every client before files did.
      const old = connectStockClient(kind, server.wsUrl, roomId);
      clients.push(old);
      await old.synced;
      expect(old.text.toString()).toBe(modern.text.toString());
      old.text.insert(old.text.length, `# from ${kind}\n`);
      await vi.waitFor(() => expect(modern.text.toString()).toContain(`# from ${kind}\n`), { timeout: 20_000 });
      expect(old.closes).toEqual([]);
    }
    expect(treeOf(modern.doc).files.filter(([path]) => path !== 'main.py')).toEqual(files);
    const code = modern.text.toString();
    await vi.waitFor(async () => expect(await fetchRoomCode(server.baseUrl, roomId)).toBe(code));

    const restarted = await restart(server);
    const reader = connectClient(restarted.wsUrl, roomId);
    clients.push(reader);
    await reader.synced;
    expect(reader.text.toString()).toBe(code);
    expect(treeOf(reader.doc).files.filter(([path]) => path !== 'main.py')).toEqual(files);
  }, 120_000);

  it('two people rename the same file at once while both type in it: one name on both, the text whole, also after a restart', async () => {
    const server = await startTestServer({ dialect });
    servers.push(server);
    const { roomId } = await createRoom(server.baseUrl, { code: '', language: 'python' });
    const alice = connectClient(server.wsUrl, roomId);
    const bob = connectYjsClient(server.wsUrl, roomId);
    clients.push(alice, bob);
    await Promise.all([alice.synced, bob.synced]);
    writeFile(alice.doc, 'shared.py', 'base\n');
    await vi.waitFor(() => expect(findFile(bob.doc, 'shared.py')?.text.toString()).toBe('base\n'), { timeout: 20_000 });

    // Both act before either hears of the other (one turn of the event loop, no await in between).
    const aliceFile = findFile(alice.doc, 'shared.py')!;
    const bobFile = findFile(bob.doc, 'shared.py')!;
    for (let i = 0; i < 20; i++) {
      aliceFile.text.insert(aliceFile.text.length, 'a');
      bobFile.text.insert(0, 'b');
      if (i === 5) {
        movePath(alice.doc, 'shared.py', 'alice.py');
        movePath(bob.doc, 'shared.py', 'bob/shared.py');
      }
    }
    await vi.waitFor(() => expect(treeOf(bob.doc)).toEqual(treeOf(alice.doc)), { timeout: 20_000 });
    const tree = treeOf(alice.doc);
    const renamed = tree.files.filter(([path]) => path !== 'main.py');
    expect(renamed).toHaveLength(1);
    expect(['alice.py', 'bob/shared.py']).toContain(renamed[0][0]);
    expect(renamed[0][2]).toBe(`${'b'.repeat(20)}base\n${'a'.repeat(20)}`);
    await vi.waitFor(() => expect(alice.provider.hasUnsyncedChanges).toBe(false));

    const restarted = await restart(server);
    const reader = connectClient(restarted.wsUrl, roomId);
    clients.push(reader);
    await reader.synced;
    expect(treeOf(reader.doc)).toEqual(tree);
  }, 120_000);
});

describe('an old client after the entry file moved', () => {
  const servers: TestServer[] = [];
  const clients: AnyClient[] = [];
  afterEach(async () => {
    clients.splice(0).forEach((client) => client.destroy());
    for (const server of servers.splice(0)) await server.close();
  });

  it('keeps `code` the entry file’s text when the entry is renamed', async () => {
    const server = await startTestServer();
    servers.push(server);
    const { roomId } = await createRoom(server.baseUrl, { code: 'entry\n', language: 'python' });
    const alice = connectClient(server.wsUrl, roomId);
    const old = connectYjsClient(server.wsUrl, roomId);
    clients.push(alice, old);
    await Promise.all([alice.synced, old.synced]);
    movePath(alice.doc, 'main.py', 'src/app.py');
    old.doc.getText(CODE_TEXT).insert(0, '# ');
    await vi.waitFor(() => expect(findFile(alice.doc, 'src/app.py')?.text.toString()).toBe('# entry\n'), { timeout: 20_000 });
    expect(readFileTree(alice.doc).entry).toBe('src/app.py');
    await vi.waitFor(async () => expect(await fetchRoomCode(server.baseUrl, roomId)).toBe('# entry\n'));
  });
});
