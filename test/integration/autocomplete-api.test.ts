import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectClient } from '../support/providers.ts';
import { createRoom, startTestServer, type TestServer } from '../support/server.ts';
import { expectError } from '../support/http.ts';

let server: TestServer;
beforeAll(async () => {
  // These tests check what is answered, not the budget (autocomplete-isolation.test.ts runs the default
  // 50 ms): on a busy machine 50 ms can run out and answer empty.
  server = await startTestServer({ env: { AUTOCOMPLETE_BUDGET_MS: '10000' } });
});
afterAll(() => server.close());

function complete(body: unknown): Promise<Response> {
  return fetch(`${server.baseUrl}/api/autocomplete`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}


describe('POST /api/autocomplete', () => {
  it('completes an identifier from the code sent', async () => {
    const code = 'calculate_total = 0\nfor item in items:\n    calculate_total += item\nprint(calc';
    const response = await complete({ code, cursorPosition: code.length, language: 'python' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as any;
    expect(body.items[0].label).toBe('calculate_total');
    expect(body).toMatchObject({ from: code.length - 4, to: code.length });
    expect(body.suggestion).toBe('ulate_total');
    expect(body.confidence).toBeGreaterThan(0);
    expect(body.confidence).toBeLessThanOrEqual(1);
  });

  it('completes against the live text of a room', async () => {
    const { roomId } = await createRoom(server.baseUrl, { language: 'javascript' });
    const client = connectClient(server.wsUrl, roomId);
    await client.synced;
    const code = 'const connectionPool = createPool();\nconnectionPool.release();\nconn';
    client.text.insert(0, code);
    await vi.waitFor(() => expect(server.pairpad.collab.hocuspocus.documents.get(roomId)?.getText('code').toString()).toBe(code));
    const response = await complete({ roomId, cursorPosition: code.length, language: 'javascript', limit: 3 });
    expect(response.status).toBe(200);
    const body = (await response.json()) as any;
    expect(body.items.length).toBeLessThanOrEqual(3);
    expect(body.items[0].label).toBe('connectionPool');
    client.destroy();
  });

  it('answers 200 with nothing when there is nothing to suggest', async () => {
    const response = await complete({ code: '', cursorPosition: 0, language: 'plaintext' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ suggestion: '', items: [] });
  });

  it('completes an unknown language as plaintext instead of refusing it', async () => {
    const code = 'alphabet soup\nalph';
    const response = await complete({ code, cursorPosition: code.length, language: 'brainfudge' });
    expect(response.status).toBe(200);
    expect(((await response.json()) as any).items[0].label).toBe('alphabet');
  });

  it('answers at most 10 items by default and clamps a limit over 50 to 50', async () => {
    const code = `${Array.from({ length: 80 }, (_, index) => `name_${index} = ${index}`).join('\n')}\nna`;
    const items = async (limit?: number): Promise<unknown[]> => {
      const response = await complete({ code, cursorPosition: code.length, language: 'python', limit });
      expect(response.status).toBe(200);
      return ((await response.json()) as any).items;
    };
    expect(await items()).toHaveLength(10);
    expect(await items(51)).toHaveLength(50);
    expect(await items(1000)).toHaveLength(50);
  });

  it('completes a language string of any length that is not known as plaintext', async () => {
    const code = 'alphabet soup\nalph';
    const response = await complete({ code, cursorPosition: code.length, language: 'x'.repeat(5_000) });
    expect(response.status).toBe(200);
    expect(((await response.json()) as any).items[0].label).toBe('alphabet');
  });

  it('refuses bad requests with 400 invalid_request naming the field', async () => {
    expect(await expectError(await complete({ cursorPosition: 0, language: 'python' }), 400, 'invalid_request')).toMatch(/code/);
    expect(await expectError(await complete({ code: 'abc', cursorPosition: 4, language: 'python' }), 400, 'invalid_request')).toMatch(/^cursorPosition/);
    expect(await expectError(await complete({ code: 'abc', cursorPosition: -1, language: 'python' }), 400, 'invalid_request')).toMatch(/^cursorPosition/);
    expect(await expectError(await complete({ code: 42, cursorPosition: 0, language: 'python' }), 400, 'invalid_request')).toMatch(/^code/);
    for (const limit of [0, -1, 1.5, '5']) {
      expect(await expectError(await complete({ code: 'a', cursorPosition: 0, language: 'python', limit }), 400, 'invalid_request')).toMatch(/^limit/);
    }
    expect(await expectError(await complete('{"code":'), 400, 'invalid_json')).toBeTruthy();
  });

  it('answers 404 room_not_found for an unknown or malformed room', async () => {
    await expectError(await complete({ roomId: 'AAAAAAAAAAAAAAAAAAAAAA', cursorPosition: 0, language: 'python' }), 404, 'room_not_found');
    await expectError(await complete({ roomId: '../../x', cursorPosition: 0, language: 'python' }), 404, 'room_not_found');
  });

  it('answers 413 for code over 1 MiB', async () => {
    const code = 'x'.repeat(1024 * 1024 + 1);
    await expectError(await complete({ code, cursorPosition: 0, language: 'python' }), 413, 'payload_too_large');
  });

  it('answers 413 when the live text of a room is over 1 MiB of UTF-8, though fewer characters', async () => {
    const { roomId } = await createRoom(server.baseUrl, { language: 'python' });
    const client = connectClient(server.wsUrl, roomId);
    await client.synced;
    // 600,000 two-byte characters: 1.2 MB, under MAX_DOCUMENT_BYTES; sent in chunks under the socket's message limit.
    const chunk = 'é'.repeat(150_000);
    for (let sent = 0; sent < 4; sent++) client.text.insert(client.text.length, chunk);
    const live = () => server.pairpad.collab.hocuspocus.documents.get(roomId)?.getText('code').length;
    await vi.waitFor(() => expect(live()).toBe(600_000), { timeout: 10_000 });
    const message = await expectError(await complete({ roomId, cursorPosition: 0, language: 'python' }), 413, 'payload_too_large');
    expect(message).toMatch(/1 MiB/);
    client.destroy();
  });
});

describe('POST /api/autocomplete with a model backend configured', () => {
  it('returns the model completion from a real OpenAI-compatible server on loopback', async () => {
    const { createServer } = await import('node:http');
    const prompts: any[] = [];
    const model = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        prompts.push({ url: req.url, auth: req.headers.authorization, ...JSON.parse(body) });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ choices: [{ text: 'urn a + b\n\nprint(add(1, 2))' }] }));
      });
    });
    await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
    const port = (model.address() as import('node:net').AddressInfo).port;
    const withModel = await startTestServer({
      env: { AUTOCOMPLETE_BUDGET_MS: '10000', AUTOCOMPLETE_LLM_URL: `http://127.0.0.1:${port}`, AUTOCOMPLETE_LLM_MODEL: 'tiny-coder', AUTOCOMPLETE_LLM_API_KEY: 'sekret' },
    });
    try {
      const code = 'def add(a, b):\n    ret\n';
      const cursor = code.indexOf('ret') + 3;
      const response = await fetch(`${withModel.baseUrl}/api/autocomplete`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code, cursorPosition: cursor, language: 'python' }),
      });
      const body = (await response.json()) as any;
      expect(body.type).toBe('model');
      expect(body.suggestion).toBe('urn a + b');
      expect(prompts[0]).toMatchObject({ url: '/v1/completions', auth: 'Bearer sekret', model: 'tiny-coder', prompt: code.slice(0, cursor), suffix: code.slice(cursor) });
    } finally {
      await withModel.close();
      model.close();
    }
  });
});
