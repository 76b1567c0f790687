import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LANGUAGES } from '../../shared/protocol.ts';
import { connectClient } from '../support/providers.ts';
import { createRoom, startTestServer, type TestServer } from '../support/server.ts';
import { expectError } from '../support/http.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const post = (path: string, body: string | undefined, contentType = 'application/json') =>
  fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });


describe('POST /api/rooms', () => {
  it('creates a room with defaults from an empty body', async () => {
    const response = await fetch(`${server.baseUrl}/api/rooms`, { method: 'POST' });
    expect(response.status).toBe(201);
    const room = (await response.json()) as any;
    expect(room).toMatchObject({ language: 'python', title: '', code: '', activeUsers: 0 });
    expect(room.roomId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Date.parse(room.createdAt)).not.toBeNaN();
    expect(room.updatedAt).toBe(room.createdAt);
  });

  it('seeds language, title and code on the server', async () => {
    const room = await createRoom(server.baseUrl, { language: 'rust', title: 'Kata', code: 'fn main() {}\n' });
    expect(room).toMatchObject({ language: 'rust', title: 'Kata', code: 'fn main() {}\n' });
    const client = connectClient(server.wsUrl, room.roomId);
    await client.synced;
    expect(client.text.toString()).toBe('fn main() {}\n');
    expect(client.doc.getMap('meta').toJSON()).toEqual({ language: 'rust', title: 'Kata' });
    client.destroy();
  });

  it('mints distinct unguessable ids', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => createRoom(server.baseUrl).then((room) => room.roomId)));
    expect(new Set(ids).size).toBe(20);
    // 22 base64url characters carry 132 bits; at least 96 are required.
    for (const id of ids) expect(Buffer.from(id, 'base64url').length).toBe(16);
  });

  it('accepts every documented language', async () => {
    for (const language of LANGUAGES) {
      expect((await createRoom(server.baseUrl, { language })).language).toBe(language);
    }
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    await expectError(await post('/api/rooms', '{"language": '), 400, 'invalid_json');
  });

  it('answers a schema violation with 400 invalid_request naming the field', async () => {
    expect(await expectError(await post('/api/rooms', '{"language":"cobol"}'), 400, 'invalid_request')).toMatch(/^language:/);
    expect(await expectError(await post('/api/rooms', '{"title":42}'), 400, 'invalid_request')).toMatch(/^title:/);
    expect(await expectError(await post('/api/rooms', JSON.stringify({ title: 'x'.repeat(201) })), 400, 'invalid_request')).toMatch(/^title:/);
    expect(await expectError(await post('/api/rooms', '{"admin":true}'), 400, 'invalid_request')).toMatch(/admin/);
    expect(await expectError(await post('/api/rooms', '[1,2]'), 400, 'invalid_request')).toMatch(/^body:/);
  });

  it('answers a body over 1 MiB with 413 payload_too_large', async () => {
    const body = JSON.stringify({ code: 'x'.repeat(1024 * 1024) });
    await expectError(await post('/api/rooms', body), 413, 'payload_too_large');
  });

  it('answers a non-JSON body with 415', async () => {
    await expectError(await post('/api/rooms', 'language=python', 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type');
  });
});

describe('GET /api/rooms/:roomId', () => {
  it('returns the live code and active users of a loaded room', async () => {
    const { roomId } = await createRoom(server.baseUrl, { code: 'a' });
    const client = connectClient(server.wsUrl, roomId);
    await client.synced;
    client.text.insert(1, 'bc');
    await vi.waitFor(async () => {
      const room = (await (await fetch(`${server.baseUrl}/api/rooms/${roomId}`)).json()) as any;
      expect(room).toMatchObject({ roomId, code: 'abc', activeUsers: 1 });
    });
    client.destroy();
  });

  it('answers 404 room_not_found for unknown and malformed ids', async () => {
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'short', '%27%20OR%201%3D1--', '..%2F..%2Fetc', 'x'.repeat(10_000), '%F0%9F%98%80'.repeat(20)]) {
      await expectError(await fetch(`${server.baseUrl}/api/rooms/${id}`), 404, 'room_not_found');
    }
  });
});

describe('GET /api/rooms/:roomId/code', () => {
  it('downloads the code as text/plain with a file name fitting the language', async () => {
    const { roomId } = await createRoom(server.baseUrl, { language: 'typescript', title: 'Two Sum / v2', code: 'let x = 1;\n' });
    const response = await fetch(`${server.baseUrl}/api/rooms/${roomId}/code`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="?Two-Sum-v2\.ts"?$/);
    expect(await response.text()).toBe('let x = 1;\n');
  });

  it('names an untitled download after its language, never the room id (a saved file must not carry the edit link)', async () => {
    const { roomId } = await createRoom(server.baseUrl, { language: 'cpp' });
    const response = await fetch(`${server.baseUrl}/api/rooms/${roomId}/code`);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="?pairpad-cpp\.cpp"?$/);
    expect(response.headers.get('content-disposition')).not.toContain(roomId);
  });

  it('answers 404 room_not_found for an unknown room', async () => {
    await expectError(await fetch(`${server.baseUrl}/api/rooms/AAAAAAAAAAAAAAAAAAAAAA/code`), 404, 'room_not_found');
  });
});

describe('operations and docs', () => {
  it('answers /livez and /health', async () => {
    expect((await fetch(`${server.baseUrl}/livez`)).status).toBe(200);
    const response = await fetch(`${server.baseUrl}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', database: 'ok', pendingWrites: 0 });
  });

  it('serves an OpenAPI 3.1 document generated from the schemas, and a docs page', async () => {
    const document = (await (await fetch(`${server.baseUrl}/api/openapi.json`)).json()) as any;
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/rooms', '/api/rooms/{roomId}', '/api/rooms/{roomId}/code', '/health']));
    expect(document.components.schemas.CreateRoomRequest.properties.language).toBeDefined();
    const docs = await fetch(`${server.baseUrl}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('/docs/init.js');
    expect(await (await fetch(`${server.baseUrl}/docs/init.js`)).text()).toContain('/api/openapi.json');
    expect((await fetch(`${server.baseUrl}/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
  });

  it('answers unknown routes with 404 not_found in JSON', async () => {
    await expectError(await fetch(`${server.baseUrl}/api/nothing-here`), 404, 'not_found');
    await expectError(await fetch(`${server.baseUrl}/nothing-here`), 404, 'not_found');
    await expectError(await fetch(`${server.baseUrl}/api/rooms`, { method: 'DELETE' }), 404, 'not_found');
  });
});

describe('unexpected failures', () => {
  it('answer 500 internal without internals, and the server goes on', async () => {
    const broken = await startTestServer();
    try {
      const { roomId } = await createRoom(broken.baseUrl);
      // A real failure below the API: the database connection is gone.
      await broken.pairpad.store.close();
      const response = await fetch(`${broken.baseUrl}/api/rooms/${roomId}`);
      const message = await expectError(response, 500, 'internal');
      expect(message).toBe('Internal server error');
      expect(JSON.stringify(message)).not.toMatch(/sqlite|database|connection|at .*\.ts/i);
      expect((await fetch(`${broken.baseUrl}/livez`)).status).toBe(200);
    } finally {
      await broken.close().catch(() => undefined);
    }
  });
});
