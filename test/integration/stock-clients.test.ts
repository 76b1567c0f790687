import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CloseCode, CloseReason } from '../../shared/protocol.ts';
import { connectClient, type TestClient } from '../support/providers.ts';
import { createRoom, fetchRoomCode, startTestServer, type TestServer } from '../support/server.ts';
import { connectStockClient, STOCK_CLIENTS, type StockClient } from '../support/stock-clients.ts';

// Default limits (MAX_MESSAGES_PER_SECOND 200, bursts of 400): a burst of
// 1,500 messages is well past them and must be slowed down, not cut off.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const clients: (StockClient | TestClient)[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.destroy()));

const BURST = 1_500;

describe('stock clients sending a burst at default limits', () => {
  it.each(STOCK_CLIENTS)('%s: 1,500 one-character transactions all arrive, nothing diverges, no close', async (kind) => {
    const { roomId } = await createRoom(server.baseUrl, { code: '' });
    const sender = connectStockClient(kind, server.wsUrl, roomId);
    const observer = connectClient(server.wsUrl, roomId);
    clients.push(sender, observer);
    await Promise.all([sender.synced, observer.synced]);

    // Each insert is its own transaction, so its own WebSocket message.
    for (let i = 0; i < BURST; i++) sender.text.insert(sender.text.length, String.fromCharCode(97 + (i % 26)));
    const expected = sender.text.toString();
    expect(expected).toHaveLength(BURST);

    await vi.waitFor(() => expect(observer.text.toString()).toBe(expected), { timeout: 45_000, interval: 100 });
    await vi.waitFor(async () => expect(await fetchRoomCode(server.baseUrl, roomId)).toBe(expected), { timeout: 10_000 });
    expect(sender.closes).toEqual([]);
    expect(sender.refusals).toEqual([]);
    // The sender still works after the burst: the next edit arrives too.
    sender.text.insert(0, '!');
    await vi.waitFor(() => expect(observer.text.toString()).toBe(`!${expected}`), { timeout: 10_000 });
  }, 90_000);
});

describe('@hocuspocus/provider 2.x', () => {
  it('is refused with 4426 and a reason instead of being left hanging', async () => {
    const { roomId } = await createRoom(server.baseUrl, { code: 'hello' });
    const client = connectStockClient('@hocuspocus/provider 2.x', server.wsUrl, roomId);
    clients.push(client);
    await vi.waitFor(() => expect(client.closes[0]).toEqual({ code: CloseCode.unsupportedClient, reason: CloseReason.unsupportedClient }), { timeout: 10_000 });
    expect(client.refusals[0]).toBe(CloseReason.unsupportedClient);
    // Nothing of the room reached it, and it wrote nothing.
    expect(client.text.toString()).toBe('');
    expect(await fetchRoomCode(server.baseUrl, roomId)).toBe('hello');
  });

  it('is served when it has a token, since it then authenticates before syncing', async () => {
    const { roomId } = await createRoom(server.baseUrl, { code: 'hello' });
    const client = connectStockClient('@hocuspocus/provider 2.x', server.wsUrl, roomId, { token: 'any' });
    const observer = connectClient(server.wsUrl, roomId);
    clients.push(client, observer);
    await Promise.all([client.synced, observer.synced]);
    expect(client.text.toString()).toBe('hello');
    client.text.insert(5, ' from 2.x');
    await vi.waitFor(() => expect(observer.text.toString()).toBe('hello from 2.x'));
    expect(client.closes).toEqual([]);
  });
});
