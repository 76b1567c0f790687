import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, startTestApp, type TestApp } from './support/app.ts';
import { joinRoom, launchBrowser, newPerson, placeCursorAtLineEnd, type Person } from './support/browser.ts';

// Display names travel to every peer through awareness; they must be shown
// as text everywhere (presence bar, cursor label, toasts), never parsed.
const HOSTILE = '<img src=x onerror=alert(1)>';
const eventually = { timeout: 15_000, interval: 50 };

let app: TestApp;
let browser: Browser;
let dana: Person;
let mallory: Person;

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  const { roomId } = await createRoom(app.baseUrl, { code: 'print("hi")\n' });
  const url = `${app.baseUrl}/r/${roomId}`;
  [dana, mallory] = await Promise.all([newPerson(browser), newPerson(browser)]);
  await joinRoom(dana, url, 'Dana');
  // Wait until Dana's page announces arrivals, so the join toast is shown too.
  await dana.page.locator('.presence-bar[data-announcing="true"]').waitFor();
  await joinRoom(mallory, url, HOSTILE);
  await placeCursorAtLineEnd(mallory.page, 1);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('a hostile display name', () => {
  it('renders literally in the presence bar of both people', async () => {
    await expect.poll(() => dana.page.locator('.presence-name').allTextContents(), eventually).toEqual(['Dana', HOSTILE]);
    expect(await mallory.page.locator('.presence-name').allTextContents()).toEqual([HOSTILE, 'Dana']);
    expect(await mallory.page.locator('.name-button').textContent()).toBe(HOSTILE);
  });

  it('renders literally on the remote cursor label', async () => {
    await expect.poll(() => dana.page.locator('.cm-remoteCaretLabel').allTextContents(), eventually).toEqual([HOSTILE]);
  });

  it('renders literally in the join announcement', async () => {
    await expect.poll(() => dana.page.locator('.toast').allTextContents(), eventually).toContain(`${HOSTILE} joined`);
  });

  it('never becomes an element and never runs', async () => {
    for (const person of [dana, mallory]) {
      // (CodeMirror puts empty `img.cm-widgetBuffer` elements around widgets.)
      expect(await person.page.locator('img:not(.cm-widgetBuffer)').count()).toBe(0);
      expect(await person.page.locator('img[src="x"]').count()).toBe(0);
      expect(await person.page.locator('[onerror]').count()).toBe(0);
      expect(person.dialogs).toEqual([]);
      expect(person.errors).toEqual([]);
    }
  });
});
