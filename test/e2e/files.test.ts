import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFile, readFileTree, writeFile } from '../../shared/room-files.ts';
import { connectClient, type TestClient } from '../support/providers.ts';
import { createRoom, startTestApp, type TestApp } from './support/app.ts';
import { joinRoom, launchBrowser, newPerson, readEditorText, waitUntilConnected, type Person } from './support/browser.ts';

// Multi-file rooms in a real Chromium (issue 15, web client): two people,
// each in a browser context of their own, share a room on a real server
// and work on its files through the tree and the tabs, typing key by key.
const eventually = { timeout: 20_000, interval: 50 };
const SCREENSHOTS = 'test-results/files';

let app: TestApp;
let browser: Browser;
let ada: Person;
let bob: Person;
let roomId: string;
let viewId: string;
/** A Yjs client of the room, to read what the server holds (the REST file routes are another module's). */
let observer: TestClient;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  ({ roomId } = await createRoom(app.baseUrl, { language: 'python', title: 'Files kata', code: 'from src.util import add\n\nprint(add(1, 2))\n' }));
  viewId = ((await (await fetch(`${app.baseUrl}/api/rooms/${roomId}`)).json()) as { viewId: string }).viewId;
  [ada, bob] = await Promise.all([newPerson(browser), newPerson(browser)]);
  await joinRoom(ada, `${app.baseUrl}/r/${roomId}`, 'Ada');
  await joinRoom(bob, `${app.baseUrl}/r/${roomId}`, 'Bob');
  observer = connectClient(app.server.wsUrl, roomId);
  await observer.synced;
});

