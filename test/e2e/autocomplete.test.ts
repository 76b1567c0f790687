import type { Browser, Request, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, fetchRoom, startTestApp, type TestApp } from './support/app.ts';
import { joinRoom, launchBrowser, newPerson, placeCursorAtLineEnd, readEditorText, type Person } from './support/browser.ts';

// The editor side of autocomplete: ghost text and the completion list. The
// browser's requests to POST /api/autocomplete are answered by the test
// (Playwright routing) with answers in the shape of the shared schema, so
// the client's behaviour is checked whatever the server's engine suggests.
const eventually = { timeout: 15_000, interval: 50 };

interface AutocompleteBody {
  code: string;
  cursorPosition: number;
  language: string;
  limit?: number;
}

let app: TestApp;
let browser: Browser;
let kim: Person;
let roomId: string;
const requests: AutocompleteBody[] = [];
let mode: 'answer' | 'fail' = 'answer';

function answerFor(body: AutocompleteBody) {
  const before = body.code.slice(0, body.cursorPosition);
  const empty = { suggestion: '', confidence: 0, type: 'identifier', from: body.cursorPosition, to: body.cursorPosition, items: [] };
  if (before.endsWith('if __name__')) {
    return { ...empty, suggestion: ' == "__main__":', confidence: 0.9, type: 'line' };
  }
  const word = /[A-Za-z_]+$/.exec(before)?.[0] ?? '';
  if (word.length >= 2 && 'calculate_total'.startsWith(word)) {
    return {
      // Like the server: the suggestion is what goes in at the cursor.
      suggestion: 'calculate_total'.slice(word.length),
      confidence: 0.8,
      type: 'identifier',
      from: body.cursorPosition - word.length,
      to: body.cursorPosition,
      items: [
        { label: 'calculate_total', insertText: 'calculate_total', kind: 'identifier', detail: 'function', score: 9 },
        { label: 'calendar', insertText: 'calendar', kind: 'identifier', score: 2 },
      ],
    };
  }
  return empty;
}

async function handle(route: Route): Promise<void> {
  const body = route.request().postDataJSON() as AutocompleteBody;
  requests.push(body);
  if (mode === 'fail') {
    await route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: { code: 'internal', message: 'boom' } }) });
    return;
  }
  await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(answerFor(body)) });
}

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  ({ roomId } = await createRoom(app.baseUrl, { language: 'python', code: 'def calculate_total(items):\n    return sum(items)\n\n' }));
  kim = await newPerson(browser);
  await kim.page.route('**/api/autocomplete', handle);
  await joinRoom(kim, `${app.baseUrl}/r/${roomId}`, 'Kim');
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const ghost = () => kim.page.locator('.cm-ghostText');

describe('ghost text', () => {
  it('appears after a pause, and Tab accepts it', async () => {
    await placeCursorAtLineEnd(kim.page, 3);
    await kim.page.keyboard.type('if __name__');
    await expect.poll(() => ghost().textContent(), eventually).toBe(' == "__main__":');
    const request = requests.findLast((r) => r.code.includes('if __name__'));
    expect(request).toMatchObject({ language: 'python', cursorPosition: request!.code.indexOf('if __name__') + 'if __name__'.length });

    await kim.page.keyboard.press('Tab');
    await expect.poll(() => ghost().count(), eventually).toBe(0);
    expect(await readEditorText(kim.page)).toBe('def calculate_total(items):\n    return sum(items)\nif __name__ == "__main__":\n');
    await expect.poll(() => fetchRoom(app.baseUrl, roomId).then((room) => room.code), eventually).toContain('if __name__ == "__main__":');
  });

  it('is dismissed with Escape and leaves the text alone', async () => {
    await kim.page.keyboard.press('Enter'); // Python indents the block by itself
    await kim.page.keyboard.type('x = calc');
    await expect.poll(() => ghost().textContent(), eventually).toBe('ulate_total');
    await kim.page.keyboard.press('Escape');
    await expect.poll(() => ghost().count(), eventually).toBe(0);
    expect((await readEditorText(kim.page))?.split('\n')[3]).toBe('    x = calc');
  });
});

