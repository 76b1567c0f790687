import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, fetchRoom, startTestApp, type TestApp } from './support/app.ts';
import { joinRoom, launchBrowser, newPerson, readEditorText, waitUntilConnected, type Person } from './support/browser.ts';

// Issue 14, item 10: font size, tab width, indentation, wrap and Vim/Emacs
// key bindings, kept per browser.
const eventually = { timeout: 15_000, interval: 50 };

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

const fontSize = (person: Person) => person.page.locator('.cm-content').evaluate((element) => element.ownerDocument.defaultView!.getComputedStyle(element).fontSize);

describe('editor settings', () => {
  it('applies font size, wrap and Vim keys at once, and keeps them after a reload', async () => {
    const { roomId } = await createRoom(app.baseUrl, { code: 'hello\n' });
    const ada = await newPerson(browser);
    people.push(ada);
    await joinRoom(ada, `${app.baseUrl}/r/${roomId}`, 'Ada');
    expect(await fontSize(ada)).toBe('14px');

    await ada.page.getByRole('button', { name: 'Editor settings' }).click();
    await ada.page.getByLabel('Font size').selectOption('18');
    await ada.page.getByLabel('Wrap long lines').selectOption('on');
    await ada.page.getByLabel('Key bindings').selectOption('vim');
    await ada.page.screenshot({ path: 'test-results/editor-settings.png' });
    await ada.page.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => fontSize(ada), eventually).toBe('18px');
    await expect.poll(() => ada.page.locator('.cm-editor').getAttribute('data-keys'), eventually).toBe('vim');
    expect(await ada.page.locator('.cm-content').getAttribute('class')).toContain('cm-lineWrapping');

    // Vim: normal mode first; `A` appends at the end of the line, Escape leaves insert mode, `x` deletes.
    await ada.page.locator('.cm-content .cm-line').first().click();
    await ada.page.keyboard.press('Escape');
    await ada.page.keyboard.press('Shift+A');
    await ada.page.keyboard.type(' vim!');
    await ada.page.keyboard.press('Escape');
    await ada.page.keyboard.press('x');
    await expect.poll(() => fetchRoom(app.baseUrl, roomId).then((room) => room.code), eventually).toBe('hello vim\n');

    await ada.page.reload();
    await waitUntilConnected(ada.page);
    await expect.poll(() => ada.page.locator('.cm-editor').getAttribute('data-keys'), eventually).toBe('vim');
    expect(await fontSize(ada)).toBe('18px');
    await ada.page.getByRole('button', { name: 'Editor settings' }).click();
    expect(await ada.page.getByLabel('Font size').inputValue()).toBe('18');
    expect(await ada.page.getByLabel('Key bindings').inputValue()).toBe('vim');
  });

  it('indents with the chosen tab width and spaces, and Emacs keys move the cursor', async () => {
    const { roomId } = await createRoom(app.baseUrl, { code: 'abc\n' });
    const bob = await newPerson(browser);
    people.push(bob);
    await joinRoom(bob, `${app.baseUrl}/r/${roomId}`, 'Bob');
    await bob.page.getByRole('button', { name: 'Editor settings' }).click();
    await bob.page.getByLabel('Tab width').selectOption('2');
    await bob.page.getByLabel('Indent with').selectOption('spaces');
    await bob.page.getByLabel('Key bindings').selectOption('emacs');
    await bob.page.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => bob.page.locator('.cm-editor').getAttribute('data-keys'), eventually).toBe('emacs');
    await bob.page.locator('.cm-content .cm-line').first().click();
    // Emacs: Ctrl+E to the end of the line, Ctrl+A to its start.
    await bob.page.keyboard.press('Control+e');
    await bob.page.keyboard.type('!');
    await bob.page.keyboard.press('Control+a');
    await bob.page.keyboard.press('Tab');
    await expect.poll(() => readEditorText(bob.page), eventually).toBe('  abc!\n');
    await expect.poll(() => fetchRoom(app.baseUrl, roomId).then((room) => room.code), eventually).toBe('  abc!\n');
  });

  it('raised no page errors', () => {
    for (const person of people) expect(person.errors).toEqual([]);
  });
});
