import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';
import { joinRoom, launchBrowser, newPerson, type Person } from './support/browser.ts';

// Issue 14, items 8 (a phone, keyboard open) and 7 (the view page's find
// and footer). Screenshots go to test-results/.
const eventually = { timeout: 15_000, interval: 50 };
const LONG_LINE = `x = "${'long line '.repeat(12)}"`;

let app: TestApp;
let browser: Browser;
let roomId: string;
let viewId: string;
const people: Person[] = [];

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  mkdirSync('test-results', { recursive: true });
  const response = await fetch(`${app.baseUrl}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ language: 'python', code: `${LONG_LINE}\nprint(x)\n` }),
  });
  ({ roomId, viewId } = (await response.json()) as { roomId: string; viewId: string });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** Names in the presence bar cut short by an ellipsis (their text wider than their box). */
function truncatedNames(person: Person): Promise<string[]> {
  return person.page.locator('.presence-name').evaluateAll((names) => names.filter((name) => name.scrollWidth > name.clientWidth).map((name) => name.textContent ?? ''));
}

describe('a phone with its keyboard open (375 × 360)', () => {
  it('gives the code the height, wraps long lines and lists no Ctrl shortcuts', async () => {
    const phone = await newPerson(browser, { viewport: { width: 375, height: 360 }, hasTouch: true, isMobile: true });
    people.push(phone);
    // The status pill steps aside with the toolbar here: wait for it in the DOM.
    await phone.page.goto(`${app.baseUrl}/r/${roomId}`);
    await phone.page.getByLabel('Display name').fill('Pat');
    await phone.page.getByRole('button', { name: 'Continue' }).click();
    await phone.page.locator('.connection-status[data-state="connected"]').waitFor({ state: 'attached' });
    await phone.page.locator('.cm-line').first().waitFor();
    const header = await phone.page.locator('.topbar').boundingBox();
    const editor = await phone.page.locator('.editor-main').boundingBox();
    console.log(`phone 375x360: header ${header!.height} px, editor ${editor!.height} px`);
    expect(header!.height).toBeLessThanOrEqual(60);
    expect(editor!.height).toBeGreaterThanOrEqual(250);
    expect(await phone.page.locator('.cm-content').getAttribute('class')).toContain('cm-lineWrapping');
    // The long first line takes several rows instead of running off the screen.
    const firstLine = await phone.page.locator('.cm-line').first().boundingBox();
    expect(firstLine!.width).toBeLessThanOrEqual(375);
    expect(await phone.page.locator('.shortcut-list').isVisible()).toBe(false);
    await phone.page.screenshot({ path: 'test-results/phone-keyboard-open.png' });
  });

  it('lists no Ctrl shortcuts on a touch screen with the keyboard closed either', async () => {
    const phone = await newPerson(browser, { viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true });
    people.push(phone);
    await joinRoom(phone, `${app.baseUrl}/r/${roomId}`, 'Pat');
    expect(await phone.page.locator('.shortcut-toggle').isVisible()).toBe(false);
    expect(await phone.page.locator('.shortcut-list').isVisible()).toBe(false);
    expect(await phone.page.locator('.toolbar').isVisible()).toBe(true);
    // Nor does the run panel name Ctrl+Enter.
    expect(await phone.page.locator('.run-status').textContent()).toBe('Tap Run to run the program');
  });

  it('keeps long lines unwrapped on a wide screen', async () => {
    const desk = await newPerson(browser);
    people.push(desk);
    await joinRoom(desk, `${app.baseUrl}/r/${roomId}`, 'Dee');
    expect(await desk.page.locator('.cm-content').getAttribute('class')).not.toContain('cm-lineWrapping');
    expect(await desk.page.locator('.run-status').textContent()).toBe('Run the program with Ctrl+Enter');
  });
});

describe('the view page', () => {
  it('opens find with Ctrl+F and lists only the find shortcut', async () => {
    const viewer = await newPerson(browser);
    people.push(viewer);
    await joinRoom(viewer, `${app.baseUrl}/v/${viewId}`, 'Vic');
    await viewer.page.locator('.presence-bar').click();
    await viewer.page.keyboard.press('Control+f');
    await viewer.page.locator('.cm-search').waitFor();
    // Typed (the panel reads its query on key up).
    await viewer.page.keyboard.type('print');
    await viewer.page.screenshot({ path: 'test-results/view-find.png' });
    expect(await viewer.page.locator('.shortcut').allTextContents()).toEqual(['Ctrl+F find / replace']);
    // Everyone's name is whole in the presence bar: a chip that runs out of room drops the file first ("Vic" showed as "V…").
    expect(await viewer.page.locator('.presence-self .presence-name').textContent()).toBe('Vic');
    expect(await truncatedNames(viewer)).toEqual([]);
    // The matches are marked in the read-only text.
    await expect.poll(() => viewer.page.locator('.cm-searchMatch').count(), eventually).toBeGreaterThan(0);
  });

  it('asks watchers for a name without requiring one, and shows editors who watches', async () => {
    const { roomId: watchedRoom, viewId: watchedView } = (await (
      await fetch(`${app.baseUrl}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'watched\n' }) })
    ).json()) as { roomId: string; viewId: string };
    const editor = await newPerson(browser);
    people.push(editor);
    await joinRoom(editor, `${app.baseUrl}/r/${watchedRoom}`, 'Ed');
    expect(await editor.page.locator('.presence-count').textContent()).toBe('Only you');

    const quiet = await newPerson(browser);
    people.push(quiet);
    await quiet.page.goto(`${app.baseUrl}/v/${watchedView}`);
    expect(await quiet.page.locator('.dialog-text').textContent()).toContain('see that someone is watching');
    await quiet.page.getByRole('button', { name: 'Watch without a name' }).click();
    await quiet.page.locator('.connection-status[data-state="connected"]').waitFor();
    // No made-up guest name in the header: nobody sees one; the button offers to give a name.
    expect(await quiet.page.locator('.name-button').textContent()).toBe('Add your name');
    await expect.poll(() => editor.page.locator('.presence-count').textContent(), eventually).toBe('1 here · 1 watching');
    // An anonymous watcher is counted, not listed.
    expect(await editor.page.locator('.presence-name').allTextContents()).toEqual(['Ed']);

    const named = await newPerson(browser);
    people.push(named);
    await joinRoom(named, `${app.baseUrl}/v/${watchedView}`, 'Vic');
    await expect.poll(() => editor.page.locator('.presence-count').textContent(), eventually).toBe('1 here · 2 watching');
    expect(await editor.page.locator('.presence-watcher .presence-name').allTextContents()).toEqual(['Vic']);
    expect(await named.page.locator('.presence-count').textContent()).toBe('1 here · 2 watching');
    // Watchers have no cursor in the editors' view.
    await named.page.locator('.cm-content').click();
    expect(await editor.page.locator('.cm-remoteCaret').count()).toBe(0);
    await editor.page.screenshot({ path: 'test-results/editor-sees-watchers.png' });

    // The quiet watcher gives a name later: the editors see who it is.
    await quiet.page.locator('.name-button').click();
    await quiet.page.getByLabel('Display name').fill('Quinn');
    await quiet.page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => editor.page.locator('.presence-watcher .presence-name').allTextContents().then((names) => names.sort()), eventually).toEqual(['Quinn', 'Vic']);
    expect(await editor.page.locator('.presence-count').textContent()).toBe('1 here · 2 watching');
    expect(await quiet.page.locator('.name-button').textContent()).toBe('Quinn');
  });

  it('raised no page errors', () => {
    for (const person of people) expect(person.errors).toEqual([]);
  });
});
