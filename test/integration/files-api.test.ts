import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_FILES } from '../../shared/protocol.ts';
import { dialects } from '../support/databases.ts';
import { fileUrl, getFile, listFiles, moveFile, postRoom, putFile, rawRequest, readFileRows } from '../support/files.ts';
import { expectError } from '../support/http.ts';
import { connectClient } from '../support/providers.ts';
import { restartTestServer, startTestServer, type TestServer } from '../support/server.ts';

const MAX_DOCUMENT_BYTES = 256 * 1024;

async function created(response: Response): Promise<any> {
  if (response.status !== 201) throw new Error(`expected 201, got ${response.status} ${await response.text()}`);
  return response.json();
}

describe.each(dialects)('files over REST on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ dialect, overrides: { maxDocumentChars: MAX_DOCUMENT_BYTES } });
  });
  afterAll(() => server.close());

  const project = {
    title: 'Kata',
    files: [
      { path: 'main.py', content: 'from util import add\nprint(add(1, 2))\n' },
      { path: 'util.py', content: 'def add(a, b):\n    return a + b\n' },
      { path: 'tests/test util.py', content: 'assert True\n' },
      { path: 'notes/é.md', content: '# ünïcode\n', language: 'markdown' },
    ],
  };

  describe('POST /api/rooms with files', () => {
    it('creates the files, takes main.* as the entry, and answers entry and fileCount', async () => {
      const room = await created(await postRoom(server.baseUrl, project));
      expect(room).toMatchObject({ entry: 'main.py', fileCount: 4, code: project.files[0].content, language: 'python', title: 'Kata' });
      expect(await listFiles(server.baseUrl, room.roomId)).toEqual({
        entry: 'main.py',
        files: [
          { path: 'main.py', language: 'python', size: 38 },
          { path: 'notes/é.md', language: 'markdown', size: Buffer.byteLength('# ünïcode\n') },
          { path: 'tests/test util.py', language: 'python', size: 12 },
          { path: 'util.py', language: 'python', size: 32 },
        ],
        folders: [],
      });
      expect(await getFile(server.baseUrl, room.roomId, 'tests/test util.py')).toBe('assert True\n');
      // The old endpoint still serves the entry file.
      expect(await (await fetch(`${server.baseUrl}/api/rooms/${room.roomId}/code`)).text()).toBe(project.files[0].content);
    });

    it('takes the entry given, and its language for the room', async () => {
      const room = await created(await postRoom(server.baseUrl, { files: [{ path: 'a.py', content: '' }, { path: 'src/app.c', content: 'int main(){}' }], entry: 'src/app.c' }));
      expect(room).toMatchObject({ entry: 'src/app.c', language: 'c', code: 'int main(){}' });
      const fallback = await created(await postRoom(server.baseUrl, { files: [{ path: 'b/x.go', content: '' }, { path: 'a/y.rs', content: '' }] }));
      expect(fallback.entry).toBe('a/y.rs');
    });

    it('keeps a room made from code to one file, main.<ext>', async () => {
      const room = await created(await postRoom(server.baseUrl, { language: 'rust', code: 'fn main() {}' }));
      expect(room).toMatchObject({ entry: 'main.rs', fileCount: 1 });
      expect(await listFiles(server.baseUrl, room.roomId)).toEqual({ entry: 'main.rs', files: [{ path: 'main.rs', language: 'rust', size: 12 }], folders: [] });
    });

    it('refuses bad paths, duplicates, too many files and too large a room, creating nothing', async () => {
      const post = (body: unknown) => postRoom(server.baseUrl, body);
      await expectError(await post({ files: [{ path: '../etc/passwd', content: '' }] }), 400, 'invalid_path');
      await expectError(await post({ files: [{ path: '/abs.py', content: '' }] }), 400, 'invalid_path');
      await expectError(await post({ files: [{ path: 'a\\b.py', content: '' }] }), 400, 'invalid_path');
      await expectError(await post({ files: [{ path: 'a.py', content: '' }], entry: 'b.py' }), 400, 'invalid_path');
      await expectError(await post({ files: [] }), 400, 'invalid_path');
      await expectError(await post({ code: 'x', entry: 'a.py' }), 400, 'invalid_path');
      await expectError(await post({ files: [{ path: 'a.py', content: '1' }, { path: 'a.py', content: '2' }] }), 409, 'path_exists');
      // The same name in two Unicode forms is one path (NFC).
      await expectError(await post({ files: [{ path: 'caf\u00e9.py', content: '' }, { path: 'cafe\u0301.py', content: '' }] }), 409, 'path_exists');
      await expectError(await post({ files: [{ path: 'a', content: '' }, { path: 'a/b.py', content: '' }] }), 409, 'path_exists');
      const many = Array.from({ length: MAX_FILES + 1 }, (_, i) => ({ path: `f${i}.py`, content: '' }));
      await expectError(await post({ files: many }), 413, 'too_many_files');
      const half = 'x'.repeat(MAX_DOCUMENT_BYTES / 4);
      await expectError(await post({ files: [{ path: 'a.py', content: half }, { path: 'b.py', content: half }] }), 413, 'payload_too_large');
      await expectError(await post({ files: [{ path: 'a.py', content: 1 }] }), 400, 'invalid_request');
      expect((await created(await post({ files: many.slice(0, MAX_FILES) }))).fileCount).toBe(MAX_FILES);
    });
  });

  describe('reading', () => {
    it('reads by percent-encoded segments, with the view id too; 404 for no file; 400 for a bad path', async () => {
      const room = await created(await postRoom(server.baseUrl, project));
      expect(await getFile(server.baseUrl, room.viewId, 'notes/é.md')).toBe('# ünïcode\n');
      const response = await fetch(fileUrl(server.baseUrl, room.roomId, 'util.py'));
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      await expectError(await fetch(fileUrl(server.baseUrl, room.roomId, 'nope.py')), 404, 'file_not_found');
      await expectError(await fetch(`${server.baseUrl}/api/rooms/${room.roomId}/files/tests%2Ftest%20util.py`), 400, 'invalid_path');
      await expectError(await rawRequest(server.baseUrl, 'GET', `/api/rooms/${room.roomId}/files/notes/../main.py`), 400, 'invalid_path');
      await expectError(await rawRequest(server.baseUrl, 'GET', `/api/rooms/${room.roomId}/files/%2E%2E/main.py`), 400, 'invalid_path');
      await expectError(await fetch(fileUrl(server.baseUrl, room.roomId, 'a:b.py')), 400, 'invalid_path');
      await expectError(await fetch(`${server.baseUrl}/api/rooms/${room.roomId}/files/%E0%A4%A`), 400, 'invalid_path');
      await expectError(await fetch(fileUrl(server.baseUrl, 'h3Kx0Jq2cV9bX1mZp8TtQw', 'main.py')), 404, 'room_not_found');
      await expectError(await fetch(`${server.baseUrl}/api/rooms/h3Kx0Jq2cV9bX1mZp8TtQw/files`), 404, 'room_not_found');
    });
  });

  describe('changing', () => {
    it('creates (201) and replaces (200) a file, sets its language, and the view id may not', async () => {
      const room = await created(await postRoom(server.baseUrl, project));
      const create = await putFile(server.baseUrl, room.roomId, 'src/new file.ts', 'let a = 1;\n');
      expect(create.status).toBe(201);
      expect(await create.json()).toEqual({ path: 'src/new file.ts' });
      expect((await putFile(server.baseUrl, room.roomId, 'src/new file.ts', 'let a = 2;\n', '?language=javascript')).status).toBe(200);
      expect(await getFile(server.baseUrl, room.roomId, 'src/new file.ts')).toBe('let a = 2;\n');
      expect((await listFiles(server.baseUrl, room.roomId)).files.find((file) => file.path === 'src/new file.ts')).toEqual({ path: 'src/new file.ts', language: 'javascript', size: 11 });
      // Writing the entry file changes `code`.
      expect((await putFile(server.baseUrl, room.roomId, 'main.py', 'print(3)\n')).status).toBe(200);
      expect(await (await fetch(`${server.baseUrl}/api/rooms/${room.roomId}/code`)).text()).toBe('print(3)\n');
      await expectError(await putFile(server.baseUrl, room.viewId, 'x.py', ''), 403, 'forbidden');
      await expectError(await rawRequest(server.baseUrl, 'PUT', `/api/rooms/${room.roomId}/files/a/../x.py`, 'x'), 400, 'invalid_path');
      await expectError(await putFile(server.baseUrl, room.roomId, 'x|y.py', ''), 400, 'invalid_path');
      await expectError(await putFile(server.baseUrl, room.roomId, 'util.py/x.py', ''), 409, 'path_exists');
      const binary = await fetch(fileUrl(server.baseUrl, room.roomId, 'bin.txt'), { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: Buffer.from([0xff, 0xfe, 0x00]) });
      await expectError(binary, 400, 'invalid_request');
      const json = await fetch(fileUrl(server.baseUrl, room.roomId, 'x.json'), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
      await expectError(json, 415, 'unsupported_media_type');
      // An empty body makes an empty file.
      expect((await fetch(fileUrl(server.baseUrl, room.roomId, 'empty.txt'), { method: 'PUT' })).status).toBe(201);
      expect(await getFile(server.baseUrl, room.roomId, 'empty.txt')).toBe('');
    });

    it('refuses a file past MAX_FILES and a room past MAX_DOCUMENT_BYTES, changing nothing', async () => {
      const files = Array.from({ length: MAX_FILES }, (_, i) => ({ path: `f${i}.py`, content: '' }));
      const full = await created(await postRoom(server.baseUrl, { files }));
      await expectError(await putFile(server.baseUrl, full.roomId, 'one-more.py', ''), 413, 'too_many_files');
      const room = await created(await postRoom(server.baseUrl, project));
      const before = await listFiles(server.baseUrl, room.roomId);
      await expectError(await putFile(server.baseUrl, room.roomId, 'big.txt', 'x'.repeat(MAX_DOCUMENT_BYTES / 2)), 413, 'payload_too_large');
      await expectError(await putFile(server.baseUrl, room.roomId, 'util.py', 'x'.repeat(MAX_DOCUMENT_BYTES / 2)), 413, 'payload_too_large');
      // A body over MAX_DOCUMENT_BYTES is refused before it is read whole.
      await expectError(await putFile(server.baseUrl, room.roomId, 'huge.txt', 'x'.repeat(MAX_DOCUMENT_BYTES + 1)), 413, 'payload_too_large');
      expect(await listFiles(server.baseUrl, room.roomId)).toEqual(before);
    });

    it('deletes files and folders but never the entry file', async () => {
      const room = await created(await postRoom(server.baseUrl, project));
      expect((await fetch(fileUrl(server.baseUrl, room.roomId, 'util.py'), { method: 'DELETE' })).status).toBe(204);
      expect((await fetch(fileUrl(server.baseUrl, room.roomId, 'tests'), { method: 'DELETE' })).status).toBe(204);
      await expectError(await fetch(fileUrl(server.baseUrl, room.roomId, 'main.py'), { method: 'DELETE' }), 409, 'entry_file');
      await expectError(await fetch(fileUrl(server.baseUrl, room.roomId, 'util.py'), { method: 'DELETE' }), 404, 'file_not_found');
      await expectError(await fetch(fileUrl(server.baseUrl, room.viewId, 'main.py'), { method: 'DELETE' }), 403, 'forbidden');
      expect((await listFiles(server.baseUrl, room.roomId)).files.map((file) => file.path)).toEqual(['main.py', 'notes/é.md']);
    });

    it('moves files and folders; the entry moves with its file', async () => {
      const room = await created(await postRoom(server.baseUrl, project));
      expect((await moveFile(server.baseUrl, room.roomId, 'tests', 'spec')).status).toBe(200);
      expect((await moveFile(server.baseUrl, room.roomId, 'main.py', 'src/app.py')).status).toBe(200);
      const listed = await listFiles(server.baseUrl, room.roomId);
      expect(listed.entry).toBe('src/app.py');
      expect(listed.files.map((file) => file.path)).toEqual(['notes/é.md', 'spec/test util.py', 'src/app.py', 'util.py']);
      expect(((await (await fetch(`${server.baseUrl}/api/rooms/${room.roomId}`)).json()) as any).entry).toBe('src/app.py');
      await expectError(await moveFile(server.baseUrl, room.roomId, 'util.py', 'spec/test util.py'), 409, 'path_exists');
      await expectError(await moveFile(server.baseUrl, room.roomId, 'nope.py', 'x.py'), 404, 'file_not_found');
      await expectError(await moveFile(server.baseUrl, room.roomId, 'util.py', '../x.py'), 400, 'invalid_path');
      await expectError(await moveFile(server.baseUrl, room.roomId, 'spec', 'spec/inner'), 400, 'invalid_path');
      await expectError(await moveFile(server.baseUrl, room.viewId, 'util.py', 'x.py'), 403, 'forbidden');
      const bad = await fetch(`${server.baseUrl}/api/rooms/${room.roomId}/files/move`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"from":"a"}' });
      await expectError(bad, 400, 'invalid_request');
    });
  });

  it('documents the files routes in the OpenAPI document', async () => {
    const document = (await (await fetch(`${server.baseUrl}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(document.paths['/api/rooms/{roomId}/files/{path}']).sort()).toEqual(['delete', 'get', 'put']);
    for (const path of ['/api/rooms/{roomId}/files', '/api/rooms/{roomId}/files/move', '/api/rooms/{roomId}/archive']) expect(document.paths[path]).toBeDefined();
    expect(JSON.stringify(document.paths['/api/rooms'])).toContain('application/zip');
  });

  describe('storage', () => {
    it('writes room_files at each fold (plain text for SQL readers), and deletes them with the room', async () => {
      const room = await created(await postRoom(server.baseUrl, project));
      const client = connectClient(server.wsUrl, room.roomId);
      await client.synced;
      // NUL and a lone surrogate: exact in the document, U+FFFD in the column.
      expect((await putFile(server.baseUrl, room.roomId, 'util.py', 'a\u0000b\ud800c')).status).toBe(200);
      expect((await moveFile(server.baseUrl, room.roomId, 'tests/test util.py', 'spec.py')).status).toBe(200);
      client.destroy();
      await vi.waitFor(() => expect(server.pairpad.collab.hocuspocus.documents.has(room.roomId)).toBe(false), { timeout: 15_000 });
      const rows = await readFileRows(server, room.roomId);
      expect(rows).toEqual([
        { path: 'main.py', file_id: 'code', language: 'python', content: project.files[0].content, size: 38 },
        { path: 'notes/é.md', file_id: expect.any(String), language: 'markdown', content: '# ünïcode\n', size: 12 },
        { path: 'spec.py', file_id: expect.any(String), language: 'python', content: 'assert True\n', size: 12 },
        { path: 'util.py', file_id: expect.any(String), language: 'python', content: 'a\ufffdb\ufffdc', size: Buffer.byteLength('a\u0000b\ud800c') },
      ]);
      // Read back from storage (the room is not loaded): the exact text, as UTF-8 carries it (a lone surrogate cannot be sent).
      expect(await getFile(server.baseUrl, room.roomId, 'util.py')).toBe('a\u0000b\ufffdc');
      expect(await server.pairpad.store.deleteRooms([room.roomId])).toEqual([room.roomId]);
      expect(await readFileRows(server, room.roomId)).toEqual([]);
    });

    it('rewrites only the rows of files that changed at a fold', async () => {
      const files = Array.from({ length: 20 }, (_, i) => ({ path: `f${String(i).padStart(2, '0')}.py`, content: `# ${i}\n` }));
      const room = await created(await postRoom(server.baseUrl, { files }));
      const unload = () => vi.waitFor(() => expect(server.pairpad.collab.hocuspocus.documents.has(room.roomId)).toBe(false), { timeout: 15_000 });
      const before = await readRowIdentities(server, room.roomId);
      expect(before.size).toBe(20);
      expect((await putFile(server.baseUrl, room.roomId, 'f03.py', 'changed\n')).status).toBe(200);
      expect((await moveFile(server.baseUrl, room.roomId, 'f05.py', 'moved.py')).status).toBe(200);
      await unload();
      const after = await readRowIdentities(server, room.roomId);
      const rewritten = [...after].filter(([path, identity]) => before.get(path) !== identity).map(([path]) => path);
      expect(rewritten.sort()).toEqual(['f03.py', 'moved.py']);
      expect(after.has('f05.py')).toBe(false);
      expect((await readFileRows(server, room.roomId)).find((row) => row.path === 'f03.py').content).toBe('changed\n');
    });

    it('writes the rows of a large room folded by the fold worker', async () => {
      const own = await startTestServer({ dialect, overrides: { storeDebounceMs: 100, storeMaxDebounceMs: 300, foldWorkerMinBytes: 1024 } });
      try {
        const big = 'x'.repeat(4096);
        const room = await created(await postRoom(own.baseUrl, { files: [{ path: 'main.py', content: big }, { path: 'b.py', content: 'b' }] }));
        const client = connectClient(own.wsUrl, room.roomId);
        await client.synced;
        client.text.insert(0, 'typed ');
        expect((await putFile(own.baseUrl, room.roomId, 'b.py', 'bb')).status).toBe(200);
        await vi.waitFor(async () => {
          const rows = await readFileRows(own, room.roomId);
          expect(rows.map((row) => [row.path, row.content])).toEqual([['b.py', 'bb'], ['main.py', `typed ${big}`]]);
        }, { timeout: 15_000 });
        expect(own.pairpad.collab.replicas.has(room.roomId)).toBe(true);
        client.destroy();
        // Unloaded, the stored room is decoded in the file worker for reads.
        await vi.waitFor(() => expect(own.pairpad.collab.hocuspocus.documents.has(room.roomId)).toBe(false), { timeout: 15_000 });
        expect(await getFile(own.baseUrl, room.roomId, 'main.py')).toBe(`typed ${big}`);
        expect((await listFiles(own.baseUrl, room.roomId)).files.map((file) => file.size)).toEqual([2, 4096 + 6]);
        const archive = await fetch(`${own.baseUrl}/api/rooms/${room.roomId}/archive`);
        expect(archive.headers.get('content-disposition')).toMatch(/pairpad-python\.zip/);
        expect((await archive.arrayBuffer()).byteLength).toBeGreaterThan(100);
      } finally {
        await own.close();
      }
    });

    it('keeps files across a restart', async () => {
      const own = await startTestServer({ dialect });
      const room = await created(await postRoom(own.baseUrl, project));
      expect((await putFile(own.baseUrl, room.roomId, 'later.txt', 'kept')).status).toBe(201);
      await own.stop();
      const again = await restartTestServer(own);
      try {
        expect(await getFile(again.baseUrl, room.roomId, 'later.txt')).toBe('kept');
        expect((await listFiles(again.baseUrl, room.roomId)).files).toHaveLength(5);
        // Read from the stored rows, the room not loaded.
        const stored = (await (await fetch(`${again.baseUrl}/api/rooms/${room.viewId}`)).json()) as any;
        expect(stored).toMatchObject({ entry: 'main.py', fileCount: 5, code: project.files[0].content });
      } finally {
        await again.close();
      }
    });
  });
});

/** Each row's physical identity (SQLite's rowid, Postgres's ctid), which a rewrite changes, by path. */
async function readRowIdentities(server: TestServer, roomId: string): Promise<Map<string, string>> {
  if (server.config.databaseUrl) {
    const client = new pg.Client({ connectionString: server.config.databaseUrl });
    await client.connect();
    try {
      const rows = (await client.query('select path, ctid::text as identity from room_files where room_id = $1', [roomId])).rows;
      return new Map(rows.map((row) => [row.path, row.identity]));
    } finally {
      await client.end();
    }
  }
  const db = new SQLite(server.config.sqlitePath, { readonly: true });
  try {
    const rows = db.prepare('select path, rowid as identity from room_files where room_id = ?').all(roomId) as { path: string; identity: number }[];
    return new Map(rows.map((row) => [row.path, String(row.identity)]));
  } finally {
    db.close();
  }
}
