import type { Page } from 'playwright-core';
import { createRandom } from '../../support/random.ts';

/** How fast the simulated person types; all times in ms. */
export interface TypingPace {
  /** Time between two keys, drawn uniformly from `[minGapMs, maxGapMs]`. */
  minGapMs: number;
  maxGapMs: number;
  /** Chance (0..1) that a key is followed by a pause instead of a gap. */
  pauseChance: number;
  /** Chance (0..1) of a pause just before Enter: where a list opened by the pause could swallow it. */
  pauseBeforeEnterChance: number;
  /** A pause, drawn uniformly from `[minPauseMs, maxPauseMs]`. */
  minPauseMs: number;
  maxPauseMs: number;
}

/** The pace the issue asks for: 30–300 ms between keys, pauses of 0.3–1 s. */
export const HUMAN_PACE: TypingPace = {
  minGapMs: 30, maxGapMs: 300, pauseChance: 0.04, pauseBeforeEnterChance: 0.3, minPauseMs: 300, maxPauseMs: 1000,
};

/** One key of a plan: a character, or `Enter`, then the wait before the next. */
export interface Keystroke {
  key: string;
  waitMs: number;
}

/**
 * The lines a person types for `source`: each line without its leading
 * indentation (the editor indents after Enter) or trailing spaces.
 */
export function linesToType(source: string): string[] {
  return source.replace(/\n$/, '').split('\n').map((line) => line.trim());
}

/** Every key to type `source`, Enter at each line end, with waits drawn from `seed`. */
export function planTyping(source: string, pace: TypingPace, seed: number): Keystroke[] {
  const random = createRandom(seed);
  const between = (min: number, max: number) => Math.round(min + random() * (max - min));
  const plan: Keystroke[] = [];
  const push = (key: string) => {
    const pause = random() < pace.pauseChance;
    plan.push({ key, waitMs: pause ? between(pace.minPauseMs, pace.maxPauseMs) : between(pace.minGapMs, pace.maxGapMs) });
  };
  for (const line of linesToType(source)) {
    for (const char of line) push(char);
    const last = plan[plan.length - 1];
    if (last && random() < pace.pauseBeforeEnterChance) last.waitMs = between(pace.minPauseMs, pace.maxPauseMs);
    push('Enter');
  }
  return plan;
}

/** What was seen while a plan was typed. */
export interface TypingReport {
  /** Pauses after which the completion list was open. */
  listsSeen: number;
  /** Pauses after which ghost text was shown. */
  ghostsSeen: number;
}

const SUGGESTIONS_SHOWN = `(() => ({
  list: document.querySelector('.cm-tooltip-autocomplete') !== null,
  ghost: document.querySelector('.cm-ghostText') !== null,
}))()`;

/**
 * Types `plan` into the focused editor key by key, never touching the list
 * or the ghost text, and notes after each pause whether suggestions showed.
 */
export async function typePlan(page: Page, plan: readonly Keystroke[]): Promise<TypingReport> {
  const report: TypingReport = { listsSeen: 0, ghostsSeen: 0 };
  for (const { key, waitMs } of plan) {
    if (key === 'Enter') await page.keyboard.press('Enter');
    else await page.keyboard.type(key);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    if (waitMs >= 300) {
      const shown = await page.evaluate<{ list: boolean; ghost: boolean }>(SUGGESTIONS_SHOWN);
      if (shown.list) report.listsSeen++;
      if (shown.ghost) report.ghostsSeen++;
    }
  }
  return report;
}

/** Keystrokes of a person who takes every ghost text that matches what they were about to type. */
export interface TabTypingReport {
  /** Keys a person typing everything presses (characters and Enters). */
  plainKeys: number;
  /** Keys actually pressed, each Tab counting one. */
  keysPressed: number;
  /** Tabs pressed. */
  tabs: number;
}

const GHOST_TEXT = `document.querySelector('.cm-ghostText')?.textContent ?? ''`;

/**
 * Types `source` like {@link typePlan}, but before each character looks at
 * the ghost text: when it is exactly what comes next on the line, presses
 * Tab instead of typing it.
 */
export async function typeTakingGhosts(page: Page, source: string, pace: TypingPace, seed: number): Promise<TabTypingReport> {
  const random = createRandom(seed);
  const between = (min: number, max: number) => Math.round(min + random() * (max - min));
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const report: TabTypingReport = { plainKeys: 0, keysPressed: 0, tabs: 0 };
  for (const line of linesToType(source)) {
    report.plainKeys += line.length + 1;
    let at = 0;
    while (at < line.length) {
      const ghost = await page.evaluate<string>(GHOST_TEXT);
      if (ghost !== '' && line.startsWith(ghost, at)) {
        await page.keyboard.press('Tab');
        report.tabs++;
        at += ghost.length;
      } else {
        await page.keyboard.type(line[at]!);
        at++;
      }
      report.keysPressed++;
      await wait(random() < pace.pauseChance ? between(pace.minPauseMs, pace.maxPauseMs) : between(pace.minGapMs, pace.maxGapMs));
    }
    if (random() < pace.pauseBeforeEnterChance) await wait(between(pace.minPauseMs, pace.maxPauseMs));
    await page.keyboard.press('Enter');
    report.keysPressed++;
  }
  return report;
}
