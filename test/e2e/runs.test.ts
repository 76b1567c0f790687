import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';
import { joinRoom, launchBrowser, newPerson, placeCursorAtLineEnd, type Person } from './support/browser.ts';
import { setUpRunner } from '../support/runs.ts';

// Two people and a viewer in a room: one presses Ctrl+Enter, everyone sees the run live.
const eventually = { timeout: 30_000, interval: 50 };

let app: TestApp;
let browser: Browser;
let runner: Awaited<ReturnType<typeof setUpRunner>>;
let ada: Person;
let bob: Person;
let vic: Person;
let roomId: string;

const PROGRAM = [
  'import sys, time',
  'print("\\x1b[32mgreen\\x1b[0m <b>not bold</b>", flush=True)',
  'print("to stderr", file=sys.stderr)',
  'print(sys.stdin.read().strip() or "no input")',
  '',
].join('\n');

beforeAll(async () => {
  runner = await setUpRunner('piston');
  [app, browser] = await Promise.all([startTestApp({ env: runner.env }), launchBrowser()]);
  const response = await fetch(`${app.baseUrl}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: PROGRAM, language: 'python' }),
  });
  let viewId: string;
  ({ roomId, viewId } = (await response.json()) as { roomId: string; viewId: string });
  [ada, bob, vic] = await Promise.all([newPerson(browser), newPerson(browser), newPerson(browser)]);
  await joinRoom(ada, `${app.baseUrl}/r/${roomId}`, 'Ada');
  await joinRoom(bob, `${app.baseUrl}/r/${roomId}`, 'Bob');
  await joinRoom(vic, `${app.baseUrl}/v/${viewId}`, 'Vic');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await runner?.close();
});

const outputOf = (person: Person) => person.page.locator('.run-output').textContent();
const statusOf = (person: Person) => person.page.locator('.run-status').textContent();

describe('running the room\'s code', () => {
  it('Ctrl+Enter in the editor runs it; both editors and the viewer see the output, who ran it and how it ended', async () => {
    await placeCursorAtLineEnd(ada.page, 1);
    await ada.page.keyboard.press('Control+Enter');
    for (const person of [ada, bob, vic]) {
      await expect.poll(() => outputOf(person), eventually).toContain('no input');
      await expect.poll(() => statusOf(person), eventually).toMatch(/^Ada ran it · finished · exit 0/);
      const text = (await outputOf(person))!;
      // Colours are shown, escapes are not, and output never becomes markup.
      expect(text).toContain('green <b>not bold</b>');
      expect(text).not.toContain('\x1b');
      expect(await person.page.locator('.run-output b').count()).toBe(0);
      expect(await person.page.locator('.run-output span', { hasText: 'green' }).first().evaluate((span) => (span as unknown as { style: { color: string } }).style.color)).toBe('rgb(13, 188, 121)');
      expect(await person.page.locator('.run-output .run-stderr', { hasText: 'to stderr' }).count()).toBe(1);
    }
    // Stop shows only while a run lives.
    expect(await ada.page.locator('.run-stop').isVisible()).toBe(false);
    expect(await ada.page.locator('.run-button').isEnabled()).toBe(true);
    // The shortcut did not also insert a line in the editor.
    const room = (await (await fetch(`${app.baseUrl}/api/rooms/${roomId}`)).json()) as { code: string };
    expect(room.code).toBe(PROGRAM);
  });

  it('Bob runs it with input from the stdin box and the Run button', async () => {
    await bob.page.locator('.run-stdin-toggle').click();
    await bob.page.locator('.run-stdin').fill('hello from bob');
    await bob.page.locator('.run-button').click();
    for (const person of [ada, bob, vic]) {
      await expect.poll(() => outputOf(person), eventually).toContain('hello from bob');
      await expect.poll(() => statusOf(person), eventually).toMatch(/^Bob ran it · finished/);
    }
  });

  it('the view page shows runs but has no Run, Stop or input, and Ctrl+Enter does nothing there', async () => {
    expect(await vic.page.locator('.run-button').count()).toBe(0);
    expect(await vic.page.locator('.run-stop').count()).toBe(0);
    expect(await vic.page.locator('.run-stdin').count()).toBe(0);
    const before = (await (await fetch(`${app.baseUrl}/api/rooms/${roomId}/runs`)).json()) as { runs: unknown[] };
    await vic.page.locator('.cm-content').click();
    await vic.page.keyboard.press('Control+Enter');
    const after = (await (await fetch(`${app.baseUrl}/api/rooms/${roomId}/runs`)).json()) as { runs: unknown[] };
    expect(after.runs.length).toBe(before.runs.length);
  });

  it('Stop ends a running program for everyone', async () => {
    await ada.page.locator('.cm-content').click();
    await ada.page.keyboard.press('Control+End');
    await ada.page.keyboard.type('\nwhile True: time.sleep(0.05)\n');
    await expect.poll(async () => ((await (await fetch(`${app.baseUrl}/api/rooms/${roomId}`)).json()) as { code: string }).code, eventually).toContain('while True');
    await ada.page.locator('.run-button').click();
    await expect.poll(() => bob.page.locator('.run-stop').isVisible(), eventually).toBe(true);
    await bob.page.locator('.run-stop').click();
    for (const person of [ada, bob, vic]) await expect.poll(() => statusOf(person), eventually).toMatch(/^Ada ran it · stopped/);
    await expect.poll(() => bob.page.locator('.run-stop').isVisible(), eventually).toBe(false);
  });

  it('someone who joins later sees the latest run', async () => {
    const late = await newPerson(browser);
    await joinRoom(late, `${app.baseUrl}/r/${roomId}`, 'Lee');
    await expect.poll(() => statusOf(late), eventually).toMatch(/^Ada ran it · stopped/);
  });
});
