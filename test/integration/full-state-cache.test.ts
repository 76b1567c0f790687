import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { connectClient, connectYjsClient, type TestClient, type YjsTestClient } from '../support/providers.ts';
import { createRoom, restartTestServer, startTestServer, type TestServer } from '../support/server.ts';

const METRICS_TOKEN = 'metrics-token-0123456789';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { METRICS_TOKEN } });
});
afterAll(() => server.close());


/** `pairpad_full_syncs_total` by answer. */
async function fullSyncs(): Promise<{ cached: number; encoded: number }> {
  const text = await (await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const read = (answer: string) => Number(new RegExp(`^pairpad_full_syncs_total\\{answer="${answer}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { cached: read('cached'), encoded: read('encoded') };
}

it('answers the first client after a restart with the stored state, without encoding it', async () => {
  const { roomId } = await createRoom(server.baseUrl);
  const writer = connectClient(server.wsUrl, roomId);
  await writer.synced;
  writer.text.insert(0, 'stored before the restart\n');
  await new Promise((resolve) => setTimeout(resolve, 100));
  writer.destroy();
  await server.stop();
  server = await restartTestServer(server);

  const reader = connectClient(server.wsUrl, roomId);
  try {
    await reader.synced;
    expect(reader.text.toString()).toBe('stored before the restart\n');
    expect(await fullSyncs()).toEqual({ cached: 1, encoded: 0 });
  } finally {
    reader.destroy();
  }
});

it('answers clients that hold nothing from one encoding of the room until it changes; a reconnect gets its difference', async () => {
  const { roomId } = await createRoom(server.baseUrl, { code: 'start\n' });
  const opened: (TestClient | YjsTestClient)[] = [];
  const join = async <T extends TestClient | YjsTestClient>(client: T) => {
    opened.push(client);
    await client.synced;
    return client;
  };
  try {
    const writer = await join(connectClient(server.wsUrl, roomId));
    const before = await fullSyncs();
    const readers = [await join(connectClient(server.wsUrl, roomId)), await join(connectYjsClient(server.wsUrl, roomId)), await join(connectClient(server.wsUrl, roomId))];
    for (const reader of readers) expect(reader.text.toString()).toBe('start\n');
    const after = await fullSyncs();
    expect(after.encoded - before.encoded).toBe(0); // the writer's join encoded it already
    expect(after.cached - before.cached).toBe(3);

    writer.text.insert(0, 'changed ');
    const late = await join(connectClient(server.wsUrl, roomId));
    expect(late.text.toString()).toBe('changed start\n');
    expect((await fullSyncs()).encoded - after.encoded).toBe(1);

    // A client that holds the room and missed a change asks for its difference.
    const offline = new Y.Doc();
    Y.applyUpdate(offline, Y.encodeStateAsUpdate(late.doc));
    writer.text.insert(0, 'more ');
    const counts = await fullSyncs();
    const reconnected = await join(connectClient(server.wsUrl, roomId, { document: offline }));
    expect(reconnected.text.toString()).toBe('more changed start\n');
    expect(await fullSyncs()).toEqual(counts);
  } finally {
    opened.forEach((client) => client.destroy());
  }
});
