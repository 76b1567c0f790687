import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, startTestApp, type TestApp } from './support/app.ts';
import { joinRoom, launchBrowser, newPerson, waitUntilConnected, type Person } from './support/browser.ts';

// One person with two tabs open is one person to the others (issue 14,
// item 6: "3 here · Bob · Alice · Alice", and "Alice left" when one closed).
const eventually = { timeout: 30_000, interval: 50 };

let app: TestApp;
let browser: Browser;

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** Records the text of every toast shown from now on (they fade after a few seconds). */
async function recordToasts(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(`(() => {
    window.__toasts = [];
    new MutationObserver((records) => {
      for (const record of records) for (const node of record.addedNodes) window.__toasts.push(node.textContent);
    }).observe(document.getElementById('toasts'), { childList: true });
  })()`);
  return () => page.evaluate<string[]>('window.__toasts');
}

describe('the same person in two tabs', () => {
  it('shows once in the presence bar, and closing one tab announces nothing', async () => {
    const { roomId } = await createRoom(app.baseUrl, { code: 'shared\n' });
    const url = `${app.baseUrl}/r/${roomId}`;
    const bob = await newPerson(browser);
    await joinRoom(bob, url, 'Bob');
    await bob.page.locator('.presence-bar[data-announcing="true"]').waitFor();
    const toasts = await recordToasts(bob.page);

    const alice: Person = await newPerson(browser);
    await joinRoom(alice, url, 'Alice');
    await expect.poll(toasts, eventually).toEqual(['Alice joined']);
    // Her second tab: same browser, same stored name, no dialog.
    const secondTab = await alice.context.newPage();
    await secondTab.goto(url);
    await waitUntilConnected(secondTab);
    // Both tabs have a cursor in Bob's editor: both are in his awareness.
    await expect.poll(() => bob.page.locator('.cm-remoteCaret').count(), eventually).toBe(2);

    const names = () => bob.page.locator('.presence-name').allTextContents();
    expect(await names()).toEqual(['Bob', 'Alice']);
    expect(await bob.page.locator('.presence-count').textContent()).toBe('2 here');
    expect(await secondTab.locator('.presence-name').allTextContents()).toEqual(['Alice', 'Bob']);
    // Alice's tabs share one colour.
    const dotColor = (page: Page) => page.locator('.presence-self .presence-dot').getAttribute('style');
    expect(await dotColor(secondTab)).toBe(await dotColor(alice.page));

    await secondTab.close();
    await expect.poll(() => bob.page.locator('.cm-remoteCaret').count(), eventually).toBe(1);
    expect(await names()).toEqual(['Bob', 'Alice']);
    expect(await toasts()).toEqual(['Alice joined']);

    await alice.page.close();
    await expect.poll(toasts, eventually).toEqual(['Alice joined', 'Alice left']);
    await expect.poll(names, eventually).toEqual(['Bob']);
    expect(bob.errors).toEqual([]);
    expect(alice.errors).toEqual([]);
  });
});
