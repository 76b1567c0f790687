import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CloseCode, CloseReason } from '../../shared/protocol.ts';
import { createPostgresDatabase, testDatabaseUrl, testRedisUrl } from '../support/databases.ts';
import { expectError } from '../support/http.ts';
import { joinRoom, ownerCall, PROTOCOLS, type Protocol } from '../support/owner.ts';
import { fetchRoomCode, startTestServer, type TestServer } from '../support/server.ts';

/** The owner's actions across two instances sharing Redis and Postgres (issue 18). */
describe.runIf(testDatabaseUrl && testRedisUrl)('owner controls across instances', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function twoInstances(): Promise<[TestServer, TestServer]> {
    const database = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    const env = { DATABASE_URL: database.url, REDIS_URL: testRedisUrl!, REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}` };
    const start = async () => {
      const server = await startTestServer({ databaseUrl: database.url, env });
      cleanups.push(() => server.stop());
      return server;
    };
    return [await start(), await start()];
  }

  const join = (protocol: Protocol, server: TestServer, id: string, token?: string) => {
    const participant = joinRoom(protocol, server.wsUrl, id, token);
    cleanups.push(() => participant.destroy());
    return participant;
  };

  async function newRoom(server: TestServer) {
    const response = await ownerCall(server.baseUrl, 'POST', '/api/rooms', undefined, { code: 'start\n' });
    expect(response.status).toBe(201);
    return (await response.json()) as { roomId: string; viewId: string; ownerKey: string };
  }

  it.each(PROTOCOLS)('a lock set on one instance holds on the other (/%s); the room stays intact', async (protocol) => {
    const [a, b] = await twoInstances();
    const room = await newRoom(a);
    const observer = join('collab', a, room.roomId);
    const editor = join(protocol, b, room.roomId);
    const owner = join(protocol, b, room.roomId, room.ownerKey);
    await Promise.all([observer.synced, editor.synced, owner.synced]);
    expect((await ownerCall(a.baseUrl, 'PATCH', `/api/rooms/${room.roomId}`, room.ownerKey, { locked: true })).status).toBe(200);
    await vi.waitFor(() => expect(editor.meta.get('locked')).toBe(true));
    editor.text.insert(0, 'EDITOR ');
    owner.text.insert(owner.text.length, 'owner\n');
    await vi.waitFor(() => expect(observer.text.toString()).toBe('start\nowner\n'));
    await vi.waitFor(async () => expect(await fetchRoomCode(a.baseUrl, room.roomId)).toBe('start\nowner\n'));
    expect(await fetchRoomCode(b.baseUrl, room.roomId)).toBe('start\nowner\n');
  });

  it('maxEditors counts the editors of every instance; a slot freed on one is taken on the other', async () => {
    const [a, b] = await twoInstances();
    const room = await newRoom(a);
    expect((await ownerCall(b.baseUrl, 'PATCH', `/api/rooms/${room.roomId}`, room.ownerKey, { maxEditors: 1 })).status).toBe(200);
    const first = join('collab', a, room.roomId);
    await first.synced;
    for (const protocol of PROTOCOLS) {
      // B asks Redis for the editors of every instance and whether A is alive: under load the refusal can take more
      // than a second, and while Redis cannot answer in time B counts its own editors only (docs/owner.md). So each
      // try waits a few seconds for its refusal, and a socket let in during such a moment is closed and tried again.
      await vi.waitFor(async () => {
        const second = join(protocol, b, room.roomId);
        try {
          await vi.waitFor(() => expect(second.closes[0]).toEqual({ code: CloseCode.roomFull, reason: CloseReason.roomFull }), { timeout: 3_000 });
        } finally {
          second.destroy();
        }
      }, { timeout: 15_000, interval: 300 });
    }
    const viewer = join('yjs', b, room.viewId);
    const owner = join('yjs', b, room.roomId, room.ownerKey);
    await Promise.all([viewer.synced, owner.synced]);
    expect([...viewer.closes, ...owner.closes]).toEqual([]);

    // The owner counts too (never refused): with both gone, the one slot is free again.
    owner.destroy();
    first.destroy();
    // Free once A and B have seen the closes; a new editor on B gets in and stays.
    // Each try gives up on its own: a socket refused while the slot was still taken never syncs.
    await vi.waitFor(async () => {
      const next = join('yjs', b, room.roomId);
      const outcome = await Promise.race([next.synced.then(() => 'synced'), new Promise((resolve) => setTimeout(resolve, 1_500, 'not synced'))]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (outcome !== 'synced' || next.closes.length > 0) {
        next.destroy();
        throw new Error(`not admitted yet: ${String(outcome)} ${JSON.stringify(next.closes)}`);
      }
    }, { timeout: 15_000, interval: 300 });
  });

  it('rotate on one instance kills the old ids on the other at once: its sockets close 4404, REST and new sockets are refused', async () => {
    const [a, b] = await twoInstances();
    const room = await newRoom(a);
    const editor = join('yjs', b, room.roomId);
    const viewer = join('collab', b, room.viewId);
    await Promise.all([editor.synced, viewer.synced]);
    // B has both ids cached now.
    expect((await ownerCall(b.baseUrl, 'GET', `/api/rooms/${room.roomId}`)).status).toBe(200);
    const rotated = (await (await ownerCall(a.baseUrl, 'POST', `/api/rooms/${room.roomId}/rotate`, room.ownerKey)).json()) as { roomId: string; viewId: string };
    for (const participant of [editor, viewer]) {
      await vi.waitFor(() => expect(participant.closes[0]).toEqual({ code: CloseCode.linkRotated, reason: CloseReason.linkRotated }));
    }
    await expectError(await ownerCall(b.baseUrl, 'GET', `/api/rooms/${room.roomId}`), 404, 'room_not_found');
    await expectError(await ownerCall(b.baseUrl, 'GET', `/api/rooms/${room.viewId}`), 404, 'room_not_found');
    const stale = join('collab', b, room.roomId);
    await vi.waitFor(() => expect(stale.refusals.length).toBeGreaterThan(0));
    const fresh = join('yjs', b, rotated.roomId);
    const freshViewer = join('collab', a, rotated.viewId);
    await Promise.all([fresh.synced, freshViewer.synced]);
    fresh.text.insert(0, 'new ');
    await vi.waitFor(() => expect(freshViewer.text.toString()).toBe('new start\n'));
  });

  it('remove and delete reach the other instance\'s connections (4403, 4410); the deleted room is not stored again', async () => {
    const [a, b] = await twoInstances();
    const room = await newRoom(a);
    const target = join('yjs', b, room.roomId);
    const other = join('collab', b, room.roomId);
    await Promise.all([target.synced, other.synced]);
    target.awareness.setLocalStateField('user', { name: 'T', color: '#f00', colorLight: '#f003', id: 'browser-t' });
    await vi.waitFor(() => expect(other.awareness.getStates().size).toBe(2));
    // B's state reaches A's copy of the room only if A has it loaded; removal goes by command, loaded or not.
    expect((await ownerCall(a.baseUrl, 'POST', `/api/rooms/${room.roomId}/participants/browser-t/remove`, room.ownerKey)).status).toBe(200);
    await vi.waitFor(() => expect(target.closes[0]).toEqual({ code: CloseCode.removed, reason: CloseReason.removed }));
    expect(other.closes).toEqual([]);

    other.text.insert(0, 'typed on b\n');
    await vi.waitFor(async () => expect(await fetchRoomCode(a.baseUrl, room.roomId)).toContain('typed on b'));
    expect((await ownerCall(a.baseUrl, 'DELETE', `/api/rooms/${room.roomId}`, room.ownerKey)).status).toBe(204);
    await vi.waitFor(() => expect(other.closes[0]).toEqual({ code: CloseCode.roomDeleted, reason: CloseReason.roomDeleted }));
    await vi.waitFor(() => expect(b.pairpad.collab.hocuspocus.documents.has(room.roomId)).toBe(false));
    for (const server of [a, b]) await expectError(await ownerCall(server.baseUrl, 'GET', `/api/rooms/${room.roomId}`), 404, 'room_not_found');
  });
});
