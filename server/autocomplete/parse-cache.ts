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

interface ChangedRange {
  fromA: number;
  toA: number;
  fromB: number;
  toB: number;
}

/** How far apart two small edits may start their resync, and how long the identical run between must be. */
const RESYNC_SKIP = 16;
const RESYNC_RUN = 48;
const BLOCK = 1024;

/**
 * The edits turning `before` into `after`, as Lezer wants them: one range
 * between the common prefix and suffix, split in two when a small edit at
 * the start of it is followed by a long identical stretch. An editor that
 * moves to type elsewhere sends exactly that (the old spot finished, a new
 * spot begun), and reparsing the untouched text between would cost a full
 * parse of it.
 */
function findChangedRanges(before: string, after: string, split = true): ChangedRange[] {
  const shorter = Math.min(before.length, after.length);
  let from = 0;
  // Whole blocks first: comparing substrings runs natively, a character loop over 100 kB does not.
  while (from + BLOCK <= shorter && before.startsWith(after.slice(from, from + BLOCK), from)) from += BLOCK;
  while (from < shorter && before.charCodeAt(from) === after.charCodeAt(from)) from++;
  let tail = 0;
  while (tail + BLOCK <= shorter - from && before.endsWith(after.slice(after.length - tail - BLOCK, after.length - tail), before.length - tail)) {
    tail += BLOCK;
  }
  while (
    tail < shorter - from &&
    before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)
  ) tail++;
  const toA = before.length - tail;
  const toB = after.length - tail;
  for (let skipA = 0; split && skipA <= RESYNC_SKIP; skipA++) {
    for (let skipB = 0; skipB <= RESYNC_SKIP; skipB++) {
      const resyncA = from + skipA;
      const resyncB = from + skipB;
      if (resyncA + RESYNC_RUN >= toA || resyncB + RESYNC_RUN >= toB) continue;
      if (before.startsWith(after.slice(resyncB, resyncB + RESYNC_RUN), resyncA)) {
        const [rest] = findChangedRanges(before.slice(resyncA, toA), after.slice(resyncB, toB), false);
        return [
          { fromA: from, toA: resyncA, fromB: from, toB: resyncB },
          { fromA: resyncA + rest.fromA, toA: resyncA + rest.toA, fromB: resyncB + rest.fromB, toB: resyncB + rest.toB },
        ];
      }
    }
  }
  return [{ fromA: from, toA, fromB: from, toB }];
}

/** Parser steps between two clock reads: a step is a few tokens, so this is well under a millisecond. */
const STEPS_PER_CHECK = 16;
/** Most work a parse may take in all: a 100 KB file needs 20-60 ms; a million nested brackets, seconds. */
const MAX_PARSE_MS = 1_000;
/** Work per slice of a parse carried on while the thread is idle: requests are served between slices. */
const IDLE_SLICE_MS = 4;

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
  for (let steps = 1; tree === null; steps++) {
    tree = pending.parse.advance();
    if (tree !== null || steps % STEPS_PER_CHECK !== 0) continue;
    if (until !== undefined && (isPastDeadline(until) || pending.spentMs + performance.now() - started > MAX_PARSE_MS)) break;
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
    if (next !== undefined) advancePending(next[0], next[1], Date.now() + IDLE_SLICE_MS);
    scheduleIdleWork();
  });
  // Never what keeps a process alive.
  idleWork.unref();
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