afterAll(async () => {
  observer?.destroy();
  await browser?.close();
  await app?.close();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const treeItem = (page: Page, path: string) => page.locator(`.file-tree [role="treeitem"][data-path="${path}"]`);
const treePaths = (page: Page) => page.locator('.file-tree [role="treeitem"][data-kind="file"]').evaluateAll((items) => items.map((item) => item.getAttribute('data-path')));
const activeTab = (page: Page) => page.locator('.file-tab-active .file-tab-name').textContent();
const serverText = (path: string) => () => findFile(observer.doc, path)?.text.toString();

/** Types `text` one key at a time with a pause between keys, as a person does. */
async function typeSlowly(page: Page, text: string, gapMs = 40): Promise<void> {
  for (const char of text) {
    if (char === '\n') await page.keyboard.press('Enter');
    else await page.keyboard.type(char);
    await pause(gapMs);
  }
}

/** Creates a file through the tree's form; returns once its tab is shown. */
async function createFileInTree(page: Page, path: string): Promise<void> {
  await page.locator('.new-file').click();
  await page.locator('.file-edit-input').fill(path);
  await page.locator('.file-edit-input').press('Enter');
  await expect.poll(() => activeTab(page), eventually).toBe(path.split('/').pop());
}

/** Clicks into the editor at the end of the text. */
async function focusEditorEnd(page: Page): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+End');
}

describe('files in the web client', () => {
  it('shows the entry file, marked, in the tree and in a tab', async () => {
    for (const person of [ada, bob]) {
      await expect.poll(() => treePaths(person.page), eventually).toEqual(['main.py']);
      expect(await treeItem(person.page, 'main.py').locator('.file-entry-badge').textContent()).toBe('entry');
      expect(await activeTab(person.page)).toBe('main.py');
      await expect.poll(() => person.page.locator('.cm-content').getAttribute('data-language'), eventually).toBe('python');
    }
  });

  it('creates src/util.py in one browser and it appears in the other’s tree', async () => {
    await createFileInTree(ada.page, 'src/util.py');
    await expect.poll(() => treePaths(bob.page), eventually).toEqual(['src/util.py', 'main.py']);
    expect(await treeItem(bob.page, 'src').getAttribute('data-kind')).toBe('folder');
    // The new file is open in Ada's editor, in its own language, and empty.
    expect(await readEditorText(ada.page)).toBe('');
    expect(await ada.page.locator('.cm-content').getAttribute('data-language')).toBe('python');
  });

  it('shows why a path is refused, beside the field', async () => {
    const { page } = ada;
    await page.locator('.new-file').click();
    const input = page.locator('.file-edit-input');
    await input.fill('src/util.py');
    await input.press('Enter');
    await expect.poll(() => page.locator('.file-edit-error').textContent(), eventually).toContain('src/util.py already exists');
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    await input.fill('../escape.py');
    await input.press('Enter');
    await expect.poll(() => page.locator('.file-edit-error').textContent(), eventually).toContain('Not a valid path');
    await page.screenshot({ path: `${SCREENSHOTS}/inline-error.png` });
    await input.press('Escape');
    expect(await page.locator('.file-edit').isHidden()).toBe(true);
    expect(await treePaths(page)).toEqual(['src/util.py', 'main.py']);
  });

  it('lets both type in the same file; the texts converge', async () => {
    await treeItem(bob.page, 'src/util.py').click();
    await expect.poll(() => activeTab(bob.page), eventually).toBe('util.py');
    await focusEditorEnd(ada.page);
    await typeSlowly(ada.page, 'def add(a, b):\nreturn a + b');
    await expect.poll(() => readEditorText(bob.page), eventually).toBe('def add(a, b):\n    return a + b');
    await bob.page.keyboard.press('Escape');
    await focusEditorEnd(bob.page);
    await Promise.all([
      typeSlowly(bob.page, '\n\ndef sub(a, b):\nreturn a - b', 50),
      (async () => {
        await ada.page.locator('.cm-content .cm-line').first().click();
        await ada.page.keyboard.press('Home');
        await typeSlowly(ada.page, '# util\n', 60);
      })(),
    ]);
    for (const person of [ada, bob]) {
      await expect.poll(() => readEditorText(person.page), eventually).toMatch(/^# util\ndef add\(a, b\):\n {4}return a \+ b\n[\s\S]*def sub\(a, b\):\n\s+return a - b$/);
    }
    expect(await readEditorText(ada.page)).toBe(await readEditorText(bob.page));
    await expect.poll(serverText('src/util.py'), eventually).toBe(await readEditorText(ada.page));
    // The entry file was not touched.
    expect(observer.text.toString()).toBe('from src.util import add\n\nprint(add(1, 2))\n');
  });

  it('shows each person’s file in the presence bar and the tree, and a remote cursor only in its own file', async () => {
    // Bob goes back to the entry file; Ada stays in util.py.
    await treeItem(bob.page, 'main.py').click();
    await bob.page.locator('.cm-content .cm-line').nth(2).click();
    await expect.poll(() => ada.page.locator('.presence-bar [data-client-id] .presence-file').allTextContents(), eventually).toEqual(['util.py', 'main.py']);
    await expect.poll(() => bob.page.locator('.presence-bar [data-client-id] .presence-file').allTextContents(), eventually).toEqual(['main.py', 'util.py']);
    await expect.poll(() => ada.page.locator('.file-tree [data-path="main.py"] .file-peer').getAttribute('title'), eventually).toBe('Bob is here');
    expect(await ada.page.locator('.file-tree [data-path="src/util.py"] .file-peer').count()).toBe(0);
    await expect.poll(() => bob.page.locator('.file-tree [data-path="src/util.py"] .file-peer').getAttribute('title'), eventually).toBe('Ada is here');

    // Ada's cursor is in util.py: Bob, in main.py, sees no cursor of hers.
    await ada.page.locator('.cm-content .cm-line').nth(1).click();
    await bob.page.screenshot({ path: `${SCREENSHOTS}/two-people.png` });
    // Ada sees Bob's cursor in no file of hers (he is in main.py, she in util.py)…
    expect(await ada.page.locator('.cm-remoteCaret').count()).toBe(0);
    expect(await bob.page.locator('.cm-remoteCaret').count()).toBe(0);
    // …and when she opens main.py, his cursor is there, on the line he clicked.
    await treeItem(ada.page, 'main.py').click();
    await expect.poll(() => ada.page.locator('.cm-remoteCaretLabel').allTextContents(), eventually).toEqual(['Bob']);
    expect(await ada.page.locator('.cm-line', { has: ada.page.locator('.cm-remoteCaretLabel') }).textContent()).toContain('print(add(1, 2))');
    await ada.page.screenshot({ path: `${SCREENSHOTS}/remote-cursor.png` });
    // Back in util.py with Bob in main.py: no cursor drawn.
    await ada.page.locator('.file-tab', { hasText: 'util.py' }).locator('.file-tab-name').click();
    await expect.poll(() => ada.page.locator('.cm-content').textContent(), eventually).toContain('def add');
    await expect.poll(() => ada.page.locator('.cm-remoteCaret').count(), eventually).toBe(0);
  });

  it('renames a file while the other person types in it, and no text is lost', async () => {
    await treeItem(bob.page, 'src/util.py').click();
    await expect.poll(() => activeTab(bob.page), eventually).toBe('util.py');
    await focusEditorEnd(bob.page);
    const typed = '\n\ndef mul(a, b):\nreturn a * b';
    const typing = typeSlowly(bob.page, typed, 70);
    await pause(300);
    // Ada renames it with a path: the file moves to another folder.
    await treeItem(ada.page, 'src/util.py').focus();
    await ada.page.keyboard.press('F2');
    await ada.page.locator('.file-edit-input').fill('lib/helpers.py');
    await ada.page.locator('.file-edit-input').press('Enter');
    await typing;
    for (const person of [ada, bob]) {
      await expect.poll(() => treePaths(person.page), eventually).toEqual(['lib/helpers.py', 'main.py']);
    }
    await expect.poll(() => activeTab(bob.page), eventually).toBe('helpers.py');
    await expect.poll(() => readEditorText(bob.page), eventually).toMatch(/def mul\(a, b\):\n\s+return a \* b$/);
    await expect.poll(serverText('lib/helpers.py'), eventually).toBe(await readEditorText(bob.page));
    const text = (await readEditorText(bob.page))!;
    for (const part of ['# util', 'def add(a, b):', 'def sub(a, b):', 'def mul(a, b):']) expect(text.split(part)).toHaveLength(2);
  });

  it('moves a file by dragging it onto a folder', async () => {
    const { page } = ada;
    await page.locator('.new-folder').click();
    await page.locator('.file-edit-input').fill('tests');
    await page.locator('.file-edit-input').press('Enter');
    await expect.poll(() => treeItem(page, 'tests').count(), eventually).toBe(1);
    await treeItem(page, 'lib/helpers.py').locator('.file-row').dragTo(treeItem(page, 'tests').locator('.file-row'));
    for (const person of [ada, bob]) {
      // Folders first, then files.
      await expect.poll(() => treePaths(person.page), eventually).toEqual(['tests/helpers.py', 'main.py']);
    }
    expect(await readFileTree(observer.doc).files.map((file) => file.path)).toEqual(['main.py', 'tests/helpers.py']);
  });

  it('moves through the tree with the arrow keys, closes and opens folders, and opens a file with Enter', async () => {
    const { page } = ada;
    const focused = () => page.locator(':focus').getAttribute('data-path');
    await treeItem(page, 'main.py').focus();
    await page.keyboard.press('Home');
    expect(await focused()).toBe('tests');
    await page.keyboard.press('ArrowLeft'); // closes the folder
    expect(await treeItem(page, 'tests').getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('ArrowDown'); // its file is hidden: next is main.py
    expect(await focused()).toBe('main.py');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowRight'); // opens it
    expect(await treeItem(page, 'tests').getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('ArrowRight'); // steps into it
    expect(await focused()).toBe('tests/helpers.py');
    await page.keyboard.press('ArrowLeft'); // back to the parent
    expect(await focused()).toBe('tests');
    await page.keyboard.press('End');
    expect(await focused()).toBe('main.py');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await expect.poll(() => activeTab(page), eventually).toBe('helpers.py');
    await treeItem(page, 'main.py').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => activeTab(page), eventually).toBe('main.py');
  });

  it('cannot delete the entry file, and says why', async () => {
    const { page } = ada;
    // The row's actions show on the row under the pointer.
    await treeItem(page, 'main.py').locator('.file-row').hover();
    const remove = treeItem(page, 'main.py').locator('.file-delete');
    expect(await remove.getAttribute('aria-disabled')).toBe('true');
    expect(await remove.getAttribute('title')).toContain('The entry file cannot be deleted');
    // Off, but not inert: trying says why.
    await remove.click({ force: true });
    await expect.poll(() => page.locator('.file-tree-error').textContent(), eventually).toContain('The entry file cannot be deleted');
    // The keyboard's Delete too; no dialog opens.
    await treeItem(page, 'main.py').focus();
    await page.keyboard.press('Delete');
    expect(await page.locator('.confirm-dialog').count()).toBe(0);
    expect(await treePaths(page)).toContain('main.py');
  });

  it('deletes a file after a confirmation, for everyone', async () => {
    const { page } = ada;
    await expect.poll(() => activeTab(bob.page), eventually).toBe('helpers.py');
    const row = treeItem(page, 'tests/helpers.py');
    await row.locator('.file-row').hover();
    await row.locator('.file-delete').click();
    const dialog = page.locator('.confirm-dialog');
    await dialog.waitFor();
    expect(await dialog.locator('.dialog-title').textContent()).toBe('Delete tests/helpers.py?');
    await page.screenshot({ path: `${SCREENSHOTS}/delete-confirmation.png` });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await treePaths(page)).toContain('tests/helpers.py');

    await row.locator('.file-row').hover();
    await row.locator('.file-delete').click();
    await page.locator('.confirm-dialog').getByRole('button', { name: 'Delete' }).click();
    for (const person of [ada, bob]) {
      await expect.poll(() => treePaths(person.page), eventually).toEqual(['main.py']);
    }
    // Bob had it open: his editor went back to the entry file.
    await expect.poll(() => activeTab(bob.page), eventually).toBe('main.py');
    await expect.poll(() => readEditorText(bob.page), eventually).toBe('from src.util import add\n\nprint(add(1, 2))\n');
    await expect.poll(() => readFileTree(observer.doc).files.length, eventually).toBe(1);
    // The empty folder stays until it is deleted too.
    expect(await treeItem(page, 'tests').count()).toBe(1);
  });

  it('undoes by word and by line, per file, and only this person’s edits', async () => {
    const { page } = ada;
    await createFileInTree(page, 'undo.py');
    await focusEditorEnd(page);
    // Two lines typed without a pause, 90 ms per key.
    await typeSlowly(page, 'alpha = beta + gamma\ndelta = epsilon', 90);
    await page.keyboard.press('Escape');
    const full = 'alpha = beta + gamma\ndelta = epsilon';
    await expect.poll(() => readEditorText(page), eventually).toBe(full);

    // Meanwhile Bob types in main.py, and Ada in main.py too.
    await focusEditorEnd(bob.page);
    await typeSlowly(bob.page, '# bob', 40);
    await page.locator('.file-tab', { hasText: 'main.py' }).locator('.file-tab-name').click();
    await focusEditorEnd(page);
    await typeSlowly(page, 'x = 1', 40);
    await page.keyboard.press('Escape');
    await page.locator('.file-tab', { hasText: 'undo.py' }).locator('.file-tab-name').click();
    await expect.poll(() => readEditorText(page), eventually).toBe(full);

    // One Ctrl+Z takes back the last word only.
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+z');
    await expect.poll(() => readEditorText(page), eventually).toBe('alpha = beta + gamma\ndelta = ');
    let steps = 1;
    while ((await readEditorText(page)) !== '' && steps < 40) {
      await page.keyboard.press('Control+z');
      steps++;
      await pause(50);
    }
    expect(await readEditorText(page)).toBe('');
    // Words and line breaks: far more than one step, and not one per key.
    expect(steps).toBeGreaterThanOrEqual(6);
    expect(steps).toBeLessThan(full.length / 2);

    // main.py kept Ada's and Bob's edits: undo in undo.py touched only undo.py.
    await page.locator('.file-tab', { hasText: 'main.py' }).locator('.file-tab-name').click();
    await expect.poll(() => readEditorText(page), eventually).toContain('x = 1');
    expect(await readEditorText(page)).toContain('# bob');
    // Undo there takes back Ada's own text, never Bob's.
    await page.locator('.cm-content').click();
    for (let i = 0; i < 4; i++) await page.keyboard.press('Control+z');
    await expect.poll(() => readEditorText(page), eventually).not.toContain('x = 1');
    expect(await readEditorText(page)).toContain('# bob');
    await expect.poll(() => readEditorText(bob.page), eventually).not.toContain('x = 1');
  });

  it('remembers the open tabs of this browser tab across a reload', async () => {
    const { page } = ada;
    await page.locator('.file-tab', { hasText: 'undo.py' }).locator('.file-tab-name').click();
    await page.reload();
    await waitUntilConnected(page);
    await expect.poll(() => page.locator('.file-tab .file-tab-name').allTextContents(), eventually).toEqual(['main.py', 'undo.py']);
    await expect.poll(() => activeTab(page), eventually).toBe('undo.py');
    // Closing a tab shows its neighbour.
    await page.locator('.file-tab', { hasText: 'undo.py' }).locator('.file-tab-close').click();
    await expect.poll(() => activeTab(page), eventually).toBe('main.py');
    expect(await page.locator('.file-tab').count()).toBe(1);
  });

  it('shows the tree and tabs read-only on the view page', async () => {
    const vic = await newPerson(browser);
    await joinRoom(vic, `${app.baseUrl}/v/${viewId}`, 'Vic');
    const { page } = vic;
    await expect.poll(() => treePaths(page), eventually).toEqual(['main.py', 'undo.py']);
    expect(await page.locator('.new-file').count()).toBe(0);
    expect(await page.locator('.file-actions').count()).toBe(0);
    expect(await treeItem(page, 'main.py').getAttribute('draggable')).toBeNull();
    await treeItem(page, 'undo.py').click();
    await expect.poll(() => activeTab(page), eventually).toBe('undo.py');
    expect(await page.locator('.cm-content').getAttribute('contenteditable')).toBe('false');
    await page.keyboard.press('F2');
    expect(await page.locator('.file-edit').isHidden()).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}/view-page.png` });
    await vic.context.close();
  });

  it('folds the tree behind a button at phone width; the editor stays usable', async () => {
    const phone = await newPerson(browser, { viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true });
    await joinRoom(phone, `${app.baseUrl}/r/${roomId}`, 'Pat');
    const { page } = phone;
    const panel = page.locator('.file-panel');
    expect(await panel.isVisible()).toBe(false);
    const toggle = page.locator('.files-toggle');
    expect(await toggle.isVisible()).toBe(true);
    const editorBox = (await page.locator('.cm-editor').boundingBox())!;
    expect(editorBox.width).toBeGreaterThan(340);
    await toggle.click();
    expect(await panel.isVisible()).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}/phone-tree-open.png` });
    await treeItem(page, 'undo.py').click();
    expect(await panel.isVisible()).toBe(false);
    await expect.poll(() => activeTab(page), eventually).toBe('undo.py');
    await page.locator('.cm-content').click();
    await typeSlowly(page, 'z = 3', 40);
    await expect.poll(serverText('undo.py'), eventually).toContain('z = 3');
    await page.screenshot({ path: `${SCREENSHOTS}/phone-editor.png` });
    await phone.context.close();
  });
});