describe('completion list', () => {
  it('merges the server’s items with words from the document', async () => {
    await kim.page.keyboard.type(' + ca');
    const options = kim.page.locator('.cm-tooltip-autocomplete li');
    await expect.poll(() => options.allTextContents(), eventually).toEqual(expect.arrayContaining([expect.stringContaining('calculate_total'), expect.stringContaining('calendar')]));
    // Ranked as the server ranked them, above plain words.
    expect(await options.first().textContent()).toContain('calculate_total');
    // Document words that the server also suggested are not listed twice.
    expect(await options.filter({ has: kim.page.locator('.cm-completionIcon-text') }).filter({ hasText: /^calculate_total$/ }).count()).toBe(0);
    await kim.page.screenshot({ path: 'test-results/completion-list.png' });
    // The first item continues the typed word: it is preselected and shown
    // as ghost text, which Tab takes (Enter would be a newline: not picked).
    await expect.poll(() => ghost().textContent(), eventually).toBe('lculate_total');
    await kim.page.keyboard.press('Tab');
    await expect.poll(() => readEditorText(kim.page).then((text) => text?.split('\n')[3]), eventually).toBe('    x = calc + calculate_total');
  });

  it('does not ask the server for every keystroke', async () => {
    const before = requests.length;
    await kim.page.keyboard.press('Enter');
    await kim.page.keyboard.type('total_of_everything_in_the_basket', { delay: 20 });
    await expect.poll(() => readEditorText(kim.page).then((text) => text?.split('\n')[4]), eventually).toBe('    total_of_everything_in_the_basket');
    // 33 letters typed; requests only go out in pauses.
    expect(requests.length - before).toBeLessThan(10);
  });
});

describe('a failing autocomplete endpoint', () => {
  it('never gets in the way of typing', async () => {
    mode = 'fail';
    const before = requests.length;
    await kim.page.keyboard.press('Escape');
    await kim.page.keyboard.press('Enter');
    await kim.page.keyboard.type('calc_more = 1');
    await expect.poll(() => requests.length, eventually).toBeGreaterThan(before);
    await kim.page.keyboard.type('  # still typing');
    await expect.poll(() => readEditorText(kim.page).then((text) => text?.split('\n')[5]), eventually).toBe('    calc_more = 1  # still typing');
    expect(await kim.page.locator('.connection-status').getAttribute('data-state')).toBe('connected');
    expect(kim.errors).toEqual([]);
  });
});

