import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CloseCode, CloseReason } from '../../shared/protocol.ts';
import { openStorage } from '../../server/storage/database.ts';
import { appendChatMessage, readChatMessages } from '../../shared/room-chat.ts';
import { expectError } from '../support/http.ts';
import { joinRoom, listenRaw, ownerCall, PROTOCOLS, type Participant, type Protocol } from '../support/owner.ts';
import { fetchRoomCode, startTestServer, type TestServer } from '../support/server.ts';

/** The owner's actions as sockets see them (issue 18), tokens off: the owner key as the socket's token. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
const participants: Participant[] = [];
afterEach(() => participants.splice(0).forEach((participant) => participant.destroy()));

const join = (protocol: Protocol, id: string, token?: string) => {
  const participant = joinRoom(protocol, server.wsUrl, id, token);
  participants.push(participant);
  return participant;
};

async function newRoom(code = 'start\n'): Promise<{ roomId: string; viewId: string; ownerKey: string }> {
  const response = await ownerCall(server.baseUrl, 'POST', '/api/rooms', undefined, { code });
  expect(response.status).toBe(201);
  return (await response.json()) as { roomId: string; viewId: string; ownerKey: string };
}

/** Edits dropped so far because their connection was read-only (`/metrics`). */
const droppedEdits = async () => {
  const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith('pairpad_updates_rejected_total{reason="read_only"} '));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
};

const patch = async (room: { roomId: string; ownerKey: string }, body: object) => {
  const response = await ownerCall(server.baseUrl, 'PATCH', `/api/rooms/${room.roomId}`, room.ownerKey, body);
  expect(response.status).toBe(200);
};

async function rotate(room: { roomId: string; ownerKey: string }): Promise<{ roomId: string; viewId: string }> {
  const response = await ownerCall(server.baseUrl, 'POST', `/api/rooms/${room.roomId}/rotate`, room.ownerKey);
  expect(response.status).toBe(200);
  return (await response.json()) as { roomId: string; viewId: string };
}

/** `who`: a user id or an awareness client id; `bearer`: the owner key, or none to be refused. */
const removeParticipant = (roomId: string, who: string | number, bearer?: string) =>
  ownerCall(server.baseUrl, 'POST', `/api/rooms/${roomId}/participants/${who}/remove`, bearer);

const expectRoomGone = async (id: string) => expectError(await ownerCall(server.baseUrl, 'GET', `/api/rooms/${id}`), 404, 'room_not_found');

/** The room's owner, an editor and a viewer on `protocol`, and an observer on `/collab`, all synced. */
async function joinEveryRole(protocol: Protocol, room: { roomId: string; viewId: string; ownerKey: string }) {
  const owner = join(protocol, room.roomId, room.ownerKey);
  const editor = join(protocol, room.roomId);
  const viewer = join(protocol, room.viewId);
  const observer = join('collab', room.roomId);
  await Promise.all([owner.synced, editor.synced, viewer.synced, observer.synced]);
  return { owner, editor, viewer, observer };
}

/** Waits until `participant` was closed with the code and reason named `name` (shared/protocol.ts). */
const waitForClose = (participant: Participant, name: keyof typeof CloseCode & keyof typeof CloseReason) =>
  vi.waitFor(() => expect(participant.closes[0]).toEqual({ code: CloseCode[name], reason: CloseReason[name] }));

const waitForLocked = (participant: Participant, locked: boolean) => vi.waitFor(() => expect(participant.meta.get('locked')).toBe(locked));

const waitForStoredCode = (roomId: string, code: string) => vi.waitFor(async () => expect(await fetchRoomCode(server.baseUrl, roomId)).toBe(code));

