import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizePath } from '../../shared/file-paths.ts';
import { readZip } from '../../server/files/zip-reader.ts';
import { dialects } from '../support/databases.ts';
import { getFile, listFiles, postZip } from '../support/files.ts';
import { expectError } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { buildZip, zeroBomb, type RawZipEntry } from '../support/zips.ts';

const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;

describe.each(dialects)('rooms from zips, and archives, on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ dialect, overrides: { maxDocumentChars: MAX_DOCUMENT_BYTES } });
  });
  afterAll(() => server.close());

  /** Every room stored, whatever its age. */
  const roomCount = async () => (await server.pairpad.store.findStaleRooms(new Date(Date.now() + 1e12), 1_000_000)).length;

  async function archiveOf(roomId: string): Promise<{ response: Response; zip: Buffer }> {
    const response = await fetch(`${server.baseUrl}/api/rooms/${roomId}/archive`);
    expect(response.status).toBe(200);
    return { response, zip: Buffer.from(await response.arrayBuffer()) };
  }

  it('creates a room from a zip, and its archive holds the same files and folders', async () => {
    const source = buildZip([
      { name: 'src/', mode: 0o040755 },
      { name: 'src/app.ts', data: 'export const answer = 42;\n' },
      { name: 'main.py', data: 'print("hi")\n'.repeat(100) },
      { name: 'docs/empty/', mode: 0o040755 },
      { name: 'README.md', data: '# Ünïcode\n', method: 0 },
      { name: '__MACOSX/._main.py', data: 'junk' },
    ]);
    const response = await postZip(server.baseUrl, source, '?title=My%20Kata');
    expect(response.status).toBe(201);
    const room = (await response.json()) as any;
    expect(room).toMatchObject({ entry: 'main.py', language: 'python', title: 'My Kata', fileCount: 3 });
    expect(await listFiles(server.baseUrl, room.roomId)).toEqual({
      entry: 'main.py',
      files: [
        { path: 'README.md', language: 'markdown', size: Buffer.byteLength('# Ünïcode\n') },
        { path: 'main.py', language: 'python', size: 1200 },
        { path: 'src/app.ts', language: 'typescript', size: 26 },
      ],
      folders: ['docs', 'docs/empty'],
    });

    const { response: archived, zip } = await archiveOf(room.roomId);
    expect(archived.headers.get('content-type')).toBe('application/zip');
    expect(archived.headers.get('content-disposition')).toMatch(/^attachment; filename="?My-Kata\.zip"?$/);
    const contents = await readZip(zip, { maxEntries: 1000, maxInflatedBytes: MAX_DOCUMENT_BYTES });
    expect(contents.files).toEqual([
      { path: 'README.md', content: '# Ünïcode\n' },
      { path: 'main.py', content: 'print("hi")\n'.repeat(100) },
      { path: 'src/app.ts', content: 'export const answer = 42;\n' },
    ]);
    expect(contents.folders).toEqual(['docs', 'docs/empty']);

    // Round trip: the archive makes the same room again.
    const again = (await (await postZip(server.baseUrl, zip)).json()) as any;
    const [first, second] = await Promise.all([listFiles(server.baseUrl, room.roomId), listFiles(server.baseUrl, again.roomId)]);
    expect(second).toEqual(first);
    for (const file of first.files) expect(await getFile(server.baseUrl, again.roomId, file.path)).toBe(await getFile(server.baseUrl, room.roomId, file.path));
  });

  it('names an untitled archive after the language, never the room id', async () => {
    const room = (await (await postZip(server.baseUrl, buildZip([{ name: 'lib/x.go', data: 'package x' }]))).json()) as any;
    expect(room).toMatchObject({ entry: 'lib/x.go', language: 'go' });
    const { response } = await archiveOf(room.viewId);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="?pairpad-go\.zip"?$/);
    expect(response.headers.get('content-disposition')).not.toContain(room.roomId);
  });

  it('takes ?entry= and ?language=', async () => {
    const zip = buildZip([{ name: 'main.py', data: '' }, { name: 'tool/run', data: 'echo hi' }]);
    const room = (await (await postZip(server.baseUrl, zip, '?entry=tool/run&language=shell')).json()) as any;
    expect(room).toMatchObject({ entry: 'tool/run', language: 'shell', code: 'echo hi' });
    await expectError(await postZip(server.baseUrl, zip, '?entry=nope.py'), 400, 'invalid_path');
    await expectError(await postZip(server.baseUrl, zip, '?language=cobol'), 400, 'invalid_request');
  });

  const hostile: [string, () => Buffer, number, string][] = [
    ['a ../ entry (zip slip)', () => buildZip([{ name: 'ok.py', data: '' }, { name: '../evil.py', data: 'x' }]), 400, 'invalid_path'],
    ['a nested ../ entry', () => buildZip([{ name: 'a/../../evil.py', data: 'x' }]), 400, 'invalid_path'],
    ['an absolute path', () => buildZip([{ name: '/etc/x', data: 'x' }]), 400, 'invalid_path'],
    ['a drive letter', () => buildZip([{ name: 'C:\\x', data: 'x' }]), 400, 'invalid_path'],
    ['a drive letter with /', () => buildZip([{ name: 'C:/x', data: 'x' }]), 400, 'invalid_path'],
    ['a backslash', () => buildZip([{ name: 'a\\..\\b.py', data: 'x' }]), 400, 'invalid_path'],
    ['a name that is not UTF-8', () => buildZip([{ name: Buffer.from([0x61, 0xff, 0x2e, 0x70, 0x79]), data: 'x' }]), 400, 'invalid_path'],
    ['10,000 entries', () => buildZip(Array.from({ length: 10_000 }, (_, i) => ({ name: `f${i}.txt`, data: '', method: 0 }))), 413, 'too_many_files'],
    ['201 files', () => buildZip(Array.from({ length: 201 }, (_, i) => ({ name: `f${i}.txt`, data: '', method: 0 }))), 413, 'too_many_files'],
    ['an entry inflating to 1 GiB', () => buildZip([{ name: 'bomb.txt', compressed: zeroBomb(1024), size: 0x40000000, crc: 0 }]), 413, 'payload_too_large'],
    ['an entry that lies about its size', () => buildZip([{ name: 'bomb.txt', compressed: zeroBomb(8), size: 10, crc: 0 }]), 413, 'payload_too_large'],
    ['entries that inflate past the limit together', () => buildZip(Array.from({ length: 6 }, (_, i) => ({ name: `part${i}.txt`, data: Buffer.alloc(1 << 20, 0x61) }))), 413, 'payload_too_large'],
    ['duplicate names', () => buildZip([{ name: 'a.py', data: '1' }, { name: 'a.py', data: '2' }]), 409, 'path_exists'],
    ['a symbolic link', () => buildZip([{ name: 'main.py', data: '' }, { name: 'link', data: '/etc/passwd', method: 0, mode: 0o120777 }]), 400, 'invalid_request'],
    ['a FIFO', () => buildZip([{ name: 'pipe', data: '', method: 0, mode: 0o010644 }]), 400, 'invalid_request'],
    ['a binary file', () => buildZip([{ name: 'img.png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe]) }]), 400, 'invalid_request'],
    ['a wrong CRC', () => buildZip([{ name: 'a.py', data: 'hello', crc: 1 }]), 400, 'invalid_request'],
    ['an unknown compression method', () => buildZip([{ name: 'a.py', data: 'hello', method: 12 }]), 400, 'invalid_request'],
    ['no zip at all', () => Buffer.from('this is not a zip file, not even close'), 400, 'invalid_request'],
    ['a truncated zip', () => buildZip([{ name: 'a.py', data: 'hello' }]).subarray(0, 40), 400, 'invalid_request'],
    ['no files, only folders', () => buildZip([{ name: 'src/', mode: 0o040755 }]), 400, 'invalid_path'],
  ];
  it.each(hostile)('refuses %s: %d %s, and creates nothing', async (_name, build, status, code) => {
    const before = await roomCount();
    await expectError(await postZip(server.baseUrl, build()), status, code);
    expect(await roomCount()).toBe(before);
  });

  it('refuses a zip body over MAX_DOCUMENT_BYTES (413), before reading it', async () => {
    const before = await roomCount();
    await expectError(await postZip(server.baseUrl, Buffer.alloc(MAX_DOCUMENT_BYTES + 1)), 413, 'payload_too_large');
    expect(await roomCount()).toBe(before);
  });

  it('never answers 500 and never makes a path outside the canonical rules, whatever the entry names and contents (fast-check)', async () => {
    const segment = fc.oneof(
      fc.constantFrom('..', '.', '', 'a', 'src', 'C:', '~', 'é', 'e\u0301', '__MACOSX', ' ', 'a b', 'x.py', '\\', 'a\\b'),
      fc.string({ unit: 'grapheme', maxLength: 6 }),
      fc.string({ maxLength: 6 }),
    );
    const name = fc.oneof(
      fc.array(segment, { minLength: 1, maxLength: 4 }).map((segments) => segments.join('/')),
      fc.array(segment, { minLength: 1, maxLength: 3 }).map((segments) => `/${segments.join('/')}`),
      fc.array(segment, { minLength: 1, maxLength: 3 }).map((segments) => `${segments.join('/')}/`),
    );
    const entry: fc.Arbitrary<RawZipEntry> = fc.record({
      name,
      data: fc.oneof(fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes))),
      method: fc.constantFrom(0, 8),
      mode: fc.constantFrom(0o100644, 0o040755, 0o120777, 0o100755),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 6 }), async (entries) => {
        const response = await postZip(server.baseUrl, buildZip(entries));
        expect(response.status).not.toBe(500);
        if (response.status !== 201) {
          const body = (await response.json()) as { error: { code: string } };
          expect(['invalid_path', 'invalid_request', 'path_exists', 'too_many_files', 'payload_too_large']).toContain(body.error.code);
          return;
        }
        const room = (await response.json()) as { roomId: string };
        const listed = await listFiles(server.baseUrl, room.roomId);
        for (const path of [...listed.files.map((file) => file.path), ...listed.folders]) {
          expect(normalizePath(path)).toBe(path);
          expect(path.split('/')).not.toContain('..');
        }
      }),
      { numRuns: 60 },
    );
  });
});
