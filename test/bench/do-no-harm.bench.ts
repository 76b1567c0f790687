/**
 * "Do no harm" on long real files (issue 13): each fixture is typed key by
 * key at human speed (30–300 ms between keys, pauses of 0.3–1 s, Enter at
 * every line end, never touching the list) into a real editor in Chromium,
 * once with autocomplete on and once off, and the two texts compared. Then
 * a person who presses Tab whenever the ghost text is exactly what they
 * were about to type: keystrokes saved. Prints JSON and a table; exits 1
 * only when on and off differ (that is a bug, not a timing).
 *
 *   npm run bench:do-no-harm [-- --fast] [-- --file=easy_xml.py]
 *
 * `--fast` types at 5–40 ms between keys (pauses kept) for a quick look.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { createRoom, fetchRoom, startTestApp, type TestApp } from '../e2e/support/app.ts';
import { joinRoom, launchBrowser, newPerson } from '../e2e/support/browser.ts';
import { HUMAN_PACE, planTyping, typePlan, typeTakingGhosts, type TypingPace } from '../e2e/support/human-typing.ts';

const FILES = [
  { name: 'easy_xml.py', language: 'python' },
  { name: 'on-finished.js', language: 'javascript' },
] as const;
const SEED = 2026;
const FAST_PACE: TypingPace = { ...HUMAN_PACE, minGapMs: 5, maxGapMs: 40 };

interface FileResult {
  file: string;
  lines: number;
  keys: number;
  identical: boolean;
  firstDifference?: { line: number; on: string; off: string };
  listsSeen: number;
  ghostsSeen: number;
  typingSeconds: number;
  keystrokesSaved?: { plainKeys: number; keysPressed: number; tabs: number; savedPercent: number };
}

async function openRoom(app: TestApp, browser: Browser, language: string, query: string): Promise<{ page: Page; roomId: string }> {
  const { roomId } = await createRoom(app.baseUrl, { language, code: '' });
  const person = await newPerson(browser);
  await joinRoom(person, `${app.baseUrl}/r/${roomId}${query}`, 'Typist');
  await person.page.locator(`.cm-editor[data-language="${language}"]`).waitFor();
  await person.page.locator('.cm-content').click();
  return { page: person.page, roomId };
}

async function settledCode(app: TestApp, roomId: string): Promise<string> {
  let previous: string | undefined;
  for (;;) {
    const code = (await fetchRoom(app.baseUrl, roomId)).code;
    if (code === previous) return code;
    previous = code;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function firstDifference(on: string, off: string): FileResult['firstDifference'] {
  const a = on.split('\n');
  const b = off.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return { line: i + 1, on: a[i] ?? '', off: b[i] ?? '' };
  }
  return undefined;
}

async function benchFile(app: TestApp, browser: Browser, file: (typeof FILES)[number], pace: TypingPace): Promise<FileResult> {
  const source = readFileSync(new URL(`../fixtures/${file.name}`, import.meta.url), 'utf8');
  const plan = planTyping(source, pace, SEED);
  const [on, off] = await Promise.all([openRoom(app, browser, file.language, ''), openRoom(app, browser, file.language, '?autocomplete=off')]);
  const started = performance.now();
  const [onReport] = await Promise.all([typePlan(on.page, plan), typePlan(off.page, plan)]);
  const typingSeconds = (performance.now() - started) / 1000;
  const [onCode, offCode] = await Promise.all([settledCode(app, on.roomId), settledCode(app, off.roomId)]);
  return {
    file: file.name,
    lines: source.trimEnd().split('\n').length,
    keys: plan.length,
    identical: onCode === offCode,
    firstDifference: firstDifference(onCode, offCode),
    listsSeen: onReport.listsSeen,
    ghostsSeen: onReport.ghostsSeen,
    typingSeconds: Math.round(typingSeconds),
  };
}

async function benchTabs(app: TestApp, browser: Browser, file: (typeof FILES)[number], pace: TypingPace): Promise<FileResult['keystrokesSaved']> {
  const source = readFileSync(new URL(`../fixtures/${file.name}`, import.meta.url), 'utf8');
  const { page } = await openRoom(app, browser, file.language, '');
  const report = await typeTakingGhosts(page, source, pace, SEED);
  return { ...report, savedPercent: Math.round((1000 * (report.plainKeys - report.keysPressed)) / report.plainKeys) / 10 };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const pace = args.includes('--fast') ? FAST_PACE : HUMAN_PACE;
  const only = args.find((arg) => arg.startsWith('--file='))?.slice('--file='.length);
  const files = FILES.filter((file) => !only || file.name === only);
  const [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  try {
    // Every typist at once: each file on and off, and the Tab-pressing person.
    const results = await Promise.all(files.map(async (file) => {
      const [result, saved] = await Promise.all([benchFile(app, browser, file, pace), benchTabs(app, browser, file, pace)]);
      return { ...result, keystrokesSaved: saved };
    }));
    console.log(JSON.stringify({ bench: 'do-no-harm', pace, seed: SEED, results }, null, 2));
    console.log('\nfile              lines  keys  on==off  lists  ghosts  typing s  keys saved (Tab on matching ghost)');
    for (const r of results) {
      console.log(
        `${r.file.padEnd(17)} ${String(r.lines).padStart(5)} ${String(r.keys).padStart(5)}  ${(r.identical ? 'yes' : 'NO').padEnd(7)} ${String(r.listsSeen).padStart(6)} ${String(r.ghostsSeen).padStart(7)} ${String(r.typingSeconds).padStart(9)}  ${r.keystrokesSaved?.savedPercent ?? '-'}% (${r.keystrokesSaved?.tabs ?? 0} Tabs)`,
      );
      if (r.firstDifference) console.log(`  first difference, line ${r.firstDifference.line}:\n    on:  ${r.firstDifference.on}\n    off: ${r.firstDifference.off}`);
    }
    if (results.some((r) => !r.identical)) process.exitCode = 1;
  } finally {
    await browser.close();
    await app.close();
  }
}

await main();