describe.each(PROTOCOLS)('owner controls on /%s', (protocol) => {
  it('a locked room takes chat from its owner only; unlocked, from editors and viewers again', async () => {
    const room = await newRoom();
    const { owner, editor, viewer, observer } = await joinEveryRole(protocol, room);
    await patch(room, { locked: true });
    for (const participant of [editor, viewer]) await waitForLocked(participant, true);
    const say = (participant: Participant, text: string) => appendChatMessage(participant.doc, { name: text, color: '#123456', text });
    say(editor, 'editor while locked');
    say(viewer, 'viewer while locked');
    say(owner, 'owner while locked');
    await vi.waitFor(() => expect(readChatMessages(observer.doc).map((message) => message.text)).toEqual(['owner while locked']));
    await patch(room, { locked: false });
    // Unlocking closes (1013) the connections whose changes were dropped; fresh ones chat again.
    const editorAgain = join(protocol, room.roomId);
    const viewerAgain = join(protocol, room.viewId);
    await Promise.all([editorAgain.synced, viewerAgain.synced]);
    await vi.waitFor(() => expect(viewerAgain.meta.get('locked')).not.toBe(true));
    say(editorAgain, 'editor after');
    say(viewerAgain, 'viewer after');
    await vi.waitFor(() => expect(readChatMessages(observer.doc).map((message) => message.text).sort()).toEqual(['editor after', 'owner while locked', 'viewer after']));
  });

  it('a locked room drops every edit but the owner\'s, says so to everyone, and stays intact', async () => {
    const room = await newRoom();
    const { owner, editor, viewer, observer } = await joinEveryRole(protocol, room);

    await patch(room, { locked: true });
    for (const participant of [owner, editor, viewer, observer]) await waitForLocked(participant, true);

    editor.text.insert(0, 'EDITOR ');
    owner.text.insert(owner.text.length, 'owner\n');
    await vi.waitFor(() => expect(observer.text.toString()).toBe('start\nowner\n'));
    await waitForStoredCode(room.roomId, 'start\nowner\n');
    // Dropped, not closed: as for a viewer.
    expect(editor.closes).toEqual([]);
    // A newcomer in the locked room cannot edit either.
    const late = join(protocol, room.roomId);
    await late.synced;
    late.text.insert(0, 'LATE ');
    owner.text.insert(owner.text.length, 'more\n');
    await vi.waitFor(() => expect(observer.text.toString()).toBe('start\nowner\nmore\n'));
    expect(await fetchRoomCode(server.baseUrl, room.roomId)).toBe('start\nowner\nmore\n');

    // Unlocked, a fresh editor's edits apply again.
    await patch(room, { locked: false });
    const fresh = join(protocol, room.roomId);
    await fresh.synced;
    await waitForLocked(fresh, false);
    fresh.text.insert(0, '# ');
    await vi.waitFor(() => expect(observer.text.toString()).toBe('# start\nowner\nmore\n'));
  });

  it('unlocking asks a client whose edits were dropped to resynchronise (1013); it edits again after', async () => {
    const room = await newRoom();
    const editor = join(protocol, room.roomId);
    const observer = join('collab', room.roomId);
    await Promise.all([editor.synced, observer.synced]);
    await patch(room, { locked: true });
    await waitForLocked(editor, true);
    const dropped = await droppedEdits();
    editor.text.insert(0, 'during ');
    // The server saw it, and dropped it.
    await vi.waitFor(async () => expect(await droppedEdits()).toBe(dropped + 1));
    expect(observer.text.toString()).toBe('start\n');
    await patch(room, { locked: false });
    await vi.waitFor(() => expect(editor.closes[0]?.code).toBe(CloseCode.tryAgainLater));
    await vi.waitFor(() => expect(observer.text.toString()).toBe('during start\n'));
    editor.text.insert(editor.text.length, 'after\n');
    await vi.waitFor(() => expect(observer.text.toString()).toBe('during start\nafter\n'));
    expect(editor.closes.map((close) => close.code)).toEqual([CloseCode.tryAgainLater]);
  });

  it('no client may set or delete meta.locked, not even the owner (4400); the room keeps its state', async () => {
    const room = await newRoom();
    const editor = join(protocol, room.roomId);
    await editor.synced;
    editor.meta.set('locked', true);
    await waitForClose(editor, 'malformedMessage');
    expect(((await (await ownerCall(server.baseUrl, 'GET', `/api/rooms/${room.roomId}`)).json()) as { locked: boolean }).locked).toBe(false);

    await patch(room, { locked: true, maxEditors: 5 });
    const owner = join(protocol, room.roomId, room.ownerKey);
    await owner.synced;
    await waitForLocked(owner, true);
    owner.meta.delete('maxEditors');
    await waitForClose(owner, 'malformedMessage');
    const observer = join('collab', room.roomId);
    await observer.synced;
    expect(observer.meta.get('locked')).toBe(true);
    expect(observer.meta.get('maxEditors')).toBe(5);
  });

  it('says who the owner is in awareness, and nobody else can claim it', async () => {
    const room = await newRoom();
    const owner = join(protocol, room.roomId, room.ownerKey);
    const pretender = join(protocol, room.roomId);
    const observer = join('collab', room.roomId);
    await Promise.all([owner.synced, pretender.synced, observer.synced]);
    owner.awareness.setLocalStateField('user', { name: 'O', color: '#f00', colorLight: '#f003', id: 'browser-o' });
    pretender.awareness.setLocalState({ user: { name: 'P', color: '#00f', colorLight: '#00f3', id: 'browser-p' }, owner: true });
    await vi.waitFor(() => expect(observer.awareness.getStates().size).toBe(3));
    await vi.waitFor(() => expect(observer.awareness.getStates().get(owner.doc.clientID)).toMatchObject({ owner: true, user: { name: 'O' } }));
    await vi.waitFor(() => expect(observer.awareness.getStates().get(pretender.doc.clientID)).toMatchObject({ user: { name: 'P' } }));
    expect(observer.awareness.getStates().get(pretender.doc.clientID)?.owner).toBeUndefined();
  });

  it('maxEditors refuses editors past the limit with 4409; viewers and the owner are let in', async () => {
    const room = await newRoom();
    await patch(room, { maxEditors: 1 });
    const first = join(protocol, room.roomId);
    await first.synced;
    const second = join(protocol, room.roomId);
    await waitForClose(second, 'roomFull');
    const viewer = join(protocol, room.viewId);
    const owner = join(protocol, room.roomId, room.ownerKey);
    await Promise.all([viewer.synced, owner.synced]);
    owner.text.insert(0, '# owner\n');
    await vi.waitFor(() => expect(first.text.toString()).toBe('# owner\nstart\n'));
    expect(viewer.closes).toEqual([]);
    expect(owner.closes).toEqual([]);
    expect(first.closes).toEqual([]);
  });

  it('remove closes a participant\'s connections with 4403, by awareness client id or user id; the others stay', async () => {
    const room = await newRoom();
    const target = join(protocol, room.roomId);
    const sameUser = join('collab', room.roomId);
    const bystander = join(protocol, room.roomId);
    await Promise.all([target.synced, sameUser.synced, bystander.synced]);
    target.awareness.setLocalStateField('user', { name: 'T', color: '#f00', colorLight: '#f003', id: 'browser-t' });
    sameUser.awareness.setLocalStateField('user', { name: 'T', color: '#f00', colorLight: '#f003', id: 'browser-t' });
    bystander.awareness.setLocalStateField('user', { name: 'B', color: '#00f', colorLight: '#00f3', id: 'browser-b' });
    await vi.waitFor(() => expect(bystander.awareness.getStates().size).toBe(3));

    await expectError(await removeParticipant(room.roomId, 'browser-t'), 403, 'forbidden');
    const response = await removeParticipant(room.roomId, 'browser-t', room.ownerKey);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ closed: 2 });
    await waitForClose(target, 'removed');
    await waitForClose(sameUser, 'removed');
    expect(bystander.closes).toEqual([]);

    // By awareness client id too.
    const byId = await removeParticipant(room.roomId, bystander.doc.clientID, room.ownerKey);
    expect(await byId.json()).toEqual({ closed: 1 });
    await waitForClose(bystander, 'removed');
  });

  it('delete closes everyone with 4410, and the room stays gone', async () => {
    const room = await newRoom();
    const editor = join(protocol, room.roomId);
    const viewer = join(protocol, room.viewId);
    await Promise.all([editor.synced, viewer.synced]);
    editor.text.insert(0, 'typed before the end\n');
    await vi.waitFor(async () => expect(await fetchRoomCode(server.baseUrl, room.roomId)).toContain('typed before'));

    expect((await ownerCall(server.baseUrl, 'DELETE', `/api/rooms/${room.roomId}`, room.ownerKey)).status).toBe(204);
    for (const participant of [editor, viewer]) {
      await waitForClose(participant, 'roomDeleted');
    }
    await vi.waitFor(() => expect(server.pairpad.collab.hocuspocus.documents.has(room.roomId)).toBe(false));
    // Not stored again from memory, as a room deleted under a loaded document would be.
    await expectRoomGone(room.roomId);
    const again = join(protocol, room.roomId);
    await vi.waitFor(() => expect(again.refusals.length).toBeGreaterThan(0));
    await expectRoomGone(room.viewId);
  });

  it('rotate closes sockets on the old ids with 4404; the new ids work, the old ones are refused', async () => {
    const room = await newRoom();
    const editor = join(protocol, room.roomId);
    const viewer = join(protocol, room.viewId);
    await Promise.all([editor.synced, viewer.synced]);

    const rotated = await rotate(room);
    for (const participant of [editor, viewer]) {
      await waitForClose(participant, 'linkRotated');
    }

    const newEditor = join(protocol, rotated.roomId);
    const newViewer = join(protocol, rotated.viewId);
    await Promise.all([newEditor.synced, newViewer.synced]);
    newEditor.text.insert(0, 'new ');
    await vi.waitFor(() => expect(newViewer.text.toString()).toBe('new start\n'));
    newViewer.text.insert(0, 'VIEWER ');
    await waitForStoredCode(rotated.roomId, 'new start\n');

    // The old ids open nothing, on either protocol.
    for (const old of [room.roomId, room.viewId]) {
      for (const other of ['collab', 'yjs'] as const) {
        const stale = join(other, old);
        await vi.waitFor(() => expect(stale.refusals.length).toBeGreaterThan(0));
        expect(stale.text.toString()).toBe('');
      }
    }

    // The owner key still makes its bearer the owner: its edits apply in a locked room.
    await patch({ roomId: rotated.roomId, ownerKey: room.ownerKey }, { locked: true });
    const owner = join(protocol, rotated.roomId, room.ownerKey);
    await owner.synced;
    owner.text.insert(owner.text.length, 'owner\n');
    newEditor.text.insert(0, 'DROPPED ');
    await waitForStoredCode(rotated.roomId, 'new start\nowner\n');
  });
});

