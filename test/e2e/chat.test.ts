import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, startTestApp, type TestApp } from './support/app.ts';
import { joinRoom, launchBrowser, newPerson, type Person } from './support/browser.ts';

// Chat (issue 18): two people and a viewer talk; hostile text stays text;
// links are clickable only when http(s); an unread badge while the panel is
// closed. A screenshot of the panel goes to test-results/.
const HOSTILE = '<img src=x onerror=alert(1)> javascript:alert(1) <a href="javascript:alert(2)">click</a>';
const eventually = { timeout: 15_000, interval: 50 };

let app: TestApp;
let browser: Browser;
let dana: Person;
let mallory: Person;
let viewer: Person;
let roomId: string;

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  mkdirSync('test-results', { recursive: true });
  let viewId: string;
  ({ roomId, viewId } = await createRoom(app.baseUrl, { language: 'python', code: 'print("hi")\n', title: 'Chat room' }));
  [dana, mallory, viewer] = await Promise.all([newPerson(browser), newPerson(browser), newPerson(browser)]);
  await joinRoom(dana, `${app.baseUrl}/r/${roomId}`, 'Dana');
  await joinRoom(mallory, `${app.baseUrl}/r/${roomId}`, 'Mallory');
  await joinRoom(viewer, `${app.baseUrl}/v/${viewId}`, 'Vic');
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function send(person: Person, text: string) {
  const input = person.page.getByLabel('Message', { exact: true });
  await input.fill(text);
  await input.press('Enter');
}

const texts = (person: Person) => person.page.locator('.chat-message .chat-text').allTextContents();

describe('the chat panel', () => {
  it('opens from the header and shows the 2,000-character limit', async () => {
    await dana.page.locator('.chat-toggle').click();
    await dana.page.locator('.chat-panel').waitFor();
    expect(await dana.page.locator('.chat-counter').textContent()).toBe('0 / 2000');
    expect(await dana.page.getByLabel('Message', { exact: true }).getAttribute('maxlength')).toBe('2000');
    expect(await dana.page.locator('.chat-empty').isVisible()).toBe(true);
  });

  it('sends on Enter, with a clickable link; the other person gets an unread badge until they open it', async () => {
    await send(dana, 'Hello! See https://example.com/docs?a=1.');
    expect(await dana.page.getByLabel('Message', { exact: true }).inputValue()).toBe('');
    await expect.poll(() => mallory.page.locator('.chat-badge').textContent(), eventually).toBe('1');
    expect(await mallory.page.locator('.chat-badge').isVisible()).toBe(true);
    await send(dana, 'Second line');
    await expect.poll(() => mallory.page.locator('.chat-badge').textContent(), eventually).toBe('2');
    expect(await mallory.page.locator('.chat-toggle').getAttribute('aria-label')).toBe('Chat, 2 unread');
    await mallory.page.locator('.topbar').screenshot({ path: 'test-results/chat-badge.png' });
    await mallory.page.locator('.chat-toggle').click();
    expect(await mallory.page.locator('.chat-badge').isVisible()).toBe(false);
    await expect.poll(() => texts(mallory), eventually).toEqual(['Hello! See https://example.com/docs?a=1.', 'Second line']);
    expect(await mallory.page.locator('.chat-message .chat-author').first().textContent()).toBe('Dana');
    const link = mallory.page.locator('.chat-link');
    expect(await link.count()).toBe(1);
    expect(await link.getAttribute('href')).toBe('https://example.com/docs?a=1');
    expect(await link.getAttribute('rel')).toContain('noopener');
    expect(await mallory.page.locator('.chat-time').first().textContent()).toMatch(/\d/);
  });

  it('shows hostile text as text: no element, no javascript: link, nothing runs', async () => {
    await send(mallory, HOSTILE);
    await expect.poll(() => texts(dana), eventually).toContain(HOSTILE);
    for (const person of [dana, mallory]) {
      expect(await texts(person)).toContain(HOSTILE);
      expect(await person.page.locator('.chat-panel img').count()).toBe(0);
      expect(await person.page.locator('img[src="x"]').count()).toBe(0);
      expect(await person.page.locator('[onerror]').count()).toBe(0);
      expect(await person.page.locator('a[href^="javascript:" i]').count()).toBe(0);
      expect(await person.page.locator('.chat-link').count()).toBe(1);
      expect(person.dialogs).toEqual([]);
      expect(person.errors).toEqual([]);
    }
  });

  it('lets a viewer read and write', async () => {
    await viewer.page.locator('.chat-toggle').click();
    await expect.poll(() => texts(viewer), eventually).toEqual(['Hello! See https://example.com/docs?a=1.', 'Second line', HOSTILE]);
    await send(viewer, 'A question from the gallery');
    await expect.poll(() => texts(dana), eventually).toContain('A question from the gallery');
    const last = dana.page.locator('.chat-message').last();
    expect(await last.locator('.chat-author').textContent()).toBe('Vic');
    // Still a viewer: the editor does not take typing.
    expect(await viewer.page.locator('.cm-content').getAttribute('contenteditable')).toBe('false');
    await dana.page.locator('.chat-panel').screenshot({ path: 'test-results/chat-panel.png' });
    await dana.page.screenshot({ path: 'test-results/chat-room.png' });
  });

  it('disables the box in a locked room (only the owner may chat) and enables it again', async () => {
    const meta = () => app.server.pairpad.collab.hocuspocus.documents.get(roomId)!.getMap('meta');
    // As the owner controls will: a server-side change of meta.locked.
    meta().set('locked', true);
    const input = dana.page.getByLabel('Message', { exact: true });
    await expect.poll(() => input.isDisabled(), eventually).toBe(true);
    expect(await input.getAttribute('placeholder')).toContain('locked');
    await expect.poll(() => viewer.page.getByLabel('Message', { exact: true }).isDisabled(), eventually).toBe(true);
    meta().delete('locked');
    await expect.poll(() => input.isDisabled(), eventually).toBe(false);
  });

  it('opens over the editor on a phone, within the screen', async () => {
    const phone = await newPerson(browser, { viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true });
    await joinRoom(phone, dana.page.url(), 'Pat');
    await phone.page.locator('.chat-toggle').click();
    await expect.poll(() => texts(phone), eventually).toHaveLength(4);
    const panel = await phone.page.locator('.chat-panel').boundingBox();
    expect(panel!.x).toBeGreaterThanOrEqual(0);
    expect(panel!.x + panel!.width).toBeLessThanOrEqual(375);
    expect(await phone.page.getByLabel('Message', { exact: true }).isVisible()).toBe(true);
    await phone.page.screenshot({ path: 'test-results/chat-phone.png' });
    await phone.context.close();
  });
});
