import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createApiClient } from '../../../client/api.ts';

// A small real HTTP server standing in for Pairpad's REST API: the client is
// tested over the network, with its real fetch, not with fetch mocks.
const ROOM_ID = 'AbCdEfGhIjKlMnOpQrStUv';
const requests: { method: string; url: string; body: string; contentType?: string }[] = [];

function roomBody(overrides: Record<string, unknown> = {}) {
  return {
    roomId: ROOM_ID,
    viewId: 'ViewViewViewViewViewVi',
    access: 'edit',
    links: { edit: `http://localhost/r/${ROOM_ID}`, view: 'http://localhost/v/ViewViewViewViewViewVi' },
    language: 'python',
    title: '',
    code: 'print(1)\n',
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    activeUsers: 0,
    ...overrides,
  };
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body = '';
  for await (const chunk of req) body += chunk;
  requests.push({ method: req.method ?? '', url: req.url ?? '', body, contentType: req.headers['content-type'] });
  const url = req.url ?? '';
  if (req.method === 'POST' && url === '/api/rooms') {
    const parsed = JSON.parse(body || '{}');
    return send(res, 201, roomBody({ language: parsed.language ?? 'python', title: parsed.title ?? '' }));
  }
  if (req.method === 'GET' && url === `/api/rooms/${ROOM_ID}`) return send(res, 200, roomBody());
  if (req.method === 'GET' && url === '/api/rooms/broken-answer') return send(res, 200, { roomId: 3 });
  if (req.method === 'GET' && url === '/api/rooms/html-error') return send(res, 502, '<html>Bad gateway</html>', 'text/html');
  if (req.method === 'GET' && url.startsWith('/api/rooms/')) {
    return send(res, 404, { error: { code: 'room_not_found', message: 'No room with this id.' } });
  }
  if (req.method === 'POST' && url === '/api/autocomplete') {
    const parsed = JSON.parse(body);
    if (parsed.language === 'missing-endpoint') return send(res, 404, { error: { code: 'not_found', message: 'No such route.' } });
    if (parsed.language === 'slow') return; // never answers; the caller aborts
    return send(res, 200, {
      suggestion: 'calculate',
      confidence: 0.7,
      type: 'identifier',
      from: parsed.cursorPosition - 4,
      to: parsed.cursorPosition,
      items: [{ label: 'calculate', insertText: 'calculate', kind: 'identifier', score: 3 }],
    });
  }
  send(res, 404, { error: { code: 'not_found', message: 'No such route.' } });
}

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('api client', () => {
  it('creates a room with a JSON body', async () => {
    const api = createApiClient({ baseUrl });
    const room = await api.createRoom({ language: 'go', title: 'Pairing' });
    expect(room).toMatchObject({ roomId: ROOM_ID, language: 'go', title: 'Pairing' });
    const request = requests.findLast((r) => r.url === '/api/rooms');
    expect(request?.contentType).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({ language: 'go', title: 'Pairing' });
  });

  it('gets a room', async () => {
    const room = await createApiClient({ baseUrl: `${baseUrl}/` }).getRoom(ROOM_ID);
    expect(room.code).toBe('print(1)\n');
  });

  it('turns an error body into an ApiError with its code', async () => {
    const error = await createApiClient({ baseUrl }).getRoom('NoSuchRoom12345').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 404, code: 'room_not_found', message: 'No room with this id.' });
  });

  it('rejects answers that do not match the shared schema', async () => {
    await expect(createApiClient({ baseUrl }).getRoom('broken-answer')).rejects.toMatchObject({ code: 'invalid_response', status: 200 });
  });

  it('copes with a non-JSON error page from a proxy', async () => {
    await expect(createApiClient({ baseUrl }).getRoom('html-error')).rejects.toMatchObject({ code: 'internal', status: 502 });
  });

  it('reports an unreachable server as network_error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(createApiClient({ baseUrl: `http://127.0.0.1:${port}` }).getRoom(ROOM_ID)).rejects.toMatchObject({
      code: 'network_error',
      status: 0,
    });
  });

  it('builds the download URL', () => {
    expect(createApiClient({ baseUrl }).roomCodeUrl(ROOM_ID)).toBe(`${baseUrl}/api/rooms/${ROOM_ID}/code`);
    expect(createApiClient().roomCodeUrl('a/b')).toBe('/api/rooms/a%2Fb/code');
  });

  it('asks for completions', async () => {
    const answer = await createApiClient({ baseUrl }).autocomplete({ code: 'def calc', cursorPosition: 8, language: 'python', limit: 5 });
    expect(answer).toMatchObject({ suggestion: 'calculate', from: 4, to: 8 });
    expect(answer.items[0].label).toBe('calculate');
  });

  it('reports a missing autocomplete endpoint as not_found', async () => {
    await expect(
      createApiClient({ baseUrl }).autocomplete({ code: '', cursorPosition: 0, language: 'missing-endpoint' }),
    ).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('aborts a request with the caller signal', async () => {
    const controller = new AbortController();
    const pending = createApiClient({ baseUrl }).autocomplete({ code: 'x', cursorPosition: 1, language: 'slow' }, controller.signal);
    await expect.poll(() => requests.some((r) => r.body.includes('"slow"'))).toBe(true);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
