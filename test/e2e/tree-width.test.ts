import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, startTestApp, type TestApp } from './support/app.ts';
import { joinRoom, launchBrowser, newPerson, type Person } from './support/browser.ts';

// The file tree at laptop widths with two or three people in the room: an
// earlier session's screenshots showed `main.py` cut to `mai…` at 1280 px.
// Names of ordinary length must show whole, the editor keeps most of the
// width and nothing runs off the page sideways; a long name may still end in
// an ellipsis, with the whole path in its tooltip. Screenshots go to
// /tmp/tree-width/.
const eventually = { timeout: 20_000, interval: 50 };
const SCREENSHOTS = '/tmp/tree-width';
const ORDINARY_PATHS = ['main.py', 'utils/helpers.py', 'README.md', 'tests/test_main.py'];
const LONG_PATH = 'utils/an_unusually_long_module_name_for_the_data_loading_pipeline.py';
const NAMES = ['Ada', 'Bob', 'Cy'];

let app: TestApp;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** What the room page looks like to one person, measured in their page. */
interface Layout {
  viewportWidth: number;
  /** The page's own width: more than the viewport means a sideways scroll. */
  documentWidth: number;
  treeWidth: number;
  /** The file panel's content width and box width. */
  treeScrollWidth: number;
  treeClientWidth: number;
  editorWidth: number;
  /** Base names in the tree whose text is wider than their box (ellipsized). */
  truncatedNames: string[];
}

// A string: the Node test project has no DOM types.
const MEASURE_LAYOUT = `(() => {
  const panel = document.querySelector('.file-panel');
  return {
    viewportWidth: window.innerWidth,
    documentWidth: document.documentElement.scrollWidth,
    treeWidth: panel.getBoundingClientRect().width,
    treeScrollWidth: panel.scrollWidth,
    treeClientWidth: panel.clientWidth,
    editorWidth: document.querySelector('.editor-column').getBoundingClientRect().width,
    truncatedNames: [...document.querySelectorAll('.file-tree .file-name')]
      .filter((name) => name.scrollWidth > name.clientWidth)
      .map((name) => name.textContent),
  };
})()`;

const treeItem = (page: Page, path: string) => page.locator(`.file-tree [role="treeitem"][data-path="${path}"]`);
const baseName = (path: string) => path.split('/').pop()!;

/** Opens a room of a few files for `count` people at `viewport`; everyone stays in main.py (the tree's most crowded row). */
async function openRoom(viewport: { width: number; height: number }, count: number): Promise<Person[]> {
  const { roomId } = await createRoom(app.baseUrl, {
    files: [...ORDINARY_PATHS, LONG_PATH].map((path) => ({ path, content: `# ${path}\n` })),
  });
  const people = await Promise.all(NAMES.slice(0, count).map(() => newPerson(browser, { viewport })));
  for (const [index, person] of people.entries()) await joinRoom(person, `${app.baseUrl}/r/${roomId}`, NAMES[index]!);
  for (const { page } of people) {
    await expect.poll(() => page.locator('.presence-bar [data-client-id]').count(), eventually).toBe(count);
    // The others show as dots on main.py's row, beside the entry badge.
    await expect.poll(() => treeItem(page, 'main.py').locator('.file-peer').count(), eventually).toBe(count - 1);
    // The row under the pointer also holds the rename and delete buttons.
    await treeItem(page, 'main.py').locator('.file-row').hover();
  }
  return people;
}

describe('file names in the tree at laptop widths', () => {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 1024, height: 768 }]) {
    for (const count of [2, 3]) {
      it(`shows ordinary names whole at ${viewport.width} × ${viewport.height} with ${count} people`, async () => {
        const people = await openRoom(viewport, count);
        await people[0]!.page.screenshot({ path: `${SCREENSHOTS}/${viewport.width}-${count}-people.png` });
        for (const { page } of people) {
          const layout = await page.evaluate<Layout>(MEASURE_LAYOUT);
          console.log(`${viewport.width} px, ${count} people: ${JSON.stringify(layout)}`);
          expect(layout.truncatedNames).toEqual([baseName(LONG_PATH)]);
          expect(layout.documentWidth).toBeLessThanOrEqual(layout.viewportWidth);
          expect(layout.treeScrollWidth).toBeLessThanOrEqual(layout.treeClientWidth);
          // The editor keeps most of the width.
          expect(layout.editorWidth).toBeGreaterThanOrEqual(0.7 * layout.viewportWidth);
          // The long name ends in an ellipsis; its tooltip gives the whole path.
          expect(await treeItem(page, LONG_PATH).locator('.file-name').getAttribute('title')).toBe(LONG_PATH);
        }
        await Promise.all(people.map((person) => person.context.close()));
      });
    }
  }

  it('shows them whole beside the open chat at 1024 × 768', async () => {
    const people = await openRoom({ width: 1024, height: 768 }, 3);
    const { page } = people[0]!;
    await page.locator('.chat-toggle').click();
    await page.locator('.chat-panel').waitFor();
    await treeItem(page, 'main.py').locator('.file-row').hover();
    await page.screenshot({ path: `${SCREENSHOTS}/1024-3-people-chat.png` });
    const layout = await page.evaluate<Layout>(MEASURE_LAYOUT);
    console.log(`1024 px, 3 people, chat open: ${JSON.stringify(layout)}`);
    expect(layout.truncatedNames).toEqual([baseName(LONG_PATH)]);
    expect(layout.documentWidth).toBeLessThanOrEqual(layout.viewportWidth);
    expect(layout.treeScrollWidth).toBeLessThanOrEqual(layout.treeClientWidth);
    await Promise.all(people.map((person) => person.context.close()));
  });
});
