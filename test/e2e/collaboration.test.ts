import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, fetchRoom, startTestApp, type TestApp } from './support/app.ts';
import { joinRoom, launchBrowser, newPerson, placeCursorAtLineEnd, readEditorText, waitUntilConnected, type Person } from './support/browser.ts';

// Two people (two browser contexts, so two localStorages and two names)
// share one room on a real server, in a real Chromium.
const SAMPLE = [
  'def greet(name):',
  '    """Say hello."""',
  '    return f"Hello, {name}!"',
  '',
  '',
  'if __name__ == "__main__":',
  '    print(greet("world"))',
  '',
].join('\n');

const DEMO = `from bisect import bisect_left


def binary_search(items: list[int], target: int) -> int:
    """Return the index of target in sorted items, or -1."""
    low, high = 0, len(items) - 1
    while low <= high:
        mid = (low + high) // 2
        if items[mid] == target:
            return mid
        if items[mid] < target:
            low = mid + 1
        else:
            high = mid - 1
    return -1


def test_binary_search():
    data = [1, 3, 5, 7, 9, 11]
    assert binary_search(data, 7) == 3
    assert binary_search(data, 4) == -1
    assert binary_search(data, 7) == bisect_left(data, 7)
`;

/** The first palette colour (`USER_COLORS[0]`), stored in both browsers. */
const SHARED_COLOR = '#d1242f';
const SHARED_COLOR_RGB = 'rgb(209, 36, 47)';

let app: TestApp;
let browser: Browser;
let ada: Person;
let bob: Person;
let roomUrl: string;
let roomId: string;

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  ({ roomId } = await createRoom(app.baseUrl, { language: 'python', title: 'Pairing session', code: SAMPLE }));
  roomUrl = `${app.baseUrl}/r/${roomId}`;
  [ada, bob] = await Promise.all([newPerson(browser), newPerson(browser)]);
  // Both browsers remember the same colour: the one who joins second gets another.
  for (const person of [ada, bob]) await person.context.addInitScript(`localStorage.setItem('pairpad.color', '${SHARED_COLOR}')`);
  await joinRoom(ada, roomUrl, 'Ada');
  await joinRoom(bob, roomUrl, 'Bob');
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

// Conditions are polled, never slept on; generous limits for slow machines.
const eventually = { timeout: 15_000, interval: 50 };
const textOf = (person: Person) => () => readEditorText(person.page);
const serverCode = () => fetchRoom(app.baseUrl, roomId).then((room) => room.code);

/** Background colour of each presence dot (self first) and of the name button's dot, as the page computes them. */
const READ_DOT_COLORS = `(() => ({
  peers: Array.from(document.querySelectorAll('.presence-bar .presence-dot'), (dot) => getComputedStyle(dot).backgroundColor),
  button: getComputedStyle(document.querySelector('.name-button .presence-dot')).backgroundColor,
}))()`;
const dotColors = (person: Person) => () => person.page.evaluate<{ peers: string[]; button: string }>(READ_DOT_COLORS);

/** Computed opacity of the remote cursor labels in a page. */
const READ_LABEL_OPACITY = `Array.from(document.querySelectorAll('.cm-remoteCaretLabel'), (label) => getComputedStyle(label).opacity)`;

/** True when `part` occurs in `whole` in order (not necessarily contiguous). */
function isSubsequence(part: string, whole: string): boolean {
  let i = 0;
  for (const char of whole) if (char === part[i]) i++;
  return i === part.length;
}

