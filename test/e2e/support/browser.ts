import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

/** Debian's Chromium, headless, with everything that phones home turned off. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

/** A browser context standing for one person, with what went wrong in it collected. */
export interface Person {
  context: BrowserContext;
  page: Page;
  /** Messages of every JavaScript dialog (alert, confirm…) that opened. */
  dialogs: string[];
  /** Uncaught page errors. */
  errors: string[];
}

/** Opens a new context (its own localStorage: a different person) with one page. */
export async function newPerson(browser: Browser, options: BrowserContextOptions = {}): Promise<Person> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, ...options });
  const page = await context.newPage();
  const person: Person = { context, page, dialogs: [], errors: [] };
  page.on('dialog', (dialog) => {
    person.dialogs.push(dialog.message());
    void dialog.dismiss().catch(() => {});
  });
  page.on('pageerror', (error) => person.errors.push(error.message));
  return person;
}

/**
 * Opens a room as a first-time visitor: answers the display-name dialog
 * and waits until the editor is connected and synced.
 */
export async function joinRoom(person: Person, url: string, name: string): Promise<void> {
  const { page } = person;
  await page.goto(url);
  await page.getByLabel('Display name').fill(name);
  await page.getByRole('button', { name: 'Continue' }).click();
  await waitUntilConnected(page);
}

/** Waits until the status pill says the editor is connected and synced. */
export async function waitUntilConnected(page: Page): Promise<void> {
  await page.locator('.cm-content').waitFor();
  await page.locator('.connection-status[data-state="connected"]').waitFor();
}

// The text of the document as CodeMirror shows it, without widgets (remote
// cursor labels, ghost text). A string so that it runs in the page without
// DOM types in the Node test project.
const READ_EDITOR_TEXT = `(() => {
  const content = document.querySelector('.cm-content');
  if (!content) return null;
  const clone = content.cloneNode(true);
  for (const widget of clone.querySelectorAll('.cm-remoteCaret, .cm-ghostText, .cm-widgetBuffer')) widget.remove();
  return Array.from(clone.querySelectorAll('.cm-line'), (line) => line.textContent).join('\\n');
})()`;

/** The editor's text in a page (small documents: every line is rendered). */
export async function readEditorText(page: Page): Promise<string | null> {
  return page.evaluate<string | null>(READ_EDITOR_TEXT);
}

/** Puts the cursor at the end of line `line` (1-based) by clicking it and pressing End. */
export async function placeCursorAtLineEnd(page: Page, line: number): Promise<void> {
  await page.locator('.cm-content .cm-line').nth(line - 1).click();
  await page.keyboard.press('End');
}
