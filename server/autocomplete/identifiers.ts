import type { CursorContext } from './context.ts';
import type { WordTables } from './keywords.ts';
import type { RankingWeights } from './ranking-weights.ts';
import type { Token } from './token.ts';

/** A word the engine may offer, with the evidence behind it. */
export interface RankedWord {
  text: string;
  /** True for a keyword of the language. */
  keyword: boolean;
  /** Interpolated probability of the word at the cursor (not normalised over candidates). */
  score: number;
  /** How many observations support it (document and corpus occurrences, priors). */
  evidence: number;
}

interface WordStats {
  keyword: boolean;
  bare: number;
  member: number;
  recency: number;
  bigram: number;
  trigram: number;
  defined: number;
  prior: number;
}

interface Totals {
  words: number;
  recency: number;
  bigram: number;
  trigram: number;
}

/** The text a token contributes to an n-gram context: strings and numbers collapse to one symbol each. */
export function toContextText(token: Token | undefined): string {
  if (token === undefined) return '\u0000';
  switch (token.category) {
    case 'string': return '\u0001str';
    case 'number': return '\u0001num';
    case 'ident':
    case 'keyword':
    case 'punct':
    case 'comment':
      return token.text;
    default: {
      const unreachable: never = token.category;
      return unreachable;
    }
  }
}

/** Previous two significant token texts before `index` (nearest last), as n-gram context. */
export function readNgramContext(tokens: readonly Token[], index: number): [string, string] {
  let at = index;
  while (at >= 0 && tokens[at].category === 'comment') at--;
  let before = at - 1;
  while (before >= 0 && tokens[before].category === 'comment') before--;
  return [toContextText(tokens[before]), toContextText(tokens[at])];
}

interface MiningPass {
  tokens: readonly Token[];
  weight: number;
  /** Token index the recency decays from, or -1 for no recency (the corpus). */
  cursorIndex: number;
  skipIndex: number;
}

function matchesPrefix(text: string, prefix: string, lowerPrefix: string): boolean {
  return text.startsWith(prefix) || (prefix.length > 0 && text.toLowerCase().startsWith(lowerPrefix));
}

function mine(
  pass: MiningPass, context: [string, string], prefix: string, members: ReadonlySet<string>,
  definers: ReadonlySet<string>, weights: RankingWeights, stats: Map<string, WordStats>, totals: Totals,
): void {
  const lowerPrefix = prefix.toLowerCase();
  const [c2, c1] = context;
  const { tokens, weight, cursorIndex } = pass;
  let p1 = '\u0000';
  let p2 = '\u0000';
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    if (token.category === 'comment' || index === pass.skipIndex) continue;
    const followsContext = p1 === c1;
    const followsBoth = followsContext && p2 === c2;
    const isWord = token.category === 'ident' || token.category === 'keyword';
    if (followsContext) totals.bigram += weight;
    if (followsBoth) totals.trigram += weight;
    let decay = 0;
    if (isWord) {
      totals.words += weight;
      if (cursorIndex >= 0) {
        const distance = index < cursorIndex ? cursorIndex - index : 2 * (index - cursorIndex);
        decay = Math.exp(-distance / weights.recencySpan);
        totals.recency += decay;
      }
      if (matchesPrefix(token.text, prefix, lowerPrefix) && token.text !== prefix) {
        let entry = stats.get(token.text);
        if (entry === undefined) {
          entry = { keyword: token.category === 'keyword', bare: 0, member: 0, recency: 0, bigram: 0, trigram: 0, defined: 0, prior: 0 };
          stats.set(token.text, entry);
        }
        if (members.has(p1)) entry.member += weight;
        else entry.bare += weight;
        if (definers.has(p1)) entry.defined += weight;
        entry.recency += decay;
        if (followsContext) entry.bigram += weight;
        if (followsBoth) entry.trigram += weight;
      }
    }
    p2 = p1;
    p1 = toContextText(token);
  }
}

/**
 * Mines the words of the document (never its strings or comments) and of
 * the built-in corpus that start with the typed prefix, and ranks them by an
 * interpolated model: frequency, recency around the cursor, and what
 * followed the previous one and two tokens (which, after `self.`, are the
 * members seen on that receiver).
 */
export function rankWords(
  tokens: readonly Token[], corpus: readonly Token[], context: CursorContext, tables: WordTables,
  members: ReadonlySet<string>, weights: RankingWeights,
): RankedWord[] {
  const ngram = readNgramContext(tokens, context.previousIndex);
  const stats = new Map<string, WordStats>();
  const totals: Totals = { words: 0, recency: 0, bigram: 0, trigram: 0 };
  const cursorIndex = context.partialIndex >= 0 ? context.partialIndex : context.previousIndex + 1;
  mine({ tokens, weight: 1, cursorIndex, skipIndex: context.partialIndex }, ngram, context.prefix, members,
    tables.definers, weights, stats, totals);
  mine({ tokens: corpus, weight: weights.corpusWeight, cursorIndex: -1, skipIndex: -1 }, ngram, context.prefix,
    members, tables.definers, weights, stats, totals);
  addPriors(stats, tables, context.prefix, weights.builtinPrior);
  totals.words += 1;
  const isMember = context.kind === 'member';
  const lowerPrefix = context.prefix.toLowerCase();
  const ranked: RankedWord[] = [];
  for (const [text, entry] of stats) {
    if (isMember && entry.keyword && entry.member === 0) continue;
    const own = isMember ? entry.member : entry.bare + entry.prior;
    const other = isMember ? entry.bare + entry.prior : entry.member;
    const parts: Array<[number, number]> = [
      [weights.unigram, (own + weights.crossRole * other) / totals.words],
      [weights.recency, totals.recency > 0 ? entry.recency / totals.recency : -1],
      [weights.bigram, totals.bigram > 0 ? entry.bigram / totals.bigram : -1],
      [weights.trigram, totals.trigram > 0 ? entry.trigram / totals.trigram : -1],
    ];
    let weightSum = 0;
    let score = 0;
    for (const [weight, probability] of parts) {
      if (probability < 0) continue;
      weightSum += weight;
      score += weight * probability;
    }
    score /= Math.max(weightSum, 1e-9);
    if (!text.startsWith(context.prefix) && text.toLowerCase().startsWith(lowerPrefix)) score *= weights.caseMismatch;
    if (context.kind === 'definition' && !entry.keyword) {
      if (entry.defined === 0 && entry.bare > 0) score *= weights.usedNotDefined;
    }
    const evidence = entry.bare + entry.member + entry.prior + entry.bigram + entry.trigram;
    ranked.push({ text, keyword: entry.keyword, score, evidence });
  }
  return ranked.sort((a, b) => b.score - a.score || (a.text < b.text ? -1 : 1));
}

function addPriors(stats: Map<string, WordStats>, tables: WordTables, prefix: string, prior: number): void {
  const add = (text: string, keyword: boolean): void => {
    if (!text.startsWith(prefix) || text === prefix) return;
    const entry = stats.get(text);
    if (entry !== undefined) entry.prior += prior;
    else stats.set(text, { keyword, bare: 0, member: 0, recency: 0, bigram: 0, trigram: 0, defined: 0, prior });
  };
  for (const word of tables.keywords) add(word, true);
  for (const word of tables.builtins) add(word, false);
}