describe('a slow autocomplete endpoint', () => {
  // Another person in another room, whose requests are answered after
  // `delayMs` (a slow server) with one item naming the word it was asked
  // about, so that an answer to an old question can be recognised.
  interface Call {
    word: string;
    state: 'pending' | 'answered' | 'aborted';
  }
  const calls: Call[] = [];
  const callOf = new Map<Request, Call>();
  let delayMs = 0;
  let max: Person;

  const wordOf = (body: AutocompleteBody) => /[A-Za-z_]*$/.exec(body.code.slice(0, body.cursorPosition))![0];
  const options = () => max.page.locator('.cm-tooltip-autocomplete li');
  const lastLine = () => readEditorText(max.page).then((text) => text?.split('\n').at(-1));

  beforeAll(async () => {
    const { roomId: slowRoom } = await createRoom(app.baseUrl, {
      language: 'python',
      code: 'def calculate_total(items):\n    return sum(items)\n\n# keep the cargo_manifest handy\n',
    });
    max = await newPerson(browser);
    max.page.on('requestfailed', (request) => {
      const call = callOf.get(request);
      if (call) call.state = 'aborted';
    });
    await max.page.route('**/api/autocomplete', async (route) => {
      const body = route.request().postDataJSON() as AutocompleteBody;
      const call: Call = { word: wordOf(body), state: 'pending' };
      calls.push(call);
      callOf.set(route.request(), call);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const from = body.cursorPosition - call.word.length;
      const item = { label: `calc_total_for_${call.word}`, insertText: `calc_total_for_${call.word}`, kind: 'identifier', score: 9 };
      const answer = { suggestion: '', confidence: 0, type: 'identifier', from, to: body.cursorPosition, items: [item] };
      try {
        await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(answer) });
        if (call.state === 'pending') call.state = 'answered';
      } catch {
        call.state = 'aborted'; // the page gave up on it first
      }
    });
    await joinRoom(max, `${app.baseUrl}/r/${slowRoom}`, 'Max');
    await placeCursorAtLineEnd(max.page, 5);
  });

  it('keeps typing responsive, aborts questions typing made stale and gives up at the deadline', async () => {
    // Slower than the client's deadline (600 ms): no answer is ever used.
    delayMs = 2_000;
    await max.page.keyboard.type('ca');
    await expect.poll(() => calls.filter((call) => call.word === 'ca').length, eventually).toBeGreaterThan(0);
    expect(calls.filter((call) => call.word === 'ca').every((call) => call.state === 'pending')).toBe(true);
    // While the server sits on that question, the next letters show at once.
    await max.page.keyboard.type('lc');
    expect(await lastLine()).toBe('calc');
    // The question about "ca" is withdrawn as soon as the text moves on…
    await expect.poll(() => calls.filter((call) => call.word === 'ca').every((call) => call.state === 'aborted'), eventually).toBe(true);
    // …and the one about "calc" once the deadline passes, with nothing typed since.
    await expect.poll(() => calls.some((call) => call.word === 'calc' && call.state === 'aborted'), eventually).toBe(true);
    // Meanwhile the list offers the document's words alone.
    await expect.poll(() => options().allTextContents(), eventually).toEqual(expect.arrayContaining([expect.stringContaining('calculate_total')]));
    await expect.poll(() => calls.every((call) => call.state !== 'pending'), eventually).toBe(true);
    expect((await options().allTextContents()).filter((text) => text.includes('calc_total_for_'))).toEqual([]);
    expect(await lastLine()).toBe('calc');
    expect(max.errors).toEqual([]);
  });

  it('lists words found only in the document beside the server’s items', async () => {
    delayMs = 0;
    await max.page.keyboard.press('Escape');
    await max.page.keyboard.press('Enter');
    await max.page.keyboard.type('ca');
    await expect.poll(() => options().allTextContents(), eventually).toEqual(
      expect.arrayContaining([expect.stringContaining('calc_total_for_ca'), expect.stringContaining('cargo_manifest')]),
    );
    // The server's item comes first; the word from the comment is a plain document word.
    expect(await options().first().textContent()).toContain('calc_total_for_ca');
    const word = options().filter({ hasText: 'cargo_manifest' });
    expect(await word.locator('.cm-completionIcon-text').count()).toBe(1);
    await word.click();
    await expect.poll(lastLine, eventually).toBe('cargo_manifest');
    expect(max.errors).toEqual([]);
  });
});

describe('with the server’s own engine', () => {
  it('suggests the main guard as ghost text', async () => {
    const { roomId: realRoom } = await createRoom(app.baseUrl, { language: 'python', code: 'import sys\n\n\ndef main():\n    print(sys.argv)\n\n\n' });
    const lee = await newPerson(browser);
    await joinRoom(lee, `${app.baseUrl}/r/${realRoom}`, 'Lee');
    await placeCursorAtLineEnd(lee.page, 8);
    await lee.page.keyboard.type('if __name__');
    await expect.poll(() => lee.page.locator('.cm-ghostText').textContent(), eventually).toBe(' == "__main__":');
    await lee.page.keyboard.press('Tab');
    await expect.poll(() => fetchRoom(app.baseUrl, realRoom).then((room) => room.code), eventually).toContain('if __name__ == "__main__":');
    expect(lee.errors).toEqual([]);
  });
});
