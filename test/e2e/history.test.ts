import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, startTestApp, type TestApp } from './support/app.ts';
import { joinRoom, launchBrowser, newPerson, readEditorText, type Person } from './support/browser.ts';

// The history panel in a real Chromium (issue 17, web client): Ada types
// with pauses, so the server makes versions; she plays the room back,
// compares, labels and restores, and Bob, in the room meanwhile, sees the
// restore. A watcher on the view page plays it back but cannot change it.
const eventually = { timeout: 20_000, interval: 50 };
const SCREENSHOTS = 'test-results/history';
const INITIAL = 'print(1)\n';

let app: TestApp;
let browser: Browser;
let ada: Person;
let bob: Person;
let roomId: string;
let viewId: string;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Types `text` one key at a time, as a person does. */
async function typeSlowly(page: Page, text: string, gapMs = 60): Promise<void> {
  for (const char of text) {
    if (char === '\n') await page.keyboard.press('Enter');
    else await page.keyboard.type(char);
    await pause(gapMs);
  }
}

/** The text of the history panel's viewer (small files: every line is rendered). */
function viewerText(page: Page): Promise<string> {
  return page.locator('.history-single .cm-line').evaluateAll((lines) => lines.map((line) => line.textContent).join('\n'));
}

async function openHistory(page: Page): Promise<void> {
  await page.locator('.history-button').click();
  await page.locator('.history-panel[data-state="ready"]').waitFor({ timeout: 20_000 });
}

