import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { CloseCode } from '../../shared/protocol.ts';
import { paceIncomingMessages } from '../../server/collab/message-pacing.ts';

// Real sockets on both ends: a `ws` server whose sockets are paced, and `ws` clients.
let http: Server;
let wss: WebSocketServer;
let url: string;
beforeAll(async () => {
  http = createServer();
  wss = new WebSocketServer({ server: http });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(() => {
  wss.close();
  http.close();
});

interface Received {
  messages: { index: number; at: number }[];
  closed?: number;
}

/** Connects a client; its server socket is paced at `perSecond` and records what it hands on. */
async function pacedPair(perSecond: number, maxQueuedBytes = 1 << 20): Promise<{ client: WebSocket; received: Received; startedAt: number }> {
  const client = new WebSocket(url);
  const [[server]] = (await Promise.all([once(wss, 'connection'), once(client, 'open')])) as [[WebSocket], unknown];
  paceIncomingMessages(server, { perSecond, maxQueuedBytes });
  const received: Received = { messages: [] };
  const startedAt = performance.now();
  server.on('message', (data: Buffer) => received.messages.push({ index: data.readUInt32LE(0), at: performance.now() - startedAt }));
  server.on('close', (code) => (received.closed = code));
  return { client, received, startedAt };
}

function message(index: number, size: number): Buffer {
  const data = Buffer.alloc(Math.max(4, size));
  data.writeUInt32LE(index, 0);
  return data;
}

describe('pacing a socket’s incoming messages', () => {
  it('hands on every message once, in order, never faster than the burst plus the rate allow', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 200, max: 1_000 }),
        // Up to 1,500 messages: past the burst, so most runs are paced for a few seconds.
        fc.array(fc.integer({ min: 4, max: 2_000 }), { minLength: 1, maxLength: 1_500, size: 'max' }),
        async (perSecond, sizes) => {
          const { client, received } = await pacedPair(perSecond);
          sizes.forEach((size, index) => client.send(message(index, size)));
          await vi.waitFor(() => expect(received.messages).toHaveLength(sizes.length), { timeout: 20_000, interval: 20 });
          expect(received.messages.map((entry) => entry.index)).toEqual(sizes.map((_, index) => index));
          // Token bucket: 2 × perSecond at once, then perSecond a second (a little slack for timers).
          received.messages.forEach((entry, i) => expect(i + 1).toBeLessThanOrEqual(2 * perSecond + (entry.at / 1000) * perSecond + 2));
          expect(received.closed).toBeUndefined();
          client.close();
        },
      ),
      { numRuns: 8 },
    );
  }, 180_000);

  it('hands on what is queued before the close when the client leaves mid-burst', async () => {
    const { client, received } = await pacedPair(100);
    for (let i = 0; i < 400; i++) client.send(message(i, 16));
    client.close();
    await vi.waitFor(() => expect(received.closed).toBeDefined(), { timeout: 20_000 });
    expect(received.messages.map((entry) => entry.index)).toEqual(Array.from({ length: 400 }, (_, i) => i));
  });

  it('closes with 1013 (retryable) only when more piles up than it may hold, after handing on what it read', async () => {
    // A queue smaller than what one read of the socket holds (64 KiB), so that it overflows.
    const { client, received } = await pacedPair(10, 8 * 1024);
    const closed = new Promise<number>((resolve) => client.on('close', (code) => resolve(code)));
    for (let i = 0; i < 200; i++) client.send(message(i, 4_096));
    expect(await closed).toBe(CloseCode.tryAgainLater);
    const indexes = received.messages.map((entry) => entry.index);
    expect(indexes).toEqual(Array.from({ length: indexes.length }, (_, i) => i));
  });
});
