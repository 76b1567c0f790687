import type { ChangedRange } from './parse-cache.ts';
import type { Token } from './token.ts';

/**
 * Tokenizes `code.slice(from, to)` as if it were a whole document and returns
 * its tokens at their positions in `code`; undefined when it cannot (the
 * parser overflowed its stack on absurd nesting).
 */
export type WindowTokenizer = (code: string, from: number, to: number) => Token[] | undefined;

/** Text before a change that the window starts with (then back to a line start): the cursor context needs a few tokens. */
const BACK_MARGIN = 256;
/** Text after a change the first window takes; it grows 4-fold until the tokens after it agree with the old ones. */
const FORWARD_MARGIN = 256;
/** Longest window tried: past it the change is not local (a comment opened, a brace removed) and the caller parses in full. */
const MAX_WINDOW = 8 * 1024;
/** Tokens in a row that must agree, position and kind, before the old tokens are trusted again. */
const RESYNC_TOKENS = 4;
/** Changes in one request beyond which a full (incremental) parse is the cheaper way. */
const MAX_CHANGES = 8;
/** Most text one change may replace or insert. */
const MAX_CHANGE = 4 * 1024;
/** Strings from this length are V8 slices that keep their parent text alive; window tokens copy them. */
const SLICE_MIN_LENGTH = 13;

