import { TreeFragment, type Parser, type Tree } from '@lezer/common';
import { checkBudget } from './budget.ts';
import { createLruCache } from './lru-cache.ts';

interface ParsedText {
  parser: Parser;
  code: string;
  tree: Tree;
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
const STEPS_PER_CHECK = 256;

/**
 * Parses `code`, reusing the previous tree parsed under `cacheKey` for the
 * unchanged parts of the text (Lezer incremental parsing). Parses in steps
 * and throws `BudgetExceeded` once `deadline` has passed, so pathological
 * input (a million open brackets) costs its budget, not seconds.
 */
export function parseIncrementally(parser: Parser, code: string, cacheKey: string, deadline?: number): Tree {
  const previous = lastParses.get(cacheKey);
  let fragments: readonly TreeFragment[] | undefined;
  if (previous !== undefined && previous.parser === parser) {
    if (previous.code === code) return previous.tree;
    fragments = TreeFragment.applyChanges(TreeFragment.addTree(previous.tree), findChangedRanges(previous.code, code));
  }
  const parse = parser.startParse(code, fragments);
  let tree: Tree | null = null;
  for (let steps = 1; tree === null; steps++) {
    tree = parse.advance();
    if (steps % STEPS_PER_CHECK === 0) checkBudget(deadline);
  }
  lastParses.set(cacheKey, { parser, code, tree });
  return tree;
}
