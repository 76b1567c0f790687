import { mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, fetchRoom, startTestApp, type TestApp } from './support/app.ts';
import { startCspProxy } from './support/csp-proxy.ts';
import { joinRoom, launchBrowser, newPerson, readEditorText, waitUntilConnected, type Person } from './support/browser.ts';

// The pages around the editor (lobby, room not found), the phone layout,
// themes, and the size of what the editor page downloads.
const eventually = { timeout: 15_000, interval: 50 };
/** Budget for the JavaScript the editor page loads, gzipped (client issue). */
const EDITOR_JS_BUDGET_BYTES = 350_000;

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

async function person(options: Parameters<typeof newPerson>[1] = {}): Promise<Person> {
  const created = await newPerson(browser, options);
  people.push(created);
  return created;
}

describe('lobby', () => {
  it('creates a room with a language and title, and lists it under recent rooms', async () => {
    const { page } = await person();
    await page.goto(app.baseUrl);
    await page.getByLabel('Language').selectOption('go');
    await page.getByLabel('Title (optional)').fill('Go kata');
    await page.getByRole('button', { name: 'Create room' }).click();
    await page.waitForURL(/\/r\/[A-Za-z0-9_-]{22}$/);
    const roomId = new URL(page.url()).pathname.split('/')[2];

    await page.getByLabel('Display name').fill('Grace');
    await page.getByRole('button', { name: 'Continue' }).click();
    await waitUntilConnected(page);
    expect(await page.locator('.room-title').inputValue()).toBe('Go kata');
    expect(await page.locator('.language-select').inputValue()).toBe('go');
    await expect.poll(() => page.locator('.cm-content').getAttribute('data-language'), eventually).toBe('go');
    expect(await fetchRoom(app.baseUrl, roomId)).toMatchObject({ language: 'go', title: 'Go kata' });

    await page.goto(app.baseUrl);
    const recent = page.locator('.recent-room');
    expect(await recent.count()).toBe(1);
    expect(await recent.locator('.recent-title').textContent()).toBe('Go kata');
    expect(await recent.locator('.recent-meta').textContent()).toBe('Go · just now');
    expect(await recent.locator('a').getAttribute('href')).toBe(`/r/${roomId}`);

    await recent.getByRole('button').click();
    await expect.poll(() => page.locator('.recent-rooms').isVisible(), eventually).toBe(false);
  });

  it('joins a room from a pasted link', async () => {
    const { roomId } = await createRoom(app.baseUrl, { title: 'Pasted' });
    const { page } = await person();
    await page.goto(app.baseUrl);
    await page.getByLabel('Link or room id').fill(`  https://pairpad.example.org/r/${roomId}  `);
    await page.getByRole('button', { name: 'Join' }).click();
    await page.waitForURL(`${app.baseUrl}/r/${roomId}`);

    await page.goto(app.baseUrl);
    await page.getByLabel('Link or room id').fill('not a link');
    await page.getByRole('button', { name: 'Join' }).click();
    expect(await page.getByRole('alert').filter({ hasText: 'not a Pairpad link' }).count()).toBe(1);
  });
});

describe('room not found', () => {
  it('explains and offers to create a new room', async () => {
    const { page } = await person();
    await page.goto(`${app.baseUrl}/r/AAAAAAAAAAAAAAAAAAAAAA`);
    await page.getByRole('heading', { name: 'This room does not exist' }).waitFor();
    await page.getByRole('button', { name: 'Create a new room' }).click();
    await page.waitForURL(/\/r\/[A-Za-z0-9_-]{22}$/);
    // The name is asked in the new room, not for the missing one.
    await page.getByLabel('Display name').fill('Nina');
    await page.getByRole('button', { name: 'Continue' }).click();
    await waitUntilConnected(page);
  });

  it('answers a malformed room link with the same page', async () => {
    const { page } = await person();
    await page.goto(`${app.baseUrl}/r/bad`);
    await page.getByRole('heading', { name: 'This room does not exist' }).waitFor();
  });
});

