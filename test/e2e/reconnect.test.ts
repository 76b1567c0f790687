import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const status = (person: Person) => () => person.page.locator('.connection-status').getAttribute('data-state');
const pending = (person: Person) => () => person.page.locator('.connection-status').getAttribute('data-pending');

describe('losing the connection', () => {
  it('shows reconnecting and offline, keeps local edits, and merges them when the connection returns', async () => {
    await proxy.cut();
    await expect.poll(status(bob), eventually).toBe('reconnecting');
    await bob.context.setOffline(true);
    await expect.poll(status(bob), eventually).toBe('offline');
    expect(await bob.page.locator('.connection-status .status-label').textContent()).toBe('Offline');

    await placeCursorAtLineEnd(bob.page, 1);
    await bob.page.keyboard.type(' (bob, offline)');
    await expect.poll(pending(bob), eventually).toBe('true');
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
