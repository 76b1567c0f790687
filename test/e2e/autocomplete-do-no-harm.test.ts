import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, fetchRoom, startTestApp, type TestApp } from './support/app.ts';
import { joinRoom, launchBrowser, newPerson, type Person } from './support/browser.ts';
import { planTyping, typePlan, type TypingPace } from './support/human-typing.ts';

// "Do no harm": a real file, typed key by key into the editor with
// autocomplete on and with it off, comes out the same. The person never
// touches the list or the ghost text; Enter at each line end (after pauses
// that let the list and the ghost text appear) must stay a newline. The
// real server answers the editor's requests. Faster than a person between
// keys so it fits in `npm test`; `npm run bench:do-no-harm` types longer
// files at human speed.
const FIXTURE = readFileSync(new URL('../fixtures/simple_copy.py', import.meta.url), 'utf8');
const PACE: TypingPace = {
  minGapMs: 3, maxGapMs: 25, pauseChance: 0.02, pauseBeforeEnterChance: 0.35, minPauseMs: 300, maxPauseMs: 700,
};
const SEED = 13;

let app: TestApp;
let browser: Browser;

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function openEmptyRoom(query: string): Promise<{ person: Person; roomId: string }> {
  const { roomId } = await createRoom(app.baseUrl, { language: 'python', code: '' });
  const person = await newPerson(browser);
  await joinRoom(person, `${app.baseUrl}/r/${roomId}${query}`, 'Typist');
  await person.page.locator('.cm-editor[data-language="python"]').waitFor();
  await person.page.locator('.cm-content').click();
  return { person, roomId };
}

/** The room's text once it stops changing (the last keys have reached the server). */
async function settledCode(roomId: string): Promise<string> {
  let previous: string | undefined;
  await expect
    .poll(async () => {
      const code = (await fetchRoom(app.baseUrl, roomId)).code;
      const settled = code === previous;
      previous = code;
      return settled;
    }, { timeout: 15_000, interval: 500 })
    .toBe(true);
  return previous!;
}

describe('typing a real Python file', () => {
  it('gives the same text with autocomplete on and off', async () => {
    const plan = planTyping(FIXTURE, PACE, SEED);
    const [on, off] = await Promise.all([openEmptyRoom(''), openEmptyRoom('?autocomplete=off')]);
    const [onReport, offReport] = await Promise.all([typePlan(on.person.page, plan), typePlan(off.person.page, plan)]);
    const [onCode, offCode] = await Promise.all([settledCode(on.roomId), settledCode(off.roomId)]);

    // The file really went in (auto-indent and bracket closing aside).
    expect(offCode.split('\n').length).toBeGreaterThanOrEqual(FIXTURE.trimEnd().split('\n').length);
    expect(offCode).toContain('def deepcopy(x):');
    expect(onCode).toBe(offCode);
    // Suggestions did show with autocomplete on, and never with it off.
    expect(onReport.listsSeen + onReport.ghostsSeen).toBeGreaterThan(0);
    expect(offReport).toEqual({ listsSeen: 0, ghostsSeen: 0 });
    expect([...on.person.errors, ...off.person.errors]).toEqual([]);
    // About a minute on a quiet machine; two typists and a server share the cores.
  }, 240_000);
});
