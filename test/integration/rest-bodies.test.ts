import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../support/http.ts';
import { fetchRoomCode, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  // 4 KiB: 2 bytes per UTF-16 code unit of code, title and language, as a live room is measured.
  server = await startTestServer({ env: { MAX_DOCUMENT_BYTES: '4096' } });
});
afterAll(() => server.close());

const postRoom = (body: string | Uint8Array, headers: Record<string, string> = {}) =>
  fetch(`${server.baseUrl}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('GET /api/limits', () => {
  it('tells the web client what the server refuses past', async () => {
    const response = await fetch(`${server.baseUrl}/api/limits`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ maxDocumentBytes: 4096, maxMessageBytes: server.config.maxMessageBytes });
    const openapi = (await (await fetch(`${server.baseUrl}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(openapi.paths['/api/limits']).toBeDefined();
  });
});

describe('POST /api/rooms bodies', () => {
  it('answers 400 with the error shape for a body that is not what its Content-Encoding says', async () => {
    for (const encoding of ['gzip', 'deflate']) {
      await expectError(await postRoom('{"code":"plain"}', { 'content-encoding': encoding }), 400, 'invalid_request');
    }
    // A real gzip body still works.
    const response = await postRoom(gzipSync('{"code":"zipped"}'), { 'content-encoding': 'gzip' });
    expect(response.status).toBe(201);
    const { roomId } = (await response.json()) as { roomId: string };
    expect(await fetchRoomCode(server.baseUrl, roomId)).toBe('zipped');
  });

  it('refuses a room larger than MAX_DOCUMENT_BYTES with 413 payload_too_large, and takes one at the limit', async () => {
    const language = 'python';
    // 2 * (code + language) bytes: exactly the limit, then one code unit over.
    const atLimit = 'x'.repeat(4096 / 2 - language.length);
    expect((await postRoom(JSON.stringify({ code: atLimit, language }))).status).toBe(201);
    const message = await expectError(await postRoom(JSON.stringify({ code: `${atLimit}y`, language })), 413, 'payload_too_large');
    expect(message).toContain('MAX_DOCUMENT_BYTES');
    await expectError(await postRoom(JSON.stringify({ code: 'short', title: 't'.repeat(200), language: 'python' }).replace('short', 'é'.repeat(1900))), 413, 'payload_too_large');
  });
});