describe('phone layout (375 px)', () => {
  it('fits the width, keeps every control reachable and edits', async () => {
    const { roomId } = await createRoom(app.baseUrl, { title: 'On the bus', code: 'def f(x):\n    return x * 2\n' });
    const phone = await person({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await joinRoom(phone, `${app.baseUrl}/r/${roomId}`, 'Pat');
    const { page } = phone;

    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    for (const selector of ['.language-select', '.connection-status', '.copy-link', '.copy-view-link', '.download', '.theme-toggle', '.name-button', '.cm-content']) {
      const box = await page.locator(selector).boundingBox();
      expect(box, selector).not.toBeNull();
      expect(box!.x, selector).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width, selector).toBeLessThanOrEqual(375.5);
    }
    await page.locator('.cm-content .cm-line').nth(1).click();
    await page.keyboard.press('End');
    await page.keyboard.type(' + 1');
    await expect.poll(() => fetchRoom(app.baseUrl, roomId).then((room) => room.code), eventually).toBe('def f(x):\n    return x * 2 + 1\n');
    await page.screenshot({ path: 'test-results/phone.png' });
  });
});

describe('themes', () => {
  it('follows prefers-color-scheme and remembers the toggle', async () => {
    const { roomId } = await createRoom(app.baseUrl, { title: 'Night shift', code: 'const answer = 42; // dark\n', language: 'javascript' });
    const night = await person({ colorScheme: 'dark' });
    await joinRoom(night, `${app.baseUrl}/r/${roomId}`, 'Owl');
    const { page } = night;
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await expect.poll(() => page.locator('.cm-content').getAttribute('data-language'), eventually).toBe('javascript');
    await page.screenshot({ path: 'test-results/dark.png' });

    await page.locator('.theme-toggle').click();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('light');
    await page.reload();
    await waitUntilConnected(page);
    expect(await page.locator('html').getAttribute('data-theme')).toBe('light');
  });
});

describe('editor page weight', () => {
  it(`loads under ${EDITOR_JS_BUDGET_BYTES / 1000} KB of gzipped JavaScript`, async () => {
    const { roomId } = await createRoom(app.baseUrl, { language: 'python', code: 'print("size")\n' });
    const visitor = await person();
    const scripts = new Map<string, Promise<Buffer>>();
    visitor.page.on('response', (response) => {
      const url = new URL(response.url());
      if (url.pathname.endsWith('.js')) scripts.set(url.pathname, response.body());
    });
    await joinRoom(visitor, `${app.baseUrl}/r/${roomId}`, 'Sam');
    await expect.poll(() => visitor.page.locator('.cm-content').getAttribute('data-language'), eventually).toBe('python');
    expect(await readEditorText(visitor.page)).toBe('print("size")\n');

    const chunks = await Promise.all(
      [...scripts].map(async ([path, body]) => {
        const bytes = await body;
        return { file: path.replace(/^\/assets\//, ''), bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
      }),
    );
    chunks.sort((a, b) => b.gzip - a.gzip);
    const total = { bytes: chunks.reduce((sum, c) => sum + c.bytes, 0), gzip: chunks.reduce((sum, c) => sum + c.gzip, 0) };
    writeFileSync('test-results/editor-bundle.json', `${JSON.stringify({ total, chunks }, null, 2)}\n`);
    expect(chunks.some((c) => c.file.startsWith('lang-python'))).toBe(true);
    // Grammars of other languages are not downloaded.
    expect(chunks.some((c) => /^lang-(javascript|rust|cpp|php|html)/.test(c.file))).toBe(false);
    expect(total.gzip).toBeLessThan(EDITOR_JS_BUDGET_BYTES);
  });
});

describe('content security policy', () => {
  // The kind of policy the access-control issue plans to send. CodeMirror
  // injects one <style> element, which the policy allows by nonce; nothing
  // else in the client is inline (no script, handler or style attribute).
  const strictPolicy = (nonce: string) =>
    [
      "default-src 'self'",
      "script-src 'self'",
      `style-src 'self' 'nonce-${nonce}'`,
      "img-src 'self' data:",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join('; ');

  it('runs the lobby and a shared room under a strict policy', async () => {
    const proxy = await startCspProxy(app.baseUrl, strictPolicy);
    try {
      const { roomId } = await createRoom(app.baseUrl, { code: 'SELECT 1;\n', language: 'sql' });
      const visitor = await person();
      const violations: string[] = [];
      visitor.page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      await visitor.page.goto(proxy.baseUrl);
      await visitor.page.getByRole('heading', { name: /Pair programming/ }).waitFor();
      await joinRoom(visitor, `${proxy.baseUrl}/r/${roomId}`, 'Cy');
      await expect.poll(() => visitor.page.locator('.cm-content').getAttribute('data-language'), eventually).toBe('sql');
      await visitor.page.locator('.cm-content .cm-line').first().click();
      await visitor.page.keyboard.press('End');
      await visitor.page.keyboard.type(' -- ok');
      await expect.poll(() => fetchRoom(app.baseUrl, roomId).then((room) => room.code), eventually).toBe('SELECT 1; -- ok\n');
      // The editor is styled (its injected sheet was allowed), not bare.
      expect(await visitor.page.evaluate<string>("getComputedStyle(document.querySelector('.cm-gutters')).display")).toBe('flex');
      expect(violations).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe('all pages', () => {
  it('raised no page errors and no dialogs', () => {
    for (const visitor of people) {
      expect(visitor.errors).toEqual([]);
      expect(visitor.dialogs).toEqual([]);
    }
  });
});
