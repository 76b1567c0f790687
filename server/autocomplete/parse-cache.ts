import { TreeFragment, type Parser, type PartialParse, type Tree } from '@lezer/common';
import { BudgetExceeded, isPastDeadline } from './budget.ts';
import { createLruCache } from './lru-cache.ts';

interface ParsedText {
  parser: Parser;
  code: string;
  tree: Tree;
}

/** A parse the budget interrupted, carried on by the caller's next requests and while the thread is idle. */
interface PendingParse {
  parser: Parser;
  code: string;
  parse: PartialParse;
  /** Milliseconds spent on it so far. */
  spentMs: number;
}

// A full Lezer parse of a 2,000-line file takes 15-40 ms; reparsing after a
// keystroke with the previous tree's fragments takes well under one. Keyed by
// client (each editor session types into one document), so the memo keeps
// the result identical to a fresh parse while making it cheap.
const lastParses = createLruCache<string, ParsedText>(64);

export interface ChangedRange {
  fromA: number;
  toA: number;
  fromB: number;
  toB: number;
}

/** Shortest identical stretch inside a changed region worth keeping apart: reparsing less is cheaper than looking. */
const MIN_KEPT = 128;
/** Length of the text looked up in the old version to find an identical stretch. */
const PROBE = 64;
/** Where in a changed region the probes are taken, as fractions of its length. */
const PROBE_AT = [0.5, 0.25, 0.75];
const BLOCK = 1024;

/** Length of the common prefix of `before` from `a` and `after` from `b`, at most `limit`. */
function matchForward(before: string, a: number, after: string, b: number, limit: number): number {
  let length = 0;
  // Whole blocks first: comparing substrings runs natively, a character loop over 100 kB does not.
  while (length + BLOCK <= limit && before.startsWith(after.slice(b + length, b + length + BLOCK), a + length)) length += BLOCK;
  while (length < limit && before.charCodeAt(a + length) === after.charCodeAt(b + length)) length++;
  return length;
}

/** Length of the common suffix of `before` up to `a` and `after` up to `b`, at most `limit`. */
function matchBackward(before: string, a: number, after: string, b: number, limit: number): number {
  let length = 0;
  while (length + BLOCK <= limit && before.endsWith(after.slice(b - length - BLOCK, b - length), a - length)) length += BLOCK;
  while (length < limit && before.charCodeAt(a - 1 - length) === after.charCodeAt(b - 1 - length)) length++;
  return length;
}

/**
 * Appends to `out` the edits turning `before[a0, a1)` into `after[b0, b1)`:
 * the common prefix and suffix are kept, and so is a long identical stretch
 * between them, found by looking up a probe of the new text in the old. An
 * editor that moves to type elsewhere sends exactly that (the old spot
 * finished, a new spot begun, kilobytes apart), and reparsing the untouched
 * text between would cost a parse of it on every jump.
 */
function collectChanges(before: string, after: string, a0: number, a1: number, b0: number, b1: number, out: ChangedRange[]): void {
  const head = matchForward(before, a0, after, b0, Math.min(a1 - a0, b1 - b0));
  a0 += head;
  b0 += head;
  const tail = matchBackward(before, a1, after, b1, Math.min(a1 - a0, b1 - b0));
  a1 -= tail;
  b1 -= tail;
  if (a0 === a1 && b0 === b1) return;
  if (a1 - a0 >= MIN_KEPT && b1 - b0 >= MIN_KEPT) {
    for (const fraction of PROBE_AT) {
      const probeB = b0 + Math.floor((b1 - b0 - PROBE) * fraction);
      if (probeB < b0) break;
      const probeA = before.indexOf(after.slice(probeB, probeB + PROBE), a0);
      if (probeA < 0 || probeA + PROBE > a1) continue;
      const left = matchBackward(before, probeA, after, probeB, Math.min(probeA - a0, probeB - b0));
      const right = matchForward(before, probeA, after, probeB, Math.min(a1 - probeA, b1 - probeB));
      if (left + right < MIN_KEPT) continue;
      collectChanges(before, after, a0, probeA - left, b0, probeB - left, out);
      collectChanges(before, after, probeA + right, a1, probeB + right, b1, out);
      return;
    }
  }
  out.push({ fromA: a0, toA: a1, fromB: b0, toB: b1 });
}

/** The edits turning `before` into `after`, in order, as Lezer's `TreeFragment.applyChanges` wants them. */
export function findChangedRanges(before: string, after: string): ChangedRange[] {
  const out: ChangedRange[] = [];
  collectChanges(before, after, 0, before.length, 0, after.length, out);
  return out;
}

