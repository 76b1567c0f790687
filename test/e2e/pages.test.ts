import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHORTCUTS } from '../../client/editor/shortcuts.ts';
import { LANGUAGES, LANGUAGE_FILE_EXTENSIONS, type Language } from '../../shared/protocol.ts';
import { createRoom, fetchRoom, startTestApp, type TestApp } from './support/app.ts';
import { startCspProxy } from './support/csp-proxy.ts';
import { joinRoom, launchBrowser, newPerson, placeCursorAtLineEnd, readEditorText, waitUntilConnected, type Person } from './support/browser.ts';

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
    for (const selector of ['.language-select', '.connection-status', '.copy-link', '.copy-view-link', '.download', '.settings-button', '.theme-toggle', '.name-button', '.cm-content']) {
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

    // A touch screen lists no keyboard shortcuts (issue 14, item 8): neither the list nor its button.
    expect(await page.locator('.shortcut-hint').getByRole('button', { name: 'Shortcuts' }).isVisible()).toBe(false);
    expect(await page.locator('.shortcut-hint .shortcut').first().isVisible()).toBe(false);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
  });
});

describe('share and export', () => {
  it('copies the edit and view links and downloads the code in a file named for its language', async () => {
    const { roomId } = await createRoom(app.baseUrl, { language: 'python', title: 'Share me', code: 'def double(x):\n    return 2 * x\n' });
    const sharer = await person();
    await sharer.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.baseUrl });
    await joinRoom(sharer, `${app.baseUrl}/r/${roomId}`, 'Sue');
    const { page } = sharer;
    const readClipboard = () => page.evaluate<string>('navigator.clipboard.readText()');
    // On a wide window the hints sit in one row and need no button.
    expect(await page.locator('.shortcut-toggle').isVisible()).toBe(false);
    expect(await page.locator('.shortcut-hint .shortcut').last().isVisible()).toBe(true);

    await page.locator('.copy-link').click();
    await expect.poll(readClipboard, eventually).toBe(`${app.baseUrl}/r/${roomId}`);
    await expect.poll(() => page.locator('.toast').allTextContents(), eventually).toContain('Link copied. Anyone with it can edit.');
    await page.locator('.copy-view-link').click();
    await expect.poll(readClipboard, eventually).toMatch(/\/v\/[A-Za-z0-9_-]{8,64}$/);
    const viewLink = await readClipboard();
    expect(viewLink.startsWith(`${app.baseUrl}/v/`)).toBe(true);
    expect(viewLink).not.toContain(roomId);
    expect(await fetchRoom(app.baseUrl, new URL(viewLink).pathname.split('/')[2])).toMatchObject({ title: 'Share me' });

    // The file holds the room's code as it is now, edits included.
    await placeCursorAtLineEnd(page, 2);
    await page.keyboard.type('  # shared');
    await page.keyboard.press('Escape');
    for (const language of ['python', 'rust'] as const) {
      if (language !== 'python') {
        await page.locator('.language-select').selectOption(language);
        await expect.poll(() => fetchRoom(app.baseUrl, roomId).then((room) => room.language), eventually).toBe(language);
      }
      await expect.poll(() => fetchRoom(app.baseUrl, roomId).then((room) => room.code), eventually).toBe('def double(x):\n    return 2 * x  # shared\n');
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.download').click()]);
      expect(download.suggestedFilename()).toMatch(new RegExp(`\\.${LANGUAGE_FILE_EXTENSIONS[language]}$`));
      expect(readFileSync(await download.path(), 'utf8')).toBe((await fetchRoom(app.baseUrl, roomId)).code);
    }
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

describe('every language', () => {
  /**
   * A few lines in each language, one token of which the mode must
   * highlight, and the `data-language` CodeMirror gives the content (C uses
   * the C++ mode). Plain text has neither.
   */
  const SAMPLES: Record<Language, { code: string; token: string; mode: string | null }> = {
    python: { code: 'def area(r):\n    return 3.14 * r * r\n', token: 'def', mode: 'python' },
    javascript: { code: 'const answer = 42;\n', token: 'const', mode: 'javascript' },
    typescript: { code: 'interface Point {\n  x: number;\n}\n', token: 'interface', mode: 'typescript' },
    java: { code: 'public class Main {\n}\n', token: 'class', mode: 'java' },
    c: { code: 'int main(void) {\n  return 0;\n}\n', token: 'return', mode: 'cpp' },
    cpp: { code: '#include <vector>\nint main() {\n  return 0;\n}\n', token: 'return', mode: 'cpp' },
    csharp: { code: 'public class Program {\n}\n', token: 'class', mode: 'csharp' },
    go: { code: 'package main\n\nfunc main() {\n}\n', token: 'func', mode: 'go' },
    rust: { code: 'fn main() {\n    let x = 1;\n}\n', token: 'fn', mode: 'rust' },
    ruby: { code: 'def greet\n  puts "hi"\nend\n', token: 'def', mode: 'ruby' },
    php: { code: '<?php\nfunction greet() {\n  return 1;\n}\n', token: 'function', mode: 'php' },
    kotlin: { code: 'fun main() {\n    val x = 1\n}\n', token: 'fun', mode: 'kotlin' },
    swift: { code: 'func greet() -> String {\n    return "hi"\n}\n', token: 'func', mode: 'swift' },
    sql: { code: 'SELECT id FROM users;\n', token: 'SELECT', mode: 'sql' },
    html: { code: '<div class="box">Hi</div>\n', token: 'div', mode: 'html' },
    css: { code: '/* box */\n.box {\n  color: red;\n}\n', token: '/* box */', mode: 'css' },
    json: { code: '{"name": true}\n', token: 'true', mode: 'json' },
    markdown: { code: '# Title\n\nSome text.\n', token: 'Title', mode: 'markdown' },
    shell: { code: 'echo "hello" # greet\n', token: '# greet', mode: 'shell' },
    plaintext: { code: 'just words, def and class\n', token: '', mode: null },
  };
  /** The lazy chunk each language's support starts from (see `client/editor/languages.ts` and the chunk names in `client/vite.config.ts`). */
  const ROOT_CHUNKS: Record<Language, string | null> = {
    python: 'lang-python', javascript: 'lang-javascript', typescript: 'lang-javascript', java: 'lang-java', c: 'lang-cpp',
    cpp: 'lang-cpp', csharp: 'clike', go: 'lang-go', rust: 'lang-rust', ruby: 'ruby', php: 'lang-php', kotlin: 'clike',
    swift: 'swift', sql: 'lang-sql', html: 'lang-html', css: 'lang-css', json: 'lang-json', markdown: 'lang-markdown',
    shell: 'shell', plaintext: null,
  };

  // True when some element of the content holding `token` looks different
  // from plain text of its line (colour, weight, style or decoration); with
  // an empty token: when anything at all is highlighted.
  const isHighlighted = (page: Page, token: string) =>
    page.evaluate<boolean>(`(() => {
      const look = (el) => { const s = getComputedStyle(el); return [s.color, s.fontWeight, s.fontStyle, s.textDecorationLine].join(); };
      for (const line of document.querySelectorAll('.cm-content .cm-line')) {
        const plain = look(line);
        for (const el of line.querySelectorAll('span')) if (el.textContent.includes(${JSON.stringify(token)}) && look(el) !== plain) return true;
      }
      return false;
    })()`);

  /** The `./x.js` files a chunk imports statically (not its `import()`s). */
  const staticImports = (source: string) => [...source.matchAll(/(?:^|[;\s}])(?:import|export)\s*(?:[\w$*\s{},]*?from\s*)?["']\.\/([\w.-]+\.js)["']/g)].map((m) => m[1]);

  it('loads and highlights each mode, and no language takes the editor page over budget', async () => {
    const { roomId } = await createRoom(app.baseUrl, { language: 'plaintext', code: '' });
    const visitor = await person();
    const { page } = visitor;
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    const bodies = new Map<string, Promise<Buffer>>();
    let fetchedNow: string[] = [];
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (!url.pathname.endsWith('.js')) return;
      const file = url.pathname.replace(/^\/assets\//, '');
      bodies.set(file, response.body());
      fetchedNow.push(file);
    });
    await joinRoom(visitor, `${app.baseUrl}/r/${roomId}`, 'Polly');
    expect(await page.locator('.cm-content').getAttribute('data-language')).toBeNull();
    // What every room downloads before its language's support.
    const base = fetchedNow;
    const fetchedBySwitch = new Map<Language, string[]>();

    // Plain text last: the room starts in it and comes back to it.
    for (const language of [...LANGUAGES.filter((l) => l !== 'plaintext'), 'plaintext' as const]) {
      const sample = SAMPLES[language];
      fetchedNow = [];
      await page.locator('.language-select').selectOption(language);
      await expect.poll(() => page.locator('.cm-content').getAttribute('data-language'), eventually).toBe(sample.mode);
      await page.locator('.cm-content').click();
      await page.keyboard.press('Control+a');
      await page.keyboard.insertText(sample.code);
      await page.keyboard.press('Escape');
      await expect.poll(() => readEditorText(page), eventually).toBe(sample.code);
      if (sample.mode) await expect.poll(() => isHighlighted(page, sample.token), { ...eventually, message: language }).toBe(true);
      else expect(await isHighlighted(page, '')).toBe(false);
      fetchedBySwitch.set(language, fetchedNow);
    }
    await expect.poll(() => fetchRoom(app.baseUrl, roomId).then((room) => room.language), eventually).toBe('plaintext');

    const files = new Map<string, Buffer>();
    for (const [file, body] of bodies) files.set(file, await body);
    const closure = (roots: string[]) => {
      const seen = new Set<string>();
      const visit = (file: string) => {
        if (seen.has(file)) return;
        const source = files.get(file);
        expect(source, `${file} was never downloaded`).toBeDefined();
        seen.add(file);
        for (const imported of staticImports(source!.toString('utf8'))) visit(imported);
      };
      roots.forEach(visit);
      return seen;
    };
    const gzipOf = new Map([...files].map(([file, bytes]) => [file, gzipSync(bytes, { level: 9 }).length]));
    const rows = LANGUAGES.map((language) => {
      const rootName = ROOT_CHUNKS[language];
      const root = rootName ? [...files.keys()].find((file) => new RegExp(`^${rootName}-[\\w-]{8}\\.js$`).test(file)) : undefined;
      if (rootName) expect(root, `chunk ${rootName} for ${language}`).toBeDefined();
      const own = root ? closure([root]) : new Set<string>();
      // A switch downloads nothing beyond its language's support.
      for (const file of fetchedBySwitch.get(language) ?? []) expect(own.has(file), `${language} fetched ${file}`).toBe(true);
      const loaded = new Set([...base, ...own]);
      const gzip = [...loaded].reduce((sum, file) => sum + gzipOf.get(file)!, 0);
      return { language, gzipKB: Math.round(gzip / 100) / 10, languageKB: Math.round([...own].filter((f) => !base.includes(f)).reduce((sum, f) => sum + gzipOf.get(f)!, 0) / 100) / 10, gzip };
    });
    rows.sort((a, b) => b.gzip - a.gzip);
    writeFileSync('test-results/editor-bundle-languages.json', `${JSON.stringify(rows.map(({ gzip: _gzip, ...row }) => row), null, 2)}\n`);
    console.table(rows.map(({ language, gzipKB, languageKB }) => ({ language, 'editor page (KB gzip)': gzipKB, 'of which the language (KB gzip)': languageKB })));
    expect(rows[0].gzip).toBeLessThan(EDITOR_JS_BUDGET_BYTES);
    expect(consoleErrors).toEqual([]);
    expect(visitor.errors).toEqual([]);
  });
});

describe('content security policy', () => {
  // Also caught: violations a script swallows (a `new Function` probe in a
  // try block), which print nothing on the console.
  const RECORD_CSP_VIOLATIONS =
    "document.addEventListener('securitypolicyviolation', (event) => { (window.cspViolations ??= []).push(`${event.violatedDirective} ${event.blockedURI}`); })";
  // Stricter than the server's own policy, which allows inline styles: a
  // reverse proxy may send this one. CodeMirror injects one <style>
  // element, which the policy allows by nonce; nothing else in the client is
  // inline (no script, handler or style attribute).
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

  it('raises no violation under the server’s own policy while typing, completing and switching language', async () => {
    const { roomId } = await createRoom(app.baseUrl, { language: 'python', code: 'import sys\n\n\ndef main():\n    print(sys.argv)\n\n\n' });
    const page = await fetch(`${app.baseUrl}/r/${roomId}`);
    // The headers of the real server, no proxy in between.
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);

    const visitor = await person();
    const violations: string[] = [];
    visitor.page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await visitor.context.addInitScript(RECORD_CSP_VIOLATIONS);
    await joinRoom(visitor, `${app.baseUrl}/r/${roomId}`, 'Dee');
    const { page: tab } = visitor;
    await expect.poll(() => tab.locator('.cm-content').getAttribute('data-language'), eventually).toBe('python');
    await placeCursorAtLineEnd(tab, 8);
    await tab.keyboard.type('if __name__');
    // The server's engine answers: ghost text, then the completion list on demand.
    await expect.poll(() => tab.locator('.cm-ghostText').textContent(), eventually).toBe(' == "__main__":');
    await tab.keyboard.press('Tab');
    await tab.keyboard.press('Enter');
    await tab.keyboard.type('ma');
    await tab.keyboard.press('Control+Space');
    await expect.poll(() => tab.locator('.cm-tooltip-autocomplete li').allTextContents(), eventually).toEqual(expect.arrayContaining([expect.stringContaining('main')]));
    await tab.keyboard.press('Escape');
    for (const language of ['html', 'markdown', 'shell'] as const) {
      await tab.locator('.language-select').selectOption(language);
      await expect.poll(() => tab.locator('.cm-content').getAttribute('data-language'), eventually).toBe(language);
    }
    await expect.poll(() => fetchRoom(app.baseUrl, roomId).then((room) => room.code), eventually).toContain('if __name__ == "__main__":');
    expect(violations).toEqual([]);
    expect(await tab.evaluate<string[]>('window.cspViolations ?? []')).toEqual([]);
  });

  it('runs the lobby and a shared room under a strict policy', async () => {
    const proxy = await startCspProxy(app.baseUrl, strictPolicy);
    try {
      const { roomId } = await createRoom(app.baseUrl, { code: 'SELECT 1;\n', language: 'sql' });
      const visitor = await person();
      const violations: string[] = [];
      visitor.page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      await visitor.context.addInitScript(RECORD_CSP_VIOLATIONS);
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
      expect(await visitor.page.evaluate<string[]>('window.cspViolations ?? []')).toEqual([]);
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