describe('two people in one room', () => {
  it('loads the seeded code and title', async () => {
    expect(await readEditorText(ada.page)).toBe(SAMPLE);
    expect(await readEditorText(bob.page)).toBe(SAMPLE);
    expect(await ada.page.locator('.room-title').inputValue()).toBe('Pairing session');
  });

  it('shows both people in the presence bar and each other’s cursor with the right name', async () => {
    for (const person of [ada, bob]) {
      await expect.poll(() => person.page.locator('.presence-bar .presence-name').allTextContents(), eventually).toHaveLength(2);
    }
    expect(await ada.page.locator('.presence-bar .presence-name').allTextContents()).toEqual(['Ada', 'Bob']);
    expect(await bob.page.locator('.presence-bar .presence-name').allTextContents()).toEqual(['Bob', 'Ada']);

    // Same stored colour: Ada, there first, keeps it; Bob wears another one in this room.
    await expect.poll(() => dotColors(bob)().then((colors) => colors.peers[1]), eventually).toBe(SHARED_COLOR_RGB);
    await expect.poll(() => dotColors(bob)().then((colors) => colors.peers[0]), eventually).not.toBe(SHARED_COLOR_RGB);
    const bobColors = await dotColors(bob)();
    expect(bobColors.button).toBe(bobColors.peers[0]);
    await expect.poll(() => dotColors(ada)().then((colors) => colors.peers), eventually).toEqual([SHARED_COLOR_RGB, bobColors.peers[0]]);

    // A cursor is published once its editor has had a selection.
    await placeCursorAtLineEnd(ada.page, 1);
    await placeCursorAtLineEnd(bob.page, 3);
    await expect.poll(() => bob.page.locator('.cm-remoteCaretLabel').allTextContents(), eventually).toEqual(['Ada']);
    await expect.poll(() => ada.page.locator('.cm-remoteCaretLabel').allTextContents(), eventually).toEqual(['Bob']);
    // The label sits on the line where the other person's cursor is.
    await expect.poll(() => bob.page.locator('.cm-line', { has: bob.page.locator('.cm-remoteCaretLabel') }).textContent(), eventually).toContain('def greet');
    // Right after a move the label can be read: shown, opaque, inside the editor (not cut off above line 1).
    for (const person of [ada, bob]) {
      const label = person.page.locator('.cm-remoteCaretLabel');
      expect(await label.isVisible()).toBe(true);
      expect(await person.page.evaluate<string[]>(READ_LABEL_OPACITY)).toEqual(['1']);
      const [box, scroller] = await Promise.all([label.boundingBox(), person.page.locator('.cm-scroller').boundingBox()]);
      expect(box!.width).toBeGreaterThan(10);
      expect(box!.y).toBeGreaterThanOrEqual(scroller!.y);
      expect(box!.y + box!.height).toBeLessThanOrEqual(scroller!.y + scroller!.height);
    }
  });

  it('merges typing at the same time in the same line, and matches the server', async () => {
    await placeCursorAtLineEnd(ada.page, 4);
    await placeCursorAtLineEnd(bob.page, 4);
    const fromAda = 'x = 1234567890 + 1234567890';
    const fromBob = 'yyyyyyyyyyyyyyyyyyyyyyyyyyyy';
    await Promise.all([ada.page.keyboard.type(fromAda, { delay: 15 }), bob.page.keyboard.type(fromBob, { delay: 15 })]);

    await expect.poll(async () => (await readEditorText(ada.page)) === (await readEditorText(bob.page)), eventually).toBe(true);
    const merged = (await readEditorText(ada.page)) ?? '';
    const line = merged.split('\n')[3];
    expect(line).toHaveLength(fromAda.length + fromBob.length);
    expect(isSubsequence(fromAda, line)).toBe(true);
    expect(isSubsequence(fromBob, line)).toBe(true);
    await expect.poll(serverCode, eventually).toBe(merged);
    await expect.poll(() => ada.page.locator('.connection-status').getAttribute('data-pending'), eventually).toBe('false');
  });

  it('switches the language for everyone', async () => {
    expect(await bob.page.locator('.cm-content').getAttribute('data-language')).toBe('python');
    await ada.page.locator('.language-select').selectOption('javascript');
    await expect.poll(() => bob.page.locator('.language-select').inputValue(), eventually).toBe('javascript');
    await expect.poll(() => bob.page.locator('.cm-content').getAttribute('data-language'), eventually).toBe('javascript');
    await expect.poll(() => ada.page.locator('.cm-content').getAttribute('data-language'), eventually).toBe('javascript');
    await ada.page.locator('.language-select').selectOption('python');
    await expect.poll(() => bob.page.locator('.cm-content').getAttribute('data-language'), eventually).toBe('python');
  });

  it('undo in one tab reverts only that person’s edits', async () => {
    await placeCursorAtLineEnd(ada.page, 1);
    await ada.page.keyboard.type('  # ada_note', { delay: 10 });
    await ada.page.keyboard.press('Escape');
    await placeCursorAtLineEnd(bob.page, 7);
    await bob.page.keyboard.type('  # bob_note', { delay: 10 });
    await bob.page.keyboard.press('Escape');
    for (const person of [ada, bob]) {
      await expect.poll(textOf(person), eventually).toMatch(/ada_note[\s\S]*bob_note/);
    }

    await ada.page.keyboard.press('Control+z');
    for (const person of [ada, bob]) {
      await expect.poll(textOf(person), eventually).not.toContain('ada_note');
      expect(await readEditorText(person.page)).toContain('  # bob_note');
    }
    await expect.poll(serverCode, eventually).not.toContain('ada_note');
    expect(await serverCode()).toContain('bob_note');

    // Redo brings it back; Bob's edit is still untouched.
    await ada.page.keyboard.press('Control+y');
    await expect.poll(textOf(bob), eventually).toContain('def greet(name):  # ada_note');
    expect(await readEditorText(bob.page)).toContain('  # bob_note');
  });

  it('keeps the code across a reload', async () => {
    const before = await readEditorText(ada.page);
    await bob.page.reload();
    await waitUntilConnected(bob.page);
    await expect.poll(textOf(bob), eventually).toBe(before);
    expect(await serverCode()).toBe(before);
    // The name is remembered: no dialog the second time.
    expect(await bob.page.locator('.name-button').textContent()).toBe('Bob');
  });

  it('shows a new display name to the others at once', async () => {
    await ada.page.locator('.name-button').click();
    await ada.page.getByLabel('Display name').fill('Ada L.');
    await ada.page.getByRole('button', { name: 'Continue' }).click();
    await placeCursorAtLineEnd(ada.page, 2);
    await expect.poll(() => bob.page.locator('.presence-bar .presence-name').allTextContents(), eventually).toEqual(['Bob', 'Ada L.']);
    await expect.poll(() => bob.page.locator('.cm-remoteCaretLabel').allTextContents(), eventually).toEqual(['Ada L.']);
    expect(await ada.page.locator('.name-button').textContent()).toBe('Ada L.');
  });

  it('saves a screenshot of the two-person editor', async () => {
    // A fresh room with code worth looking at, for the README.
    const { roomId: demoId } = await createRoom(app.baseUrl, { language: 'python', title: 'Binary search kata', code: DEMO });
    await Promise.all([ada.page.goto(`${app.baseUrl}/r/${demoId}`), bob.page.goto(`${app.baseUrl}/r/${demoId}`)]);
    await Promise.all([waitUntilConnected(ada.page), waitUntilConnected(bob.page)]);
    await placeCursorAtLineEnd(bob.page, 8);
    await bob.page.keyboard.press('Shift+Home');
    await placeCursorAtLineEnd(ada.page, 20);
    await ada.page.keyboard.type('  # edge case');
    await expect.poll(() => ada.page.locator('.cm-remoteCaretLabel').allTextContents(), eventually).toEqual(['Bob']);
    await expect.poll(() => ada.page.locator('.cm-remoteSelection').count(), eventually).toBeGreaterThan(0);
    await expect.poll(() => bob.page.locator('.cm-remoteCaretLabel').allTextContents(), eventually).toEqual(['Ada L.']);
    await expect.poll(() => ada.page.locator('.cm-content').getAttribute('data-language'), eventually).toBe('python');
    // Join and leave announcements fade out first.
    await expect.poll(() => ada.page.locator('.toast').count(), eventually).toBe(0);
    mkdirSync('test-results', { recursive: true });
    await Promise.all([
      ada.page.screenshot({ path: 'test-results/two-users.png' }),
      bob.page.screenshot({ path: 'test-results/two-users-bob.png' }),
    ]);
  });

  it('tells the other person when someone closes their page', async () => {
    expect(await ada.page.locator('.presence-bar .presence-name').allTextContents()).toEqual(['Ada L.', 'Bob']);
    // Ada opened this room a moment ago; arrivals and departures are news only once her page settled.
    await expect.poll(() => ada.page.locator('.presence-bar').getAttribute('data-announcing'), eventually).toBe('true');
    await bob.page.close();
    await expect.poll(() => ada.page.locator('.toast-leave').allTextContents(), eventually).toContain('Bob left');
    await expect.poll(() => ada.page.locator('.presence-bar .presence-name').allTextContents(), eventually).toEqual(['Ada L.']);
    expect(await ada.page.locator('.presence-count').textContent()).toBe('Only you');
  });

  it('raised no page errors and no dialogs', () => {
    for (const person of [ada, bob]) {
      expect(person.errors).toEqual([]);
      expect(person.dialogs).toEqual([]);
    }
  });
});
