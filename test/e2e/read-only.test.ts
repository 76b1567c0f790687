import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchRoom, startTestApp, type TestApp } from './support/app.ts';
import { joinRoom, launchBrowser, newPerson, placeCursorAtLineEnd, readEditorText, type Person } from './support/browser.ts';

// A view link (`/v/:viewId`) shows the room live but can never change it.
const eventually = { timeout: 15_000, interval: 50 };

let app: TestApp;
let browser: Browser;
let ada: Person;
let vic: Person;
let roomId: string;
let viewId: string;

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  const response = await fetch(`${app.baseUrl}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: 'print("watch me")\n', title: 'Live demo' }),
  });
  ({ roomId, viewId } = (await response.json()) as { roomId: string; viewId: string });
  [ada, vic] = await Promise.all([newPerson(browser), newPerson(browser)]);
  await joinRoom(ada, `${app.baseUrl}/r/${roomId}`, 'Ada');
  await joinRoom(vic, `${app.baseUrl}/v/${viewId}`, 'Vic');
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('a read-only link', () => {
  it('shows a read-only badge and only the read-only link to share', async () => {
    expect(await vic.page.locator('.badge-readonly').textContent()).toBe('Read-only');
    expect(await vic.page.locator('.language-select').isDisabled()).toBe(true);
    expect(await vic.page.locator('.room-title').inputValue()).toBe('Live demo');
    expect(await vic.page.locator('.copy-link').count()).toBe(0);
    expect(await vic.page.locator('.copy-view-link').count()).toBe(1);
    expect(await ada.page.locator('.copy-link').count()).toBe(1);
    expect(await ada.page.locator('.badge-readonly').count()).toBe(0);
  });

  it('follows the edits live', async () => {
    await placeCursorAtLineEnd(ada.page, 1);
    await ada.page.keyboard.type('  # live');
    await expect.poll(() => readEditorText(vic.page), eventually).toBe('print("watch me")  # live\n');
  });

  it('cannot change the code', async () => {
    await vic.page.locator('.cm-content .cm-line').first().click();
    await vic.page.keyboard.type('hacked');
    await vic.page.keyboard.press('Enter');
    expect(await readEditorText(vic.page)).toBe('print("watch me")  # live\n');
    expect((await fetchRoom(app.baseUrl, roomId)).code).toBe('print("watch me")  # live\n');
    expect(await readEditorText(ada.page)).toBe('print("watch me")  # live\n');
  });

  it('does not list the room among the viewer’s recent rooms', async () => {
    await vic.page.goto(app.baseUrl);
    expect(await vic.page.locator('.recent-room').count()).toBe(0);
  });
});
