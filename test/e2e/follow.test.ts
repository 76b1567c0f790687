import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, startTestApp, type TestApp } from './support/app.ts';
import { joinRoom, launchBrowser, newPerson, type Person } from './support/browser.ts';

// Follow mode (issue 18): Bob clicks Dana in the presence bar; his view
// goes where her cursor goes, in a long file and across files, until he
// types; Dana sees that he follows her; an arrow at the editor's edge
// points to her cursor when it is out of sight.
const eventually = { timeout: 15_000, interval: 50 };
const LONG = Array.from({ length: 300 }, (_, i) => `line_${i + 1} = ${i + 1}`).join('\n') + '\n';
const OTHER = Array.from({ length: 200 }, (_, i) => `other_${i + 1} = ${i + 1}`).join('\n') + '\n';

let app: TestApp;
let browser: Browser;
let dana: Person;
let bob: Person;
let viewUrl: string;

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  mkdirSync('test-results', { recursive: true });
  const { roomId, viewId } = await createRoom(app.baseUrl, { files: [{ path: 'main.py', content: LONG }, { path: 'other.py', content: OTHER }] });
  viewUrl = `${app.baseUrl}/v/${viewId}`;
  [dana, bob] = await Promise.all([newPerson(browser), newPerson(browser)]);
  await joinRoom(dana, `${app.baseUrl}/r/${roomId}`, 'Dana');
  await joinRoom(bob, `${app.baseUrl}/r/${roomId}`, 'Bob');
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const peerItem = (page: Page, name: string) => page.locator('.presence-peer', { has: page.locator('.presence-name', { hasText: name }) });
const treeItem = (page: Page, path: string) => page.locator(`.file-tree [role="treeitem"][data-path="${path}"]`);

/** True when the line holding `text` is on screen in the page's editor. */
async function lineVisible(page: Page, text: string): Promise<boolean> {
  const line = page.locator('.cm-line', { hasText: text });
  if ((await line.count()) === 0) return false;
  const box = await line.first().boundingBox();
  const frame = await page.locator('.cm-scroller').boundingBox();
  return box !== null && frame !== null && box.y >= frame.y - 1 && box.y + box.height <= frame.y + frame.height + 1;
}

/** Puts Dana's cursor on line `line` of the file she shows (Ctrl+Home, then Down). */
async function moveDanaTo(line: number) {
  await dana.page.locator('.cm-content').focus();
  await dana.page.keyboard.press('Control+Home');
  for (let i = 1; i < line; i++) await dana.page.keyboard.press('ArrowDown');
}

describe('follow mode', () => {
  it('follows Dana’s cursor down a long file, and Dana sees that Bob follows her', async () => {
    await moveDanaTo(5);
    await peerItem(bob.page, 'Dana').click();
    expect(await peerItem(bob.page, 'Dana').getAttribute('aria-pressed')).toBe('true');
    expect(await bob.page.locator('.follow-note').textContent()).toContain('Following Dana');
    await expect.poll(() => peerItem(dana.page, 'Bob').locator('.presence-follows-you').count(), eventually).toBe(1);
    await dana.page.keyboard.press('Control+End');
    for (let i = 0; i < 20; i++) await dana.page.keyboard.press('ArrowUp');
    await expect.poll(() => lineVisible(bob.page, 'line_280 = 280'), eventually).toBe(true);
    expect(await lineVisible(bob.page, 'line_1 = 1')).toBe(false);
    await bob.page.screenshot({ path: 'test-results/follow-bob.png' });
    await dana.page.screenshot({ path: 'test-results/follow-dana.png' });
  });

  it('switches file with her', async () => {
    await treeItem(dana.page, 'other.py').click();
    await moveDanaTo(150);
    await expect.poll(() => bob.page.locator('.file-tab-active').getAttribute('data-file-id').then(async (id) => id === (await dana.page.locator('.file-tab-active').getAttribute('data-file-id'))), eventually).toBe(true);
    await expect.poll(() => lineVisible(bob.page, 'other_150 = 150'), eventually).toBe(true);
    expect(await peerItem(bob.page, 'Dana').getAttribute('aria-pressed')).toBe('true');
  });

  it('stops when Bob types; then an arrow at the edge points to her cursor out of sight', async () => {
    await bob.page.locator('.cm-content').focus();
    await bob.page.keyboard.press('Control+Home');
    await expect.poll(() => peerItem(bob.page, 'Dana').getAttribute('aria-pressed'), eventually).toBe('false');
    expect(await bob.page.locator('.follow-note').isVisible()).toBe(false);
    await expect.poll(() => peerItem(dana.page, 'Bob').locator('.presence-follows-you').count(), eventually).toBe(0);
    await bob.page.keyboard.type('# bob was here\n');
    // Dana keeps moving; Bob's view stays at the top.
    await dana.page.keyboard.press('ArrowDown');
    await expect.poll(() => bob.page.locator('.cm-offscreenCursor[data-direction="down"]').textContent(), eventually).toContain('Dana');
    expect(await lineVisible(bob.page, 'bob was here')).toBe(true);
    expect(await lineVisible(bob.page, 'other_150 = 150')).toBe(false);
    await bob.page.screenshot({ path: 'test-results/follow-offscreen-arrow.png' });
    // The arrow scrolls to her.
    await bob.page.locator('.cm-offscreenCursor').click();
    await expect.poll(() => lineVisible(bob.page, 'other_151 = 151'), eventually).toBe(true);
    await expect.poll(() => bob.page.locator('.cm-offscreenCursor').count(), eventually).toBe(0);
    for (const person of [dana, bob]) expect(person.errors).toEqual([]);
  });

  it('works for a viewer too: the view page follows Dana, and Dana sees the watcher following', async () => {
    const viewer = await newPerson(browser);
    await joinRoom(viewer, viewUrl, 'Vera');
    await peerItem(viewer.page, 'Dana').click();
    await expect.poll(() => lineVisible(viewer.page, 'other_151 = 151'), eventually).toBe(true);
    await expect.poll(() => peerItem(dana.page, 'Vera').locator('.presence-follows-you').count(), eventually).toBe(1);
    await moveDanaTo(20);
    await expect.poll(() => lineVisible(viewer.page, 'other_19 = 19'), eventually).toBe(true);
    expect(viewer.errors).toEqual([]);
    await viewer.context.close();
  });
});
