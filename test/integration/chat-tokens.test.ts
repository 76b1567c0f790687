import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CODE_TEXT } from '../../shared/protocol.ts';
import { appendChatMessage, readChatMessages } from '../../shared/room-chat.ts';
import { connectClient, connectYjsClient, type TestClient, type YjsTestClient } from '../support/providers.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** Chat with tokens required: a `view` token may append messages (on /collab and /yjs) and still not edit. */

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const mint = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10m').sign(new TextEncoder().encode(SECRET));

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { AUTH_JWT_SECRET: SECRET } });
});
afterAll(() => server.close());
const clients: (TestClient | YjsTestClient)[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.destroy()));

describe('chat with tokens on', () => {
  it('takes messages from view tokens on both protocols, never their edits', async () => {
    const response = await fetch(`${server.baseUrl}/api/rooms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await mint({ room: '*', role: 'create' })}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'guarded\n' }),
    });
    const { roomId } = (await response.json()) as { roomId: string };
    const view = await mint({ room: roomId, role: 'view' });
    const editor = connectClient(server.wsUrl, roomId, { token: await mint({ room: roomId, role: 'edit' }) });
    const viewer = connectClient(server.wsUrl, roomId, { token: view });
    const stockViewer = connectYjsClient(server.wsUrl, roomId, { token: view });
    clients.push(editor, viewer, stockViewer);
    await Promise.all([editor.synced, viewer.synced, stockViewer.synced]);
    appendChatMessage(viewer.doc, { name: 'Viewer', color: '#0969da', text: 'collab viewer' });
    appendChatMessage(stockViewer.doc, { name: 'Stock', color: '#0969da', text: 'yjs viewer' });
    viewer.text.insert(0, 'nope ');
    stockViewer.doc.getText(CODE_TEXT).insert(0, 'nope ');
    appendChatMessage(editor.doc, { name: 'Editor', color: '#0969da', text: 'editor' });
    await vi.waitFor(() => expect(readChatMessages(editor.doc).map((message) => message.text).sort()).toEqual(['collab viewer', 'editor', 'yjs viewer']));
    await vi.waitFor(() => expect(readChatMessages(stockViewer.doc)).toHaveLength(3));
    expect(editor.text.toString()).toBe('guarded\n');
    expect(server.pairpad.collab.hocuspocus.documents.get(roomId)!.getText(CODE_TEXT).toString()).toBe('guarded\n');
  });
});