/** Index of the first token ending after `position` (tokens.length when none). */
function findFirstEndingAfter(tokens: readonly Token[], position: number): number {
  let low = 0;
  let high = tokens.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (tokens[middle].to <= position) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Index of the first token starting at or after `position` (tokens.length when none). */
function findFirstStartingAt(tokens: readonly Token[], position: number): number {
  let low = 0;
  let high = tokens.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (tokens[middle].from < position) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The start of a line at or before `position` that no old token spans (so not inside a comment or a string). */
function findWindowStart(code: string, tokens: readonly Token[], position: number): number {
  let at = Math.max(0, position);
  for (;;) {
    const lineStart = at === 0 ? 0 : code.lastIndexOf('\n', at - 1) + 1;
    if (lineStart === 0) return 0;
    const covering = tokens[findFirstEndingAfter(tokens, lineStart)];
    if (covering === undefined || covering.from >= lineStart) return lineStart;
    at = covering.from;
  }
}

function isSameToken(a: Token, b: Token, shift: number): boolean {
  return a.from === b.from + shift && a.to === b.to + shift && a.category === b.category;
}

/**
 * True when the window's tokens before the change equal the old ones there:
 * the window started in the same lexical state as the full parse had
 * (not inside a bracketed continuation or a construct the line start cut).
 */
function agreesBefore(window: readonly Token[], old: readonly Token[], oldFrom: number, changeFrom: number): boolean {
  let index = 0;
  for (let oldIndex = oldFrom; oldIndex < old.length && old[oldIndex].to < changeFrom; oldIndex++, index++) {
    const token = window[index];
    if (token === undefined || !isSameToken(token, old[oldIndex], 0)) return false;
  }
  // A window token the old ones lack (the old text had it inside a longer token) is a disagreement too.
  return window[index] === undefined || window[index].to >= changeFrom;
}

/**
 * Where the window's tokens after the change meet the old ones again: the
 * index of the first window token from which RESYNC_TOKENS tokens in a row
 * equal old tokens moved by the change's length, and that old token's index.
 */
function findResync(window: readonly Token[], windowEnd: number, old: readonly Token[], change: ChangedRange): [number, number] | undefined {
  const shift = change.toB - change.toA;
  for (let index = 0; index + RESYNC_TOKENS <= window.length; index++) {
    const token = window[index];
    if (token.from < change.toB) continue;
    // Near the window's end a token may be cut short (a comment running past it).
    if (window[index + RESYNC_TOKENS - 1].to >= windowEnd) return undefined;
    const oldIndex = findFirstStartingAt(old, token.from - shift);
    let agreeing = 0;
    while (agreeing < RESYNC_TOKENS && old[oldIndex + agreeing] !== undefined && isSameToken(window[index + agreeing], old[oldIndex + agreeing], shift)) agreeing++;
    if (agreeing === RESYNC_TOKENS) return [index, oldIndex];
  }
  return undefined;
}

/**
 * Replaces `tokens[from, to)` by `window[0, count)` and moves every token
 * after them `shift` characters on, in place. The tokens are the caller's
 * own (the last request's, which nothing else holds): a copy of 20,000 of
 * them a request was most of the engine's garbage, and since they live
 * until the next request they were copied once more by every young
 * collection and then promoted, which made the long old-space pauses.
 */
function replaceInPlace(tokens: Token[], from: number, to: number, window: readonly Token[], count: number, shift: number): void {
  // A window is at most MAX_WINDOW characters, so its tokens fit a call's arguments; the tail moves natively.
  tokens.splice(from, to - from, ...(count === window.length ? window : window.slice(0, count)));
  if (shift === 0) return;
  for (let index = from + count; index < tokens.length; index++) {
    const token = tokens[index];
    token.from += shift;
    token.to += shift;
  }
}

/**
 * Turns `tokens` (of `before`) into the tokens of `after` by one change: the
 * text around the change is tokenized afresh in a window from a line start
 * before it to where the new tokens agree with the old ones again; the old
 * tokens are kept on both sides. False (and `tokens` untouched) when the
 * change is not local.
 */
function spliceOneChange(before: string, tokens: Token[], after: string, change: ChangedRange, tokenizeWindow: WindowTokenizer): boolean {
  let start = findWindowStart(before, tokens, change.fromA - BACK_MARGIN);
  for (let forward = FORWARD_MARGIN; ; forward *= 4) {
    const lineEnd = after.indexOf('\n', change.toB + forward);
    const end = lineEnd < 0 ? after.length : lineEnd + 1;
    if (end - start > MAX_WINDOW) return false;
    const window = tokenizeWindow(after, start, end);
    if (window === undefined) return false;
    const oldStart = findFirstStartingAt(tokens, start);
    if (!agreesBefore(window, tokens, oldStart, change.fromA)) {
      // The line start chosen was no place to start afresh: once more from further back, with the
      // first window's length after the change (a window grown past it already started right).
      if (start === 0 || forward > FORWARD_MARGIN) return false;
      start = findWindowStart(before, tokens, start - 4 * BACK_MARGIN);
      forward = FORWARD_MARGIN / 4;
      continue;
    }
    if (end === after.length) {
      replaceInPlace(tokens, oldStart, tokens.length, window, window.length, 0);
      return true;
    }
    const resync = findResync(window, end, tokens, change);
    if (resync === undefined) continue;
    const [windowIndex, oldIndex] = resync;
    replaceInPlace(tokens, oldStart, oldIndex, window, windowIndex, change.toB - change.toA);
    return true;
  }
}

/**
 * Turns `tokens` (those of `before`) into the tokens of `after`, given the
 * changes between them (`findChangedRanges`), by tokenizing afresh only a
 * window of text around each change. A keystroke in a 100 KB file tokenizes
 * a few hundred characters instead of reparsing the file, which Lezer
 * cannot do cheaply in text its grammar does not know (C full of macros
 * parses into one flat error node that incremental parsing cannot reuse).
 * `tokens` is changed in place, tokens and array (see `replaceInPlace`):
 * the caller hands over tokens nothing else uses. True when done; false
 * when a change is not local (too many or too large, or its effect runs on
 * past MAX_WINDOW), and then `tokens` may be half spliced: throw it away.
 */
export function spliceTokens(
  before: string,
  tokens: Token[],
  after: string,
  changes: readonly ChangedRange[],
  tokenizeWindow: WindowTokenizer,
): boolean {
  if (changes.length > MAX_CHANGES) return false;
  if (changes.some((change) => change.toA - change.fromA > MAX_CHANGE || change.toB - change.fromB > MAX_CHANGE)) return false;
  let text = before;
  // One change at a time, through the texts in between: each has the changes before it applied.
  let shift = 0;
  for (const change of changes) {
    const next = after.slice(0, change.toB) + before.slice(change.toA);
    const local = { fromA: change.fromA + shift, toA: change.toA + shift, fromB: change.fromB, toB: change.toB };
    if (!spliceOneChange(text, tokens, next, local, tokenizeWindow)) return false;
    text = next;
    shift = change.toB - change.toA;
  }
  return true;
}

/**
 * Copies a token's text out of the text it was sliced from: a token kept
 * across requests must not keep each request's whole text alive.
 */
export function detachTokenText(text: string): string {
  return text.length < SLICE_MIN_LENGTH ? text : (JSON.parse(JSON.stringify(text)) as string);
}