describe('languages', () => {
  it('gives each file its own language and highlighting', async () => {
    const { page } = ada;
    await createFileInTree(page, 'docs/notes.md');
    await expect.poll(() => page.locator('.cm-content').getAttribute('data-language'), eventually).toBe('markdown');
    expect(await page.locator('.language-select').inputValue()).toBe('markdown');
    // A new file takes the focus: typing goes into it at once.
    await typeSlowly(page, '# Notes', 40);
    await expect.poll(serverText('docs/notes.md'), eventually).toBe('# Notes');
    // The heading looks different from plain text.
    await expect.poll(() => page.evaluate<boolean>(`(() => {
      const look = (el) => { const s = getComputedStyle(el); return [s.color, s.fontWeight, s.fontStyle, s.textDecorationLine].join(); };
      const line = document.querySelector('.cm-content .cm-line');
      return [...line.querySelectorAll('span')].some((span) => span.textContent.includes('Notes') && look(span) !== look(line));
    })()`), eventually).toBe(true);
    await page.locator('.file-tab', { hasText: 'main.py' }).locator('.file-tab-name').click();
    await expect.poll(() => page.locator('.cm-content').getAttribute('data-language'), eventually).toBe('python');
    expect(await page.locator('.language-select').inputValue()).toBe('python');
    // The menu sets the language of the file shown: the entry's is the room's.
    await page.locator('.file-tab', { hasText: 'notes.md' }).locator('.file-tab-name').click();
    await page.locator('.language-select').selectOption('plaintext');
    await expect.poll(() => readFileTree(observer.doc).files.find((file) => file.path === 'docs/notes.md')?.language, eventually).toBe('plaintext');
    expect(((await (await fetch(`${app.baseUrl}/api/rooms/${roomId}`)).json()) as { language: string }).language).toBe('python');
  });
});

