import type { ContextKind } from './context.ts';
import type { RankingWeights } from './ranking-weights.ts';
import type { ShellSlot } from './shell-roles.ts';

/** What the mining pass learned about one candidate word. */
export interface WordStats {
  keyword: boolean;
  /** Document occurrences as a bare name, and after a member operator. */
  bare: number;
  member: number;
  /** Sum of the recency weights of its document occurrences. */
  recency: number;
  /** Occurrences after the same previous token, the same two, and the same three-token shape. */
  bigram: number;
  trigram: number;
  shape: number;
  /** Occurrences right after a defining keyword (`def`, `const`...). */
  defined: number;
  /** Pseudo-count for a keyword or builtin of the language, and for a standard member after a receiver. */
  prior: number;
  memberPrior: number;
  /** Weighted occurrences in the corpus after the same context (the corpus counts nothing else). */
  corpus: number;
  /** Token index of its nearest document occurrence before the cursor, or -1. */
  lastIndex: number;
  /** Occurrences in the function around the cursor (before it), and at module level. */
  inFunction: number;
  global: number;
  /** Occurrences after the same previous three tokens. */
  fourgram: number;
  /** Recency with a short (25 tokens) and a long (2,000 tokens) decay. */
  near: number;
  far: number;
  /** Occurrences earlier on the cursor's line, and on the line before. */
  sameLine: number;
  previousLine: number;
  /** Pseudo-count for a member of a receiver whose type is known by its name (`Math.` → `floor`). */
  receiverMember: number;
  /** Occurrences right after a keyword defining a type (`class`, `interface`, `type`, `enum`). */
  typeDefined: number;
  /** 1 for a name the language's programs commonly use (`vocabulary.ts`), else 0. */
  common: number;
  /** Shell: document occurrences as a variable (`$name`, `name=`, `local name`...) and as a command. */
  variable: number;
  command: number;
  /** Shell: occurrences in strings and comments (words of text, not code). */
  text: number;
}

/** A candidate nothing has been counted for yet. */
export function createWordStats(keyword: boolean, prior: number): WordStats {
  return {
    keyword, bare: 0, member: 0, recency: 0, bigram: 0, trigram: 0, shape: 0, defined: 0, prior, memberPrior: 0, corpus: 0,
    lastIndex: -1, inFunction: 0, global: 0, fourgram: 0, near: 0, far: 0, sameLine: 0, previousLine: 0,
    receiverMember: 0, typeDefined: 0, common: 0, variable: 0, command: 0, text: 0,
  };
}

/** Normalisers of the mining pass: how many tokens each context matched. */
export interface Totals {
  words: number;
  recency: number;
  bigram: number;
  trigram: number;
  shape: number;
  fourgram: number;
  near: number;
  far: number;
}

/** Names of the features `computeWordFeatures` returns, in order (the bench's `--train` prints weights in this order). */
export const FEATURE_NAMES = [
  'log interpolated', 'log unigram', 'log recency', 'log bigram', 'log trigram', 'log shape', 'keyword',
  'unused in document', 'log own-role count', 'log other-role count', 'defined', 'used, not defined, at a definition',
  'case mismatch', 'log distance to last use', 'member × log trigram', 'member × log recency', 'log length',
  'statement × keyword', 'expression × keyword', 'builtin', 'log corpus count', 'used in the last 10 tokens',
  'one letter typed × log unigram', 'one letter typed × log recency', 'one letter typed × log bigram',
  'log uses in this function', 'log module-level uses', 'only in other functions',
  'log four-gram', 'log near recency', 'log far recency', 'on this line', 'on the line before',
  'last use within 3 tokens', 'within 12', 'within 50', 'within 200', 'used once', 'used 2-3 times', 'used 4-10 times',
  'member of the receiver\'s known type', 'statement keyword after an operator', 'capitalized', 'capitalized × type position',
  'defined as a type × type position', 'defined as a type, not at a type position',
  'common name, unused in document', 'common name, used in document', 'common name × definition', 'common name × member',
  'variable slot × used as a variable', 'variable slot × log variable uses', 'variable slot × used, never as a variable',
  'command slot × used as a command', 'command slot × log command uses', 'command slot × used, never as a command',
  'argument slot × used only as a command', 'argument slot × used as a variable',
  'log uses in strings and comments', 'only in strings and comments',
] as const;

const FLOOR = 1e-5;

function logOf(probability: number): number {
  return Math.log(probability + FLOOR);
}

/** Everything the features of one candidate depend on. */
export interface FeatureInput {
  entry: WordStats;
  totals: Totals;
  kind: ContextKind;
  caseMismatch: boolean;
  cursorIndex: number;
  length: number;
  /** Characters typed of the word so far. */
  typed: number;
  builtin: boolean;
  /** The previous token leaves an expression open (an operator, `(`, `,`, `return`...): no statement can start here. */
  afterOperator: boolean;
  /** The previous token usually precedes a type or class name (`new`, `extends`, `:` in TypeScript...). */
  typePosition: boolean;
  /** A keyword that only starts a statement (`if`, `const`, `return`...). */
  statementKeyword: boolean;
  /** The word starts with a capital letter. */
  capitalized: boolean;
  /** Shell only: what the cursor's word is (see `CursorContext.slot`). */
  slot?: ShellSlot;
}

/**
 * Describes a candidate for the ranker: the interpolated probability of
 * the n-gram and recency models, each model on its own, and what kind of
 * word it is here. Scores are `exp(weights · features)`.
 */
