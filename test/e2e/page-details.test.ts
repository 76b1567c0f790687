import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, startTestApp, type TestApp } from './support/app.ts';
import { joinRoom, launchBrowser, newPerson, type Person } from './support/browser.ts';

// Issue 14, item 9: unknown pages, the search panel, Ctrl+S and the name
// prompt's background. Screenshots go to test-results/ for a look.
const eventually = { timeout: 15_000, interval: 50 };

let app: TestApp;
let browser: Browser;
const people: Person[] = [];

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  mkdirSync('test-results', { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function person(): Promise<Person> {
  const created = await newPerson(browser);
  people.push(created);
  return created;
}

describe('unknown addresses', () => {
  it.each(['/nonsense', '/r/', '/r', '/v/', '/r/abc/def'])('%s is an HTML page saying so, with a 404', async (path) => {
    const { page } = await person();
    const response = await page.goto(`${app.baseUrl}${path}`);
    expect(response?.status()).toBe(404);
    expect(response?.headers()['content-type']).toMatch(/text\/html/);
    await expect.poll(() => page.locator('h1').textContent(), eventually).toBe('This room does not exist');
    expect(await page.getByRole('link', { name: '← Back to the lobby' }).count()).toBe(1);
  });

  it('keeps JSON errors for the API and for programs', async () => {
    for (const [path, accept] of [
      ['/api/nonsense', 'text/html'],
      ['/api', 'text/html'],
      ['/nonsense', 'application/json'],
      ['/nonsense', '*/*'],
    ]) {
      const response = await fetch(`${app.baseUrl}${path}`, { headers: { accept } });
      expect(response.status, `${path} ${accept}`).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });
});

describe('the room page', () => {
  it('shows the outline of the room behind the first-visit name prompt', async () => {
    const { roomId } = await createRoom(app.baseUrl, { title: 'Kata night' });
    const { page } = await person();
    await page.goto(`${app.baseUrl}/r/${roomId}`);
    await page.getByLabel('Display name').waitFor();
    expect(await page.locator('.room-skeleton .room-skeleton-title').textContent()).toBe('Kata night');
    expect(await page.locator('.room-skeleton-line').count()).toBeGreaterThan(5);
    await page.screenshot({ path: 'test-results/name-prompt.png' });
  });

  it('shows the outline from the first paint while the room loads, for a returning visitor too', async () => {
    const { roomId } = await createRoom(app.baseUrl, { title: 'Slow start', code: 'x = 1\n' });
    const ada = await person();
    await ada.context.addInitScript("localStorage.setItem('pairpad.name', 'Ada')");
    // Hold the room's details back: the page has loaded and waits for them.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await ada.page.route(`**/api/rooms/${roomId}`, async (route) => {
      await held;
      await route.continue();
    });
    await ada.page.goto(`${app.baseUrl}/r/${roomId}`);
    await ada.page.locator('.room-skeleton').waitFor();
    expect(await ada.page.locator('.room-skeleton-line').count()).toBeGreaterThan(5);
    // The title is not known yet: none rather than a wrong one.
    expect(await ada.page.locator('.room-skeleton-title').textContent()).toBe('');
    release();
    await ada.page.locator('.connection-status[data-state="connected"]').waitFor();
    expect(await ada.page.locator('.room-skeleton').count()).toBe(0);
  });

  it('answers Ctrl+S with a toast that everything is saved, not the browser save dialog', async () => {
    const { roomId } = await createRoom(app.baseUrl, { code: 'x = 1\n' });
    const ada = await person();
    await joinRoom(ada, `${app.baseUrl}/r/${roomId}`, 'Ada');
    await ada.page.locator('.cm-content').click();
    await ada.page.keyboard.type('y');
    await expect.poll(() => ada.page.locator('.connection-status').getAttribute('data-pending'), eventually).toBe('false');
    // The listener must be in place before the key is pressed (an evaluate left running can land after it).
    await ada.page.evaluate(`void (window.savePrevented = new Promise((resolve) => window.addEventListener('keydown', (e) => { if (e.key === 's') resolve(e.defaultPrevented); })))`);
    await ada.page.keyboard.press('Control+s');
    expect(await ada.page.evaluate<boolean>('window.savePrevented')).toBe(true);
    await expect.poll(() => ada.page.locator('.toast').allTextContents(), eventually).toContain('Everything is saved: every edit is stored as you type');
    // Outside the editor too.
    await ada.page.locator('.presence-bar').click();
    await ada.page.keyboard.press('Control+s');
    await expect.poll(() => ada.page.locator('.toast').count(), eventually).toBe(2);
  });

  it('styles the find panel like the rest of the app', async () => {
    const { roomId } = await createRoom(app.baseUrl, { code: 'alpha\nbeta\nalpha\n' });
    const ada = await person();
    await joinRoom(ada, `${app.baseUrl}/r/${roomId}`, 'Ada');
    await ada.page.locator('.cm-content').click();
    await ada.page.keyboard.press('Control+f');
    const next = ada.page.locator('.cm-search button[name="next"]');
    await next.waitFor();
    const box = await next.boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(32);
    const field = await ada.page.locator('.cm-search .cm-textfield').first().boundingBox();
    expect(field!.height).toBeGreaterThanOrEqual(32);
    // The editor's own panel theme (80% labels, a bare close glyph at the corner) does not win.
    const labelSize = await ada.page.locator('.cm-search label').first().evaluate((label) => label.ownerDocument.defaultView!.getComputedStyle(label).fontSize);
    expect(labelSize).toBe('13px');
    const close = ada.page.locator('.cm-search button[name="close"]');
    expect((await close.boundingBox())!.height).toBeGreaterThanOrEqual(32);
    await ada.page.screenshot({ path: 'test-results/search-panel.png' });
    // On a phone the find field takes the row, and the close button stays beside it, not on it.
    await ada.page.setViewportSize({ width: 375, height: 667 });
    await expect.poll(async () => (await ada.page.locator('.cm-search .cm-textfield').first().boundingBox())!.width, eventually).toBeGreaterThan(250);
    const phoneField = (await ada.page.locator('.cm-search .cm-textfield').first().boundingBox())!;
    const phoneClose = (await close.boundingBox())!;
    expect(phoneClose.x).toBeGreaterThanOrEqual(phoneField.x + phoneField.width);
    expect(phoneClose.x + phoneClose.width).toBeLessThanOrEqual(375);
    await ada.page.screenshot({ path: 'test-results/search-panel-phone.png' });
  });

  it('raised no page errors and no dialogs', () => {
    for (const one of people) {
      expect(one.errors).toEqual([]);
      expect(one.dialogs).toEqual([]);
    }
  });
});
