import * as encoding from 'lib0/encoding';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { encodeRawUpdate } from '../support/crafted-updates.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { createRoom, fetchRoom, startTestApp, type TestApp } from './support/app.ts';
import { joinRoom, launchBrowser, newPerson, placeCursorAtLineEnd, readEditorText, type Person } from './support/browser.ts';

// Bob reaches the server through a TCP proxy the test can cut, as a flaky
// network would; Ada is connected directly and keeps editing meanwhile.
const eventually = { timeout: 30_000, interval: 50 };

let app: TestApp;
let browser: Browser;
let proxy: TcpProxy;
let ada: Person;
let bob: Person;
let roomId: string;

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  const port = Number(new URL(app.baseUrl).port);
  proxy = await startTcpProxy({ host: '127.0.0.1', port });
  ({ roomId } = await createRoom(app.baseUrl, { code: 'line one\nline two\nline three\n', language: 'plaintext' }));
  [ada, bob] = await Promise.all([newPerson(browser), newPerson(browser)]);
  await joinRoom(ada, `${app.baseUrl}/r/${roomId}`, 'Ada');
  await joinRoom(bob, `http://127.0.0.1:${proxy.port}/r/${roomId}`, 'Bob');
});

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await app?.close();
});

/**
 * Writes a GC of a million clocks under `client` at its clock in the room,
 * from a raw `/yjs` socket, as an attacker who read the id from the cursors
 * would; resolves with the close code (4400: refused).
 */
async function attackClientId(client: number): Promise<number> {
  const room = app.server.pairpad.collab.hocuspocus.documents.get(roomId)!;
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0); // sync
  encoding.writeVarUint(encoder, 2); // update
  encoding.writeVarUint8Array(encoder, encodeRawUpdate([{ client, clock: Y.getState(room.store, client), structs: [{ kind: 'gc', length: 1_000_000 }] }]));
  const socket = new WebSocket(`${app.server.wsUrl}/yjs/${roomId}`);
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () => socket.send(encoding.toUint8Array(encoder)));
    socket.once('close', (code) => resolve(code));
  });
}

const status = (person: Person) => () => person.page.locator('.connection-status').getAttribute('data-state');
const pending = (person: Person) => () => person.page.locator('.connection-status').getAttribute('data-pending');

describe('losing the connection', () => {
  it('shows reconnecting and offline, keeps local edits, and merges them when the connection returns', async () => {
    const room = app.server.pairpad.collab.hocuspocus.documents.get(roomId)!;
    const bobId = [...room.awareness.getStates()].find(([, state]) => state.user?.name === 'Bob')?.[0];
    expect(bobId).toBeDefined();
    // The page sends a client key: Bob's id is bound to it before he typed anything.
    await expect.poll(async () => (await app.server.pairpad.store.findClientKeys(roomId, [bobId!])).size, eventually).toBe(1);
    await proxy.cut();
    await expect.poll(status(bob), eventually).toBe('reconnecting');
    await bob.context.setOffline(true);
    await expect.poll(status(bob), eventually).toBe('offline');
    expect(await bob.page.locator('.connection-status .status-label').textContent()).toBe('Offline');

    await placeCursorAtLineEnd(bob.page, 1);
    await bob.page.keyboard.type(' (bob, offline)');
    await expect.poll(pending(bob), eventually).toBe('true');
    // While he is away, nobody can take his client id (which would drop his offline edit as already seen).
    expect(await attackClientId(bobId!)).toBe(4400);
    await placeCursorAtLineEnd(ada.page, 3);
    await ada.page.keyboard.type(' (ada, online)');
    await expect.poll(() => fetchRoom(app.baseUrl, roomId).then((room) => room.code), eventually).toBe(
      'line one\nline two\nline three (ada, online)\n',
    );
    // Ada sees Bob leave once the server notices; his edit has not reached anyone.
    expect(await readEditorText(ada.page)).not.toContain('bob, offline');

    await bob.context.setOffline(false);
    await proxy.restore();
    await expect.poll(status(bob), eventually).toBe('connected');
    await expect.poll(pending(bob), eventually).toBe('false');
    const merged = 'line one (bob, offline)\nline two\nline three (ada, online)\n';
    await expect.poll(() => readEditorText(bob.page), eventually).toBe(merged);
    await expect.poll(() => readEditorText(ada.page), eventually).toBe(merged);
    await expect.poll(() => fetchRoom(app.baseUrl, roomId).then((room) => room.code), eventually).toBe(merged);
    await expect.poll(() => ada.page.locator('.presence-name').allTextContents(), eventually).toEqual(['Ada', 'Bob']);
  });

  it('raised no page errors and no dialogs', () => {
    for (const person of [ada, bob]) {
      expect(person.errors).toEqual([]);
      expect(person.dialogs).toEqual([]);
    }
  });
});