/** Parser steps between two clock reads: a step is a few tokens, so this is well under a millisecond. */
const STEPS_PER_CHECK = 16;
/** Most work a parse may take in all: a 100 KB file needs 20-60 ms; a million nested brackets, seconds. */
const MAX_PARSE_MS = 1_000;
/**
 * Work per slice of a parse carried on while the thread is idle: requests are served between slices, so
 * a request that arrives during one waits for its end (up to this, plus a clock tick).
 */
const IDLE_SLICE_MS = 2;

// A large file's first parse can outlast a request's budget; it is kept here
// and carried on by the caller's next requests and between requests, not
// started over each time (which would fail every request of that caller).
const pendingParses = createLruCache<string, PendingParse>(8);
let idleWork: NodeJS.Immediate | undefined;

/**
 * Advances `pending` until it is done (returns the tree), or `until` (epoch
 * ms) has passed or its work reached MAX_PARSE_MS (it is dropped); without
 * `until` (no budget) to the end.
 */
function advancePending(cacheKey: string, pending: PendingParse, until: number | undefined): Tree | null {
  const started = performance.now();
  let tree: Tree | null = null;
  try {
    for (let steps = 1; tree === null; steps++) {
      tree = pending.parse.advance();
      if (tree !== null || steps % STEPS_PER_CHECK !== 0) continue;
      if (until !== undefined && (isPastDeadline(until) || pending.spentMs + performance.now() - started > MAX_PARSE_MS)) break;
    }
  } catch (error) {
    // A parse that threw (Lezer overflows its stack on absurd nesting) would throw again at every
    // later request of this caller, and in an idle turn it would kill the thread: drop it.
    pendingParses.delete(cacheKey);
    throw error;
  }
  pending.spentMs += performance.now() - started;
  if (tree !== null) {
    pendingParses.delete(cacheKey);
    lastParses.set(cacheKey, { parser: pending.parser, code: pending.code, tree });
  } else if (pending.spentMs > MAX_PARSE_MS) {
    pendingParses.delete(cacheKey);
  }
  return tree;
}

function scheduleIdleWork(): void {
  if (idleWork !== undefined || pendingParses.size === 0) return;
  idleWork = setImmediate(() => {
    idleWork = undefined;
    const next = pendingParses.newest();
    try {
      if (next !== undefined) advancePending(next[0], next[1], Date.now() + IDLE_SLICE_MS);
    } catch {
      // Dropped by advancePending; the caller's next request parses afresh (and falls back as usual).
    }
    scheduleIdleWork();
  });
  // Never what keeps a process alive.
  idleWork.unref();
}

/** The last parse under `cacheKey` that `parser` finished (it may be of an older text than the caller's latest). */
export function findLastParse(parser: Parser, cacheKey: string): { code: string; tree: Tree } | undefined {
  const parsed = lastParses.get(cacheKey);
  return parsed !== undefined && parsed.parser === parser ? parsed : undefined;
}

/**
 * Parses `code` from scratch, in steps, throwing `BudgetExceeded` once
 * `deadline` has passed (a window of a document: nothing is kept).
 */
export function parseWithinDeadline(parser: Parser, code: string, deadline?: number): Tree {
  const parse = parser.startParse(code);
  for (let steps = 1; ; steps++) {
    const tree = parse.advance();
    if (tree !== null) return tree;
    if (steps % STEPS_PER_CHECK === 0 && isPastDeadline(deadline)) throw new BudgetExceeded();
  }
}

/**
 * Parses `code`, reusing the previous tree parsed under `cacheKey` for the
 * unchanged parts of the text (Lezer incremental parsing). Parses in steps
 * and throws `BudgetExceeded` once `deadline` has passed, keeping the parse
 * to carry on with: the caller's next request first finishes it (for the
 * text it was started on), then reparses its own text incrementally.
 */
export function parseIncrementally(parser: Parser, code: string, cacheKey: string, deadline?: number): Tree {
  const pending = pendingParses.get(cacheKey);
  if (pending !== undefined && pending.parser === parser) {
    if (advancePending(cacheKey, pending, deadline) === null) {
      scheduleIdleWork();
      throw new BudgetExceeded();
    }
  }
  const previous = lastParses.get(cacheKey);
  let fragments: readonly TreeFragment[] | undefined;
  if (previous !== undefined && previous.parser === parser) {
    if (previous.code === code) return previous.tree;
    fragments = TreeFragment.applyChanges(TreeFragment.addTree(previous.tree), findChangedRanges(previous.code, code));
  }
  const started = { parser, code, parse: parser.startParse(code, fragments), spentMs: 0 };
  const tree = advancePending(cacheKey, started, deadline);
  if (tree === null) {
    if (started.spentMs <= MAX_PARSE_MS) pendingParses.set(cacheKey, started);
    scheduleIdleWork();
    throw new BudgetExceeded();
  }
  return tree;
}
