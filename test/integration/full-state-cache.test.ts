import { SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { connectClient, connectYjsClient, syncAnswerSizes, type TestClient, type YjsTestClient } from '../support/providers.ts';
import { createRoom, restartTestServer, startTestServer, type TestServer } from '../support/server.ts';

const METRICS_TOKEN = 'metrics-token-0123456789';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { METRICS_TOKEN } });
});
afterAll(() => server.close());


/** `pairpad_full_syncs_total` by answer. */
async function fullSyncs(on: TestServer = server): Promise<{ cached: number; encoded: number; ahead: number }> {
  const text = await (await fetch(`${on.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const read = (answer: string) => Number(new RegExp(`^pairpad_full_syncs_total\\{answer="${answer}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { cached: read('cached'), encoded: read('encoded'), ahead: read('ahead') };
}

it('gives the first client after a restart the stored state while the room loads, once, without encoding it', async () => {
  const { roomId } = await createRoom(server.baseUrl);
  const writer = connectClient(server.wsUrl, roomId);
  await writer.synced;
  writer.text.insert(0, 'stored before the restart\n');
  await new Promise((resolve) => setTimeout(resolve, 100));
  const stateBytes = Y.encodeStateAsUpdate(writer.doc).length;
  writer.destroy();
  await server.stop();
  server = await restartTestServer(server);

  const reader = connectClient(server.wsUrl, roomId);
  const answers = syncAnswerSizes(reader);
  try {
    await reader.synced;
    expect(reader.text.toString()).toBe('stored before the restart\n');
    expect(await fullSyncs()).toEqual({ cached: 0, encoded: 0, ahead: 1 });
    // The stored state, then Hocuspocus's answer, which is empty: the room is sent once.
    expect(answers).toEqual([stateBytes, Y.encodeStateAsUpdate(new Y.Doc()).length]);
    // The client is in the room as any other: its edits reach the others.
    const other = connectClient(server.wsUrl, roomId);
    await other.synced;
    reader.text.insert(0, '> ');
    await expect.poll(() => other.text.toString()).toBe('> stored before the restart\n');
    other.destroy();
  } finally {
    reader.destroy();
  }
});

it('gives the stored state ahead of the load only to clients let into the room', async () => {
  const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
  const mint = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10m').sign(new TextEncoder().encode(SECRET));
  let guarded = await startTestServer({ env: { METRICS_TOKEN, AUTH_JWT_SECRET: SECRET } });
  try {
    const created = await fetch(`${guarded.baseUrl}/api/rooms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await mint({ room: '*', role: 'create' })}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'secret code\n' }),
    });
    const { roomId } = (await created.json()) as { roomId: string };
    await guarded.stop();
    guarded = await restartTestServer(guarded);

    // Both ask for the whole room before it is loaded; only one may have it.
    const refusals: string[] = [];
    const intruder = connectClient(guarded.wsUrl, roomId, { token: await mint({ room: 'someOtherRoomId0000000', role: 'edit' }), onAuthenticationFailed: (reason) => refusals.push(reason) });
    const member = connectClient(guarded.wsUrl, roomId, { token: await mint({ room: roomId, role: 'edit' }) });
    const intruderAnswers = syncAnswerSizes(intruder);
    try {
      await member.synced;
      expect(member.text.toString()).toBe('secret code\n');
      expect((await fullSyncs(guarded)).ahead).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(refusals).toEqual(['forbidden: the token is not for this room or role']);
      expect(intruderAnswers).toEqual([]);
      expect(intruder.text.toString()).toBe('');
    } finally {
      intruder.destroy();
      member.destroy();
    }
  } finally {
    await guarded.close();
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
