import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectError } from '../support/http.ts';
import { joinRoom, ownerCall, PROTOCOLS, type Participant } from '../support/owner.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** The owner's actions with tokens on (issue 18): a JWT with `role: "owner"` for the room. */
const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const mint = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10m').sign(new TextEncoder().encode(SECRET));

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { AUTH_JWT_SECRET: SECRET } });
});
afterAll(() => server.close());
const participants: Participant[] = [];
afterEach(() => participants.splice(0).forEach((participant) => participant.destroy()));

async function newRoom(): Promise<{ roomId: string; viewId: string; ownerKey: string }> {
  const response = await ownerCall(server.baseUrl, 'POST', '/api/rooms', await mint({ room: '*', role: 'create' }), { code: 'start\n' });
  expect(response.status).toBe(201);
  return (await response.json()) as { roomId: string; viewId: string; ownerKey: string };
}

describe('owner controls with tokens on', () => {
  it('REST: a token with role owner for the room may; edit, view, another room\'s owner token and the bare owner key may not', async () => {
    const room = await newRoom();
    const other = await newRoom();
    const path = `/api/rooms/${room.roomId}`;
    expect((await ownerCall(server.baseUrl, 'PATCH', path, await mint({ room: room.roomId, role: 'owner' }), { locked: true })).status).toBe(200);
    for (const claims of [{ room: room.roomId, role: 'edit' }, { room: room.viewId, role: 'view' }, { room: other.roomId, role: 'owner' }, { room: room.viewId, role: 'owner' }]) {
      await expectError(await ownerCall(server.baseUrl, 'PATCH', path, await mint(claims), { locked: false }), 403, 'forbidden');
      await expectError(await ownerCall(server.baseUrl, 'GET', `${path}/notes`, await mint(claims)), 403, 'forbidden');
    }
    // With tokens on, the bearer must be a token.
    await expectError(await ownerCall(server.baseUrl, 'PATCH', path, room.ownerKey, { locked: false }), 401, 'unauthorized');
    // An owner token reads the room as an editor too.
    expect(await (await ownerCall(server.baseUrl, 'GET', path, await mint({ room: room.roomId, role: 'owner' }))).json()).toMatchObject({ locked: true, access: 'edit' });
  });

  it.each(PROTOCOLS)('/%s: in a locked room the owner token\'s edits apply, an edit token\'s are dropped', async (protocol) => {
    const room = await newRoom();
    expect((await ownerCall(server.baseUrl, 'PATCH', `/api/rooms/${room.roomId}`, await mint({ room: room.roomId, role: 'owner' }), { locked: true })).status).toBe(200);
    const owner = joinRoom(protocol, server.wsUrl, room.roomId, await mint({ room: room.roomId, role: 'owner' }));
    const editor = joinRoom(protocol, server.wsUrl, room.roomId, await mint({ room: room.roomId, role: 'edit' }));
    // The owner key is no token: refused when tokens are on.
    const keyOnly = joinRoom(protocol, server.wsUrl, room.roomId, room.ownerKey);
    participants.push(owner, editor, keyOnly);
    await Promise.all([owner.synced, editor.synced]);
    await vi.waitFor(() => expect(keyOnly.refusals.length + keyOnly.closes.length).toBeGreaterThan(0));
    editor.text.insert(0, 'EDITOR ');
    owner.text.insert(owner.text.length, 'owner\n');
    await vi.waitFor(() => expect(editor.text.toString()).toContain('owner\n'));
    await vi.waitFor(async () => expect(await (await ownerCall(server.baseUrl, 'GET', `/api/rooms/${room.roomId}/code`, await mint({ room: room.roomId, role: 'edit' }))).text()).toBe('start\nowner\n'));
  });

  it('rotate: the owner token for the new edit id works, the old id\'s is dead', async () => {
    const room = await newRoom();
    const response = await ownerCall(server.baseUrl, 'POST', `/api/rooms/${room.roomId}/rotate`, await mint({ room: room.roomId, role: 'owner' }));
    expect(response.status).toBe(200);
    const rotated = (await response.json()) as { roomId: string };
    await expectError(await ownerCall(server.baseUrl, 'PATCH', `/api/rooms/${room.roomId}`, await mint({ room: room.roomId, role: 'owner' }), { locked: true }), 404, 'room_not_found');
    await expectError(await ownerCall(server.baseUrl, 'PATCH', `/api/rooms/${rotated.roomId}`, await mint({ room: room.roomId, role: 'owner' }), { locked: true }), 403, 'forbidden');
    expect((await ownerCall(server.baseUrl, 'PATCH', `/api/rooms/${rotated.roomId}`, await mint({ room: rotated.roomId, role: 'owner' }), { locked: true })).status).toBe(200);
    const editor = joinRoom('yjs', server.wsUrl, rotated.roomId, await mint({ room: rotated.roomId, role: 'edit' }));
    participants.push(editor);
    await editor.synced;
    expect(editor.meta.get('locked')).toBe(true);
  });
});
