import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectClient, connectYjsClient, type TestClient, type YjsTestClient } from '../support/providers.ts';
import { fetchRoomCode, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
const clients: (TestClient | YjsTestClient)[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.destroy()));

async function createRoom(body: object = {}): Promise<any> {
  const response = await fetch(`${server.baseUrl}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
  return response.json();
}

describe('read-only view links', () => {
  it('come with every new room, beside the edit id and link', async () => {
    const room = await createRoom({ code: 'x = 1\n' });
    expect(room.viewId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(room.viewId).not.toBe(room.roomId);
    expect(room.access).toBe('edit');
    expect(room.links).toEqual({
      edit: `${server.baseUrl}/r/${room.roomId}`,
      view: `${server.baseUrl}/v/${room.viewId}`,
      owner: `${server.baseUrl}/r/${room.roomId}#owner=${room.ownerKey}`,
    });
  });

  it('open the room over REST without revealing the edit id', async () => {
    const room = await createRoom({ code: 'secret edit id stays secret\n', title: 'Interview' });
    const response = await fetch(`${server.baseUrl}/api/rooms/${room.viewId}`);
    expect(response.status).toBe(200);
    const raw = await response.text();
    expect(raw).not.toContain(room.roomId);
    const view = JSON.parse(raw);
    expect(view).toMatchObject({ viewId: room.viewId, access: 'view', title: 'Interview', code: 'secret edit id stays secret\n', links: { view: room.links.view } });
    expect(view.roomId).toBeUndefined();
    expect(view.links.edit).toBeUndefined();
    const download = await fetch(`${server.baseUrl}/api/rooms/${room.viewId}/code`);
    expect(await download.text()).toBe('secret edit id stays secret\n');
    expect(download.headers.get('content-disposition')).toContain('Interview.py');
  });

  it('follow the live room on /collab, but their edits and cursors never reach it', async () => {
    const room = await createRoom({ code: 'start\n' });
    const editor = connectClient(server.wsUrl, room.roomId);
    const viewer = connectClient(server.wsUrl, room.viewId);
    clients.push(editor, viewer);
    await Promise.all([editor.synced, viewer.synced]);
    expect(viewer.text.toString()).toBe('start\n');

    editor.provider.setAwarenessField('user', { name: 'Editor', color: '#f00', colorLight: '#f003' });
    viewer.provider.setAwarenessField('user', { name: 'Viewer', color: '#00f', colorLight: '#00f3' });
    viewer.provider.setAwarenessField('cursor', { anchor: 0, head: 0 });
    editor.text.insert(editor.text.length, 'typed by the editor\n');
    await vi.waitFor(() => expect(viewer.text.toString()).toBe('start\ntyped by the editor\n'));
    const names = (client: TestClient) => [...client.provider.awareness!.getStates().values()].map((state: any) => state.user?.name).filter(Boolean);
    await vi.waitFor(() => expect(names(viewer)).toContain('Editor'));

    viewer.text.insert(0, 'VIEWER WAS HERE ');
    editor.text.insert(editor.text.length, 'more\n');
    await vi.waitFor(() => expect(viewer.text.toString()).toContain('more\n'));
    expect(editor.text.toString()).toBe('start\ntyped by the editor\nmore\n');
    // The editor sees the viewer as watching, with the name given, but no cursor (issue 14, item 7).
    const viewerState = () => [...editor.provider.awareness!.getStates().values()].find((state: any) => state.user?.name === 'Viewer');
    await vi.waitFor(() => expect(viewerState()).toEqual({ watching: true, user: { name: 'Viewer', color: '#00f', colorLight: '#00f3' } }));
    expect(await fetchRoomCode(server.baseUrl, room.roomId)).toBe('start\ntyped by the editor\nmore\n');
  });

  it('are read-only on /yjs/:viewId too', async () => {
    const room = await createRoom({ code: 'yjs\n' });
    const editor = connectYjsClient(server.wsUrl, room.roomId);
    const viewer = connectYjsClient(server.wsUrl, room.viewId);
    clients.push(editor, viewer);
    await Promise.all([editor.synced, viewer.synced]);
    expect(viewer.text.toString()).toBe('yjs\n');
    viewer.text.insert(0, 'nope ');
    viewer.provider.awareness.setLocalState({ user: { name: 'Viewer', color: 12, extra: 'x' }, cursor: { anchor: 1, head: 2 }, file: 'code' });
    editor.text.insert(editor.text.length, 'yes\n');
    await vi.waitFor(() => expect(viewer.text.toString()).toContain('yes\n'));
    expect(editor.text.toString()).toBe('yjs\nyes\n');
    // The editor learns that someone watches, and the name given, never a cursor (issue 14, item 7).
    await vi.waitFor(() => expect([...editor.provider.awareness.getStates().values()]).toContainEqual({ watching: true, user: { name: 'Viewer' } }));
    expect(await fetchRoomCode(server.baseUrl, room.roomId)).toBe('yjs\nyes\n');
  });

  it('never turn into a document of their own, and unknown ids are still refused', async () => {
    const room = await createRoom();
    const viewer = connectClient(server.wsUrl, room.viewId);
    clients.push(viewer);
    await viewer.synced;
    const { hocuspocus } = server.pairpad.collab;
    expect([...hocuspocus.documents.keys()]).toEqual([room.roomId]);
    const reasons: string[] = [];
    clients.push(connectClient(server.wsUrl, 'BBBBBBBBBBBBBBBBBBBBBB', { onAuthenticationFailed: (reason) => reasons.push(reason) }));
    await vi.waitFor(() => expect(reasons).toEqual(['room not found']));
  });
});