describe('a rotated room deleted under its loaded document (another instance\'s expiry)', () => {
  it('is stored again under its new ids and owner, never its old edit id', async () => {
    const room = await newRoom();
    const rotated = await rotate(room);
    const editor = join('collab', rotated.roomId);
    await editor.synced;
    const storage = openStorage({ databaseUrl: server.config.databaseUrl, sqlitePath: server.config.sqlitePath });
    try {
      // `rooms.id` is still the first edit id: the key.
      await storage.db.deleteFrom('room_updates').where('room_id', '=', room.roomId).execute();
      await storage.db.deleteFrom('rooms').where('id', '=', room.roomId).execute();
      editor.text.insert(0, 'after ');
      // The journal finds the row gone and stores the room again from memory.
      await vi.waitFor(async () => {
        const row = await storage.db.selectFrom('rooms').select(['edit_id', 'view_id', 'owner_key_hash']).where('id', '=', room.roomId).executeTakeFirst();
        expect(row).toMatchObject({ edit_id: rotated.roomId, view_id: rotated.viewId });
        expect(row?.owner_key_hash).toBeTruthy();
      }, { timeout: 10_000 });
    } finally {
      await storage.db.destroy();
    }
    await expectRoomGone(room.roomId);
    expect((await ownerCall(server.baseUrl, 'GET', `/api/rooms/${rotated.viewId}`)).status).toBe(200);
    expect((await ownerCall(server.baseUrl, 'PATCH', `/api/rooms/${rotated.roomId}`, room.ownerKey, { title: 'kept' })).status).toBe(200);
  });
});

