import { BUDGET_CHECK_INTERVAL, checkBudget } from './budget.ts';
import { toContextText } from './identifiers.ts';
import type { Token } from './token.ts';

/** Tokens to learn continuations from: the document (up to the cursor) or a built-in corpus. */
export interface NgramSource {
  code: string;
  tokens: readonly Token[];
  /** How much one occurrence counts. */
  weight: number;
  /** Only occurrences ending before this token index are used (the cursor's token for the document). */
  endIndex: number;
}

/** A multi-token continuation and how sure the sources are of it. */
export interface Continuation {
  /** Source text to insert after the context tokens, leading whitespace included. */
  text: string;
  /** Share of the matching occurrences that agree on the whole continuation, 0..1. */
  agreement: number;
  /** Weighted number of occurrences that agree. */
  support: number;
}

interface Occurrence {
  source: NgramSource;
  /** Index of the last context token. */
  at: number;
}

const MAX_TOKENS = 12;
const MIN_SHARE = 0.6;
const MIN_SUPPORT = 2;

function readTokenAfter(occurrence: Occurrence, step: number): Token | undefined {
  const { tokens, code } = occurrence.source;
  const index = occurrence.at + 1 + step;
  const token = tokens[index];
  if (token === undefined || token.category === 'comment' || index >= occurrence.source.endIndex) return undefined;
  // A continuation is one line: stop where the source moved to the next line.
  if (code.slice(tokens[index - 1].to, token.from).includes('\n')) return undefined;
  return token;
}

function findOccurrences(sources: readonly NgramSource[], context: readonly [string, string], useBoth: boolean, deadline?: number): Occurrence[] {
  const found: Occurrence[] = [];
  for (const source of sources) {
    const { tokens } = source;
    let previous = '\u0000';
    // The context at the cursor itself (the last tokens before endIndex) has no continuation yet.
    for (let at = 0; at < source.endIndex - 1 && at < tokens.length; at++) {
      if (at % BUDGET_CHECK_INTERVAL === 0) checkBudget(deadline);
      const token = tokens[at];
      if (token.category === 'comment') continue;
      const text = toContextText(token);
      if (text === context[1] && (!useBoth || previous === context[0])) found.push({ source, at });
      previous = text;
    }
  }
  return found;
}

/**
 * Predicts what usually follows the context tokens `[before, last]` on the
 * same line, by majority over earlier occurrences in the sources: token by
 * token while most occurrences agree (so `if __name__` gives ` == "__main__":`).
 * Throws `BudgetExceeded` past `deadline` (text of 100,000 `(` has as many occurrences of `( (`).
 */
export function predictContinuation(
  sources: readonly NgramSource[], context: readonly [string, string], isKnownWord: (word: string) => boolean, deadline?: number,
): Continuation | undefined {
  let survivors = findOccurrences(sources, context, true, deadline);
  // Without a two-token match, a one-token one must be a word, or `(` alone would predict anything.
  if (survivors.length === 0 && /^[\p{L}_$]/u.test(context[1])) survivors = findOccurrences(sources, context, false, deadline);
  if (survivors.length === 0) return undefined;
  const matched = survivors.reduce((sum, occurrence) => sum + occurrence.source.weight, 0);
  let steps = 0;
  while (steps < MAX_TOKENS) {
    checkBudget(deadline);
    const votes = new Map<string, number>();
    let total = 0;
    for (const occurrence of survivors) {
      const token = readTokenAfter(occurrence, steps);
      const key = token === undefined ? '\u0000end' : `${token.from > occurrence.source.tokens[occurrence.at + steps].to ? ' ' : ''}${token.text}`;
      votes.set(key, (votes.get(key) ?? 0) + occurrence.source.weight);
      total += occurrence.source.weight;
    }
    let best = '';
    let bestVotes = 0;
    for (const [key, count] of votes) if (count > bestVotes) [best, bestVotes] = [key, count];
    if (best === '\u0000end' || bestVotes / total < MIN_SHARE || bestVotes < MIN_SUPPORT) break;
    survivors = survivors.filter((occurrence) => {
      const token = readTokenAfter(occurrence, steps);
      const gap = token !== undefined && token.from > occurrence.source.tokens[occurrence.at + steps].to ? ' ' : '';
      return token !== undefined && `${gap}${token.text}` === best;
    });
    steps++;
  }
  if (steps === 0) return undefined;
  const sample = survivors[0];
  const { code, tokens } = sample.source;
  // A corpus line may name things this document does not have (`argv`, `users`): offer none of it then.
  for (let at = sample.at + 1; at <= sample.at + steps; at++) {
    if (tokens[at].category === 'ident' && !isKnownWord(tokens[at].text)) return undefined;
  }
  const text = code.slice(tokens[sample.at].to, tokens[sample.at + steps].to);
  const support = survivors.reduce((sum, occurrence) => sum + occurrence.source.weight, 0);
  return { text: text.replace(/^\s+/, (space) => (space.length > 0 ? ' ' : '')), agreement: support / matched, support };
}
