import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { expectError } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function start(env: Record<string, string>): Promise<TestServer> {
  const server = await startTestServer({ env });
  servers.push(server);
  return server;
}

const createRoom = (server: TestServer, headers: Record<string, string> = {}) => fetch(`${server.baseUrl}/api/rooms`, { method: 'POST', headers });

describe('rate limits', () => {
  it('answers room creations over RATE_LIMIT_ROOM_CREATE with 429 and Retry-After', async () => {
    const server = await start({ RATE_LIMIT_ROOM_CREATE: '3' });
    for (let i = 0; i < 3; i++) expect((await createRoom(server)).status).toBe(201);
    const limited = await createRoom(server);
    expect(await expectError(limited, 429, 'rate_limited')).toMatch(/at most 3 a minute/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // Another endpoint has its own budget.
    expect((await fetch(`${server.baseUrl}/api/rooms/AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
  });

  it('limits autocomplete separately', async () => {
    const server = await start({ RATE_LIMIT_AUTOCOMPLETE: '2' });
    const complete = () =>
      fetch(`${server.baseUrl}/api/autocomplete`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: 'abc a', cursorPosition: 5, language: 'python' }),
      });
    expect((await complete()).status).toBe(200);
    expect((await complete()).status).toBe(200);
    await expectError(await complete(), 429, 'rate_limited');
    expect((await createRoom(server)).status).toBe(201);
  });

  it('believes X-Forwarded-For only with TRUST_PROXY', async () => {
    const direct = await start({ RATE_LIMIT_ROOM_CREATE: '1' });
    expect((await createRoom(direct, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(201);
    expect((await createRoom(direct, { 'x-forwarded-for': '203.0.113.2' })).status).toBe(429);

    const proxied = await start({ RATE_LIMIT_ROOM_CREATE: '1', TRUST_PROXY: 'loopback' });
    expect((await createRoom(proxied, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(201);
    expect((await createRoom(proxied, { 'x-forwarded-for': '203.0.113.2' })).status).toBe(201);
    expect((await createRoom(proxied, { 'x-forwarded-for': '203.0.113.2' })).status).toBe(429);
  });

  it('refuses sockets over RATE_LIMIT_CONNECTIONS per IP with 429, and 0 turns a limit off', async () => {
    const server = await start({ RATE_LIMIT_CONNECTIONS: '3', TRUST_PROXY: 'loopback' });
    const open = (ip: string) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(`${server.wsUrl}/collab`, { headers: { 'x-forwarded-for': ip } });
        socket.on('open', () => {
          socket.close();
          resolve(101);
        });
        socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.on('error', () => {});
      });
    expect([await open('198.51.100.7'), await open('198.51.100.7'), await open('198.51.100.7')]).toEqual([101, 101, 101]);
    expect(await open('198.51.100.7')).toBe(429);
    expect(await open('198.51.100.8')).toBe(101);

    const unlimited = await start({ RATE_LIMIT_ROOM_CREATE: '0' });
    for (let i = 0; i < 40; i++) expect((await createRoom(unlimited)).status).toBe(201);
  });
});