export function computeWordFeatures(input: FeatureInput, weights: RankingWeights): number[] {
  const { entry, totals, kind, slot } = input;
  const isMember = kind === 'member';
  // Runs for every candidate (a thousand or more with nothing typed): one array, no intermediate ones.
  // The five models' probabilities (-1: the model saw nothing here), and their interpolation in this order.
  const ownPrior = isMember ? entry.member + entry.memberPrior + entry.receiverMember : entry.bare + entry.prior;
  const pUnigram = (ownPrior + weights.crossRole * (isMember ? entry.bare : entry.member)) / totals.words;
  const pRecency = totals.recency > 0 ? entry.recency / totals.recency : -1;
  const pBigram = totals.bigram > 0 ? entry.bigram / totals.bigram : -1;
  const pTrigram = totals.trigram > 0 ? entry.trigram / totals.trigram : -1;
  const pShape = totals.shape > 0 ? entry.shape / totals.shape : -1;
  let weightSum = 0;
  let interpolated = 0;
  if (!(pUnigram < 0)) {
    weightSum += weights.unigram;
    interpolated += weights.unigram * pUnigram;
  }
  if (!(pRecency < 0)) {
    weightSum += weights.recency;
    interpolated += weights.recency * pRecency;
  }
  if (!(pBigram < 0)) {
    weightSum += weights.bigram;
    interpolated += weights.bigram * pBigram;
  }
  if (!(pTrigram < 0)) {
    weightSum += weights.trigram;
    interpolated += weights.trigram * pTrigram;
  }
  if (!(pShape < 0)) {
    weightSum += weights.shape;
    interpolated += weights.shape * pShape;
  }
  interpolated /= Math.max(weightSum, 1e-9);
  const unigram = logOf(Math.max(pUnigram, 0));
  const recency = logOf(Math.max(pRecency, 0));
  const bigram = logOf(Math.max(pBigram, 0));
  const trigram = logOf(Math.max(pTrigram, 0));
  const shape = logOf(Math.max(pShape, 0));
  const used = entry.bare > 0;
  const own = isMember ? entry.member : entry.bare;
  const other = isMember ? entry.bare : entry.member;
  const distance = entry.lastIndex >= 0 ? input.cursorIndex - entry.lastIndex : 1e6;
  const keyword = entry.keyword ? 1 : 0;
  return [
    logOf(interpolated), unigram, recency, bigram, trigram, shape, keyword,
    entry.bare + entry.member === 0 ? 1 : 0,
    Math.log1p(own), Math.log1p(other),
    entry.defined > 0 ? 1 : 0,
    kind === 'definition' && !entry.keyword && entry.defined === 0 && entry.bare > 0 ? 1 : 0,
    input.caseMismatch ? 1 : 0,
    Math.log1p(Math.max(distance, 0)),
    isMember ? trigram : 0,
    isMember ? recency : 0,
    Math.log(input.length),
    kind === 'statement' ? keyword : 0,
    kind === 'expression' ? keyword : 0,
    input.builtin ? 1 : 0,
    Math.log1p(entry.corpus),
    distance <= 10 ? 1 : 0,
    input.typed <= 1 ? unigram : 0,
    input.typed <= 1 ? recency : 0,
    input.typed <= 1 ? bigram : 0,
    isMember ? 0 : Math.log1p(entry.inFunction),
    isMember ? 0 : Math.log1p(entry.global),
    !isMember && entry.bare > 0 && entry.inFunction === 0 && entry.global === 0 ? 1 : 0,
    logOf(totals.fourgram > 0 ? entry.fourgram / totals.fourgram : 0),
    logOf(totals.near > 0 ? entry.near / totals.near : 0),
    logOf(totals.far > 0 ? entry.far / totals.far : 0),
    entry.sameLine > 0 ? 1 : 0,
    entry.previousLine > 0 ? 1 : 0,
    distance <= 3 ? 1 : 0,
    distance <= 12 ? 1 : 0,
    distance <= 50 ? 1 : 0,
    distance <= 200 ? 1 : 0,
    own + other === 1 ? 1 : 0,
    own + other >= 2 && own + other <= 3 ? 1 : 0,
    own + other >= 4 && own + other <= 10 ? 1 : 0,
    entry.receiverMember > 0 ? 1 : 0,
    input.afterOperator && input.statementKeyword ? 1 : 0,
    input.capitalized ? 1 : 0,
    input.capitalized && input.typePosition ? 1 : 0,
    entry.typeDefined > 0 && input.typePosition ? 1 : 0,
    entry.typeDefined > 0 && !input.typePosition ? 1 : 0,
    entry.common > 0 && entry.bare + entry.member === 0 ? 1 : 0,
    entry.common > 0 && entry.bare + entry.member > 0 ? 1 : 0,
    entry.common > 0 && kind === 'definition' ? 1 : 0,
    entry.common > 0 && isMember ? 1 : 0,
    // Shell.
    slot === 'variable' && entry.variable > 0 ? 1 : 0,
    slot === 'variable' ? Math.log1p(entry.variable) : 0,
    slot === 'variable' && used && entry.variable === 0 ? 1 : 0,
    slot === 'command' && entry.command > 0 ? 1 : 0,
    slot === 'command' ? Math.log1p(entry.command) : 0,
    slot === 'command' && used && entry.command === 0 ? 1 : 0,
    slot === 'argument' && used && entry.command >= entry.bare ? 1 : 0,
    slot === 'argument' && entry.variable > 0 ? 1 : 0,
    Math.log1p(entry.text),
    entry.text > 0 && entry.bare + entry.member + entry.corpus === 0 ? 1 : 0,
  ];
}

/** The ranker's score of a feature vector: `weights · features` (a log-score). */
export function scoreWordFeatures(features: readonly number[], featureWeights: readonly number[]): number {
  let score = 0;
  for (let index = 0; index < features.length; index++) score += (featureWeights[index] ?? 0) * features[index];
  return score;
}