describe('owner notes on sockets', () => {
  it('never reach any socket, nor the document', async () => {
    const room = await newRoom();
    const secret = 'PRIVATE-NOTE-8c1f';
    const raw = listenRaw(server.wsUrl, room.roomId);
    const rawView = listenRaw(server.wsUrl, room.viewId);
    const editor = join('collab', room.roomId);
    const owner = join('yjs', room.roomId, room.ownerKey);
    await Promise.all([raw.opened, rawView.opened, editor.synced, owner.synced]);
    const put = await fetch(`${server.baseUrl}/api/rooms/${room.roomId}/notes`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${room.ownerKey}`, 'content-type': 'text/plain' },
      body: `${secret}\nmore notes`,
    });
    expect(put.status).toBe(204);
    await patch(room, { title: 'after the notes' });
    await vi.waitFor(() => expect(editor.meta.get('title')).toBe('after the notes'));
    const late = join('yjs', room.roomId);
    await late.synced;
    for (const frames of [raw.frames, rawView.frames]) expect(Buffer.concat(frames).includes(secret)).toBe(false);
    for (const participant of [editor, owner, late]) {
      expect(JSON.stringify(participant.doc.toJSON())).not.toContain(secret);
      expect(JSON.stringify([...participant.awareness.getStates().values()])).not.toContain(secret);
    }
    raw.close();
    rawView.close();
  });
});
