import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, fetchRoom, startTestApp, type TestApp } from './support/app.ts';
import { joinRoom, launchBrowser, newPerson, placeCursorAtLineEnd, type Person } from './support/browser.ts';

// Default limits: MAX_MESSAGE_BYTES 1 MiB. A paste just over it used to leave
// the tab "Reconnecting…" for good, each reconnect refused again, while it
// still received the others' edits.
const eventually = { timeout: 30_000, interval: 100 };
const OVER_ONE_MESSAGE = 'x'.repeat(1024 * 1024 + 4096);

let app: TestApp;
let browser: Browser;
const people: Person[] = [];

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** Pastes `text` into the editor as the clipboard would. A string so that it runs in the page without DOM types here. */
function paste(page: Page, text: string): Promise<void> {
  return page.evaluate(`(() => {
    const data = new DataTransfer();
    data.setData('text/plain', ${JSON.stringify(text)});
    document.querySelector('.cm-content').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  })()`);
}

const state = (page: Page) => () => page.locator('.connection-status').getAttribute('data-state');
const toasts = (page: Page) => () => page.locator('#toasts').textContent();

describe('the size of a change in the web editor', () => {
  it('refuses a paste larger than one message with a clear message, and the tab stays connected and in the room', async () => {
    const { roomId } = await createRoom(app.baseUrl, { code: 'small\n', language: 'plaintext' });
    const ada = await newPerson(browser);
    people.push(ada);
    await joinRoom(ada, `${app.baseUrl}/r/${roomId}`, 'Ada');
    await placeCursorAtLineEnd(ada.page, 1);
    await paste(ada.page, OVER_ONE_MESSAGE);
    await expect.poll(toasts(ada.page), eventually).toContain('too large to send in one piece');
    // Nothing of it was applied, and the next edit reaches the room as usual.
    await ada.page.keyboard.type(' ok');
    await expect.poll(() => fetchRoom(app.baseUrl, roomId).then((room) => room.code), eventually).toBe('small ok\n');
    expect(await state(ada.page)()).toBe('connected');
    expect(ada.errors).toEqual([]);
  });

  it('shows a permanent refusal as an error, not "Reconnecting…" for ever (a client that did not know the limits)', async () => {
    const { roomId } = await createRoom(app.baseUrl, { code: 'small\n', language: 'plaintext' });
    const bob = await newPerson(browser);
    people.push(bob);
    // As if the limits were unknown to the page: the paste goes out and the server refuses it (1009).
    await bob.page.route('**/api/limits', (route) => route.fulfill({ json: { maxDocumentBytes: 1e9, maxMessageBytes: 1e9 } }));
    await joinRoom(bob, `${app.baseUrl}/r/${roomId}`, 'Bob');
    await placeCursorAtLineEnd(bob.page, 1);
    await paste(bob.page, OVER_ONE_MESSAGE);
    await expect.poll(state(bob.page), eventually).toBe('failed');
    expect(await bob.page.locator('.connection-status .status-label').textContent()).toBe('Disconnected');
    expect(await bob.page.locator('.connection-status').getAttribute('title')).toContain('larger than it accepts');
    expect(await fetchRoom(app.baseUrl, roomId).then((room) => room.code)).toBe('small\n');
  });
});
