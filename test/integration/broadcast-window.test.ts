import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { connectClient, type TestClient } from '../support/providers.ts';
import { createRoom, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

it('batches a busy room’s broadcasts in a window that grows and shrinks with the room, and delivers everything', async () => {
  const { roomId } = await createRoom(server.baseUrl);
  const clients: TestClient[] = [];
  const join = async (count: number) => {
    const joined = Array.from({ length: count }, () => connectClient(server.wsUrl, roomId));
    clients.push(...joined);
    await Promise.all(joined.map((client) => client.synced));
  };
  const flushDelay = () => server.pairpad.collab.hocuspocus.documents.get(roomId)?.flushDelay;
  try {
    await join(2);
    expect(flushDelay()).toBe(0);
    await join(38);
    await vi.waitFor(() => expect(flushDelay()).toBe(2));

    for (let i = 0; i < 50; i++) clients[i % 5].text.insert(0, 'x');
    await vi.waitFor(() => clients.forEach((client) => expect(client.text.length).toBe(50)));

    for (const client of clients.splice(2)) client.destroy();
    await vi.waitFor(() => expect(flushDelay()).toBe(0));
  } finally {
    clients.forEach((client) => client.destroy());
  }
});