/** Moves the timeline slider as a person drags it to `position`. */
async function seek(page: Page, position: number): Promise<void> {
  await page.locator('.history-slider').evaluate((slider, value) => {
    (slider as unknown as { value: string }).value = String(value);
    slider.dispatchEvent(new Event('input', { bubbles: true }));
  }, position);
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  ({ roomId } = await createRoom(app.baseUrl, { language: 'python', title: 'History kata', code: INITIAL }));
  viewId = ((await (await fetch(`${app.baseUrl}/api/rooms/${roomId}`)).json()) as { viewId: string }).viewId;
  [ada, bob] = await Promise.all([newPerson(browser), newPerson(browser)]);
  await joinRoom(ada, `${app.baseUrl}/r/${roomId}`, 'Ada Lovelace');
  await joinRoom(bob, `${app.baseUrl}/r/${roomId}`, 'Bob');
  // Two bursts of typing with a pause between them (and after): versions close after ~2 s of quiet.
  await ada.page.locator('.cm-content').click();
  await ada.page.keyboard.press('Control+End');
  await typeSlowly(ada.page, 'x = 1\n');
  await pause(3_000);
  await typeSlowly(ada.page, 'y = 2\n');
  await pause(3_000);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('the history panel', () => {
  it('lists the versions and plays the room back keystroke by keystroke to what it is now', async () => {
    const { page } = ada;
    await expect.poll(() => readEditorText(bob.page), eventually).toBe(`${INITIAL}x = 1\ny = 2\n`);
    await openHistory(page);
    await expect.poll(() => page.locator('.history-version').count(), eventually).toBeGreaterThanOrEqual(3);
    // Shown at the end: the room as it is.
    expect(await viewerText(page)).toBe(`${INITIAL}x = 1\ny = 2\n`);
    const changes = Number(await page.locator('.history-slider').getAttribute('max'));
    // 12 keys typed, each one change (Enter may bring indentation with it, still one change).
    expect(changes).toBeGreaterThanOrEqual(12);
    await seek(page, 0);
    expect(await viewerText(page)).toBe(INITIAL);
    await seek(page, 5); // "x = 1" typed, not the newline
    expect(await viewerText(page)).toBe(`${INITIAL}x = 1`);
    expect(await page.locator('.history-position .history-author').textContent()).toBe('Ada Lovelace');
    await page.locator('.history-speed').selectOption('16');
    await page.locator('.history-play').click();
    await expect.poll(() => page.locator('.history-panel').getAttribute('data-playing'), eventually).toBe('true');
    await page.screenshot({ path: `${SCREENSHOTS}/playing.png` });
    await expect.poll(() => page.locator('.history-panel').getAttribute('data-playing'), eventually).toBe('false');
    expect(await viewerText(page)).toBe(`${INITIAL}x = 1\ny = 2\n`);
    expect(await page.locator('.history-position').getAttribute('data-position')).toBe(String(changes));
  });

  it('jumps to a version, and shows two versions side by side', async () => {
    const { page } = ada;
    // Oldest last in the list: the room's creation.
    await page.locator('.history-version-jump').last().click();
    expect(await viewerText(page)).toBe(INITIAL);
    const versions = page.locator('.history-compare-form select');
    await versions.nth(0).selectOption({ index: 0 }); // the creation
    await versions.nth(1).selectOption('now');
    await page.locator('.history-compare').click();
    await page.locator('.history-viewer .cm-mergeView').waitFor();
    await expect.poll(() => page.locator('.history-viewer .cm-mergeView .cm-changedLine').count(), eventually).toBeGreaterThan(0);
    await page.screenshot({ path: `${SCREENSHOTS}/compare.png` });
    await page.locator('.history-back').click();
    expect(await page.locator('.history-viewer .cm-mergeView').count()).toBe(0);
    expect(await page.locator('.history-back').isVisible()).toBe(false);
    expect(await page.locator('.history-single').isVisible()).toBe(true);
  });

  it('labels the current version', async () => {
    const { page } = ada;
    await page.getByLabel('Label', { exact: true }).fill('two variables');
    await page.getByRole('button', { name: 'Label this version' }).click();
    await expect.poll(() => page.locator('.history-version-label').allTextContents(), eventually).toContain('two variables');
  });

  it('restores the first version for everyone, after a confirmation, and the restore is in the history by who pressed it', async () => {
    await ada.page.locator('.history-close').click();
    const { page } = bob;
    await openHistory(page);
    const before = await page.locator('.history-version').count();
    await page.locator('.history-version').last().locator('.history-restore').click();
    await page.locator('.confirm-dialog').waitFor();
    await page.locator('.confirm-dialog button[type="submit"]').click();
    await expect.poll(() => readEditorText(ada.page), eventually).toBe(INITIAL);
    await expect.poll(() => readEditorText(page), eventually).toBe(INITIAL);
    // The panel reloads after a restore: the newest version is Bob's restore.
    await expect.poll(() => page.locator('.history-version').count(), eventually).toBeGreaterThan(before);
    expect(await page.locator('.history-version').first().locator('.history-author').allTextContents()).toEqual(['Bob']);
    await page.locator('.history-close').click();
  });

  it('shows who wrote each line in a blame gutter of the editor', async () => {
    const { page } = bob;
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await typeSlowly(page, 'z = 3');
    await openHistory(page);
    await page.locator('.history-blame').click();
    expect(await page.locator('.history-blame').getAttribute('aria-pressed')).toBe('true');
    await page.locator('.history-close').click();
    await expect.poll(() => page.locator('.cm-blame-marker').allTextContents(), eventually).toEqual(expect.arrayContaining(['B']));
    const titles = await page.locator('.cm-blame-marker').evaluateAll((markers) => markers.map((marker) => marker.getAttribute('title') ?? ''));
    expect(titles.some((title) => title.startsWith('Bob · '))).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}/blame.png` });
  });

  it('lets a watcher on the view page play back and compare, but not label or restore', async () => {
    const watcher = await newPerson(browser);
    await watcher.page.goto(`${app.baseUrl}/v/${viewId}`);
    await watcher.page.getByRole('button', { name: 'Watch without a name' }).click();
    await watcher.page.locator('.cm-content').waitFor();
    await openHistory(watcher.page);
    expect(await watcher.page.locator('.history-restore').count()).toBe(0);
    expect(await watcher.page.locator('.history-label-form').count()).toBe(0);
    await seek(watcher.page, 0);
    expect(await viewerText(watcher.page)).toBe(INITIAL);
    expect(watcher.errors).toEqual([]);
    await watcher.context.close();
  });
});
