import type { Connection } from '@hocuspocus/server';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { MAX_CHANGES_PER_BROADCAST } from '../../server/collab/room-broadcast.extension.ts';
import { CODE_TEXT } from '../../shared/protocol.ts';
import { connectClient, countReceivedUpdates, type TestClient } from '../support/providers.ts';
import { createRoom, startTestServer, type TestServer } from '../support/server.ts';
import { updateOn } from '../support/yjs-updates.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function joinRoom(count: number): Promise<{ roomId: string; clients: TestClient[] }> {
  const { roomId } = await createRoom(server.baseUrl);
  const clients = Array.from({ length: count }, () => connectClient(server.wsUrl, roomId));
  await Promise.all(clients.map((client) => client.synced));
  return { roomId, clients };
}

it('sends a change to everyone in the room but the connection it came from', async () => {
  const { clients } = await joinRoom(3);
  const [typist, ...others] = clients;
  try {
    const counts = clients.map(countReceivedUpdates);
    for (let i = 0; i < 20; i++) {
      typist.text.insert(i, 'x');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await vi.waitFor(() => others.forEach((client) => expect(client.text.toString()).toBe('x'.repeat(20))));
    await vi.waitFor(() => expect(typist.provider.unsyncedChanges).toBe(0));
    expect(counts[0].count).toBe(0);
    expect(counts[1].count).toBeGreaterThan(0);
    expect(counts[2].count).toBeGreaterThan(0);
  } finally {
    clients.forEach((client) => client.destroy());
  }
});

it('sends changes merged from several connections to all of them', async () => {
  const { roomId, clients } = await joinRoom(3);
  const [first, second, third] = clients;
  try {
    const document = server.pairpad.collab.hocuspocus.documents.get(roomId)!;
    // Which server connection is whose: the origin of each client's first change.
    const connectionOf = new Map<Y.Doc, Connection>();
    for (const client of [first, second]) {
      const seen = new Promise<Connection>((resolve) =>
        document.once('update', (_update: Uint8Array, origin: { connection: Connection }) => resolve(origin.connection)),
      );
      client.text.insert(0, '.');
      connectionOf.set(client.doc, await seen);
    }
    await vi.waitFor(() => clients.forEach((client) => expect(client.text.length).toBe(2)));
    const counts = clients.map(countReceivedUpdates);

    // Two changes in one event-loop turn on the server, as if both arrived in one read: one broadcast.
    const change = (text: string) => {
      const scratch = new Y.Doc();
      Y.applyUpdate(scratch, Y.encodeStateAsUpdate(document));
      return updateOn(scratch, (doc) => doc.getText(CODE_TEXT).insert(0, text));
    };
    const fromFirst = change('a');
    const fromSecond = change('b');
    Y.applyUpdate(document, fromFirst, { source: 'connection', connection: connectionOf.get(first.doc)! });
    Y.applyUpdate(document, fromSecond, { source: 'connection', connection: connectionOf.get(second.doc)! });

    await vi.waitFor(() => clients.forEach((client) => expect(client.text.length).toBe(4)));
    expect(counts.map((received) => received.count)).toEqual([1, 1, 1]);
    expect(new Set(clients.map((client) => client.text.toString())).size).toBe(1);
    expect(third.text.toString()).toMatch(/^[ab]{2}\.\.$/);
  } finally {
    clients.forEach((client) => client.destroy());
  }
});

it(`merges at most ${MAX_CHANGES_PER_BROADCAST} changes into one broadcast (merging is quadratic in their number)`, async () => {
  const { roomId, clients } = await joinRoom(2);
  const [, watcher] = clients;
  try {
    const document = server.pairpad.collab.hocuspocus.documents.get(roomId)!;
    const updates = countReceivedUpdates(watcher);
    // 2,000 keystrokes in one event-loop turn, as a flood of small frames arrives in one read.
    const typist = new Y.Doc();
    const keystrokes: Uint8Array[] = [];
    typist.on('update', (update: Uint8Array) => keystrokes.push(update));
    for (let i = 0; i < 2_000; i++) typist.getText(CODE_TEXT).insert(i, 'k');
    for (const keystroke of keystrokes) Y.applyUpdate(document, keystroke, { source: 'local' });

    await vi.waitFor(() => expect(watcher.text.toString()).toBe('k'.repeat(2_000)));
    expect(updates.count).toBe(Math.ceil(2_000 / MAX_CHANGES_PER_BROADCAST));
  } finally {
    clients.forEach((client) => client.destroy());
  }
});