describe('a room of many files', () => {
  it('renders a tree of 200 files and switches between them', async () => {
    const { roomId: bigRoom } = await createRoom(app.baseUrl, { language: 'python', code: 'print("big")\n' });
    const writer = connectClient(app.server.wsUrl, bigRoom);
    await writer.synced;
    writer.doc.transact(() => {
      for (let i = 1; i < 200; i++) writeFile(writer.doc, `pkg${i % 10}/module_${String(i).padStart(3, '0')}.py`, `# module ${i}\nVALUE = ${i}\n`);
    });
    await expect.poll(() => writer.provider.hasUnsyncedChanges, eventually).toBe(false);
    writer.destroy();

    const person = await newPerson(browser);
    const started = Date.now();
    await joinRoom(person, `${app.baseUrl}/r/${bigRoom}`, 'Ben');
    const { page } = person;
    await expect.poll(() => page.locator('.file-tree [data-kind="file"]').count(), eventually).toBe(200);
    const loadMs = Date.now() - started;
    // Figures, not asserts: folding a folder, and drawing the whole tree again after a change of the files.
    const figures = await page.evaluate<{ foldMs: number; redrawMs: number }>(`(async () => {
      const tree = document.querySelector('.file-tree');
      let start = performance.now();
      for (let i = 0; i < 10; i++) { tree.querySelector('[data-kind="folder"]').click(); void tree.getBoundingClientRect(); }
      const foldMs = (performance.now() - start) / 10;
      start = performance.now();
      for (let i = 0; i < 5; i++) {
        document.querySelector('.new-folder').click();
        const input = document.querySelector('.file-edit-input');
        input.value = 'made' + i;
        input.form.requestSubmit();
        await new Promise((resolve) => setTimeout(resolve));
        void tree.getBoundingClientRect();
      }
      return { foldMs, redrawMs: (performance.now() - start) / 5 };
    })()`);
    console.log(`200-file room: open to full tree ${loadMs} ms; fold a folder ${figures.foldMs.toFixed(1)} ms; redraw after a change ${figures.redrawMs.toFixed(1)} ms`);
    await treeItem(page, 'pkg3/module_123.py').scrollIntoViewIfNeeded();
    await treeItem(page, 'pkg3/module_123.py').click();
    await expect.poll(() => readEditorText(page), eventually).toBe('# module 123\nVALUE = 123\n');
    await page.screenshot({ path: `${SCREENSHOTS}/many-files.png` });
    await person.context.close();
  });
});

describe('download', () => {
  it('saves a one-file room as that file, named from the title, else pairpad-<language>', async () => {
    const { roomId: single } = await createRoom(app.baseUrl, { language: 'rust', code: 'fn main() {}\n' });
    const person = await newPerson(browser);
    await joinRoom(person, `${app.baseUrl}/r/${single}`, 'Dee');
    const { page } = person;
    const save = async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.download').click()]);
      return { name: download.suggestedFilename(), text: readFileSync(await download.path(), 'utf8') };
    };
    expect(await save()).toEqual({ name: 'pairpad-rust.rs', text: 'fn main() {}\n' });
    await page.locator('.room-title').fill('Borrow: checker?');
    await page.locator('.room-title').press('Enter');
    await expect.poll(() => save().then((file) => file.name), eventually).toBe('Borrow checker.rs');
    expect((await save()).name).not.toContain(single);
    await person.context.close();
  });

  it('saves a room of several files as the zip of GET /api/rooms/:roomId/archive', async (context) => {
    // The archive route comes with the REST side of issue 15 (another branch); until it is merged there is nothing to fetch.
    const probe = await fetch(`${app.baseUrl}/api/rooms/${roomId}/archive`);
    if (probe.status === 404 && !(probe.headers.get('content-type') ?? '').includes('zip')) context.skip();
    const [download] = await Promise.all([ada.page.waitForEvent('download'), ada.page.locator('.download').click()]);
    expect(download.suggestedFilename()).toBe('Files kata.zip');
    const bytes = readFileSync(await download.path());
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
  });
});
