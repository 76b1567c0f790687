import { BUDGET_CHECK_INTERVAL, checkBudget } from './budget.ts';
import type { CursorContext } from './context.ts';
import { getWordTables, type WordTables } from './keywords.ts';
import type { Language } from '../../shared/protocol.ts';
import type { RankingWeights } from './ranking-weights.ts';
import { getReceiverMembers, getStandardMembers } from './members.ts';
import { analyzeScopes, type ScopeInfo } from './scope.ts';
import { markShellRoles, SHELL_COMMAND, SHELL_DEFINITION, SHELL_VARIABLE } from './shell-roles.ts';
import type { Token } from './token.ts';
import { getCommonNames } from './vocabulary.ts';
import { computeWordFeatures, createWordStats, scoreWordFeatures, type Totals, type WordStats } from './word-features.ts';

/** A word the engine may offer, with the evidence behind it. */
export interface RankedWord {
  text: string;
  /** True for a keyword of the language. */
  keyword: boolean;
  /** Probability of the word among the candidates, by the ranker. */
  score: number;
  /** How many observations support it (document and corpus occurrences, priors). */
  evidence: number;
  /** What the ranker saw (see `FEATURE_NAMES`). */
  features: number[];
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

/** Like `toContextText`, with names also collapsed: the shape of the code (`def <name> (`), not its words. */
function toPatternText(token: Token | undefined): string {
  return token?.category === 'ident' ? '\u0001id' : toContextText(token);
}

function readSignificantBefore(tokens: readonly Token[], index: number, count: number): Array<Token | undefined> {
  const found: Array<Token | undefined> = [];
  let at = index;
  while (found.length < count) {
    while (at >= 0 && tokens[at].category === 'comment') at--;
    found.unshift(at >= 0 ? tokens[at] : undefined);
    at--;
  }
  return found;
}

/** Previous two significant token texts up to `index` (nearest last), as n-gram context. */
export function readNgramContext(tokens: readonly Token[], index: number): [string, string] {
  const [before, last] = readSignificantBefore(tokens, index, 2);
  return [toContextText(before), toContextText(last)];
}

/** The n-gram contexts of the cursor: the last three tokens, and their shape. */
interface MiningContext {
  c3: string;
  c2: string;
  c1: string;
  shape: [string, string, string];
}

/** Index of the first token on the line of token `index` (the cursor's token may be `tokens.length`). */
function findLineStart(code: string, tokens: readonly Token[], index: number): number {
  if (index <= 0) return 0;
  const lineStart = code.lastIndexOf('\n', (tokens[index]?.from ?? code.length) - 1);
  let at = Math.min(index, tokens.length) - 1;
  while (at >= 0 && tokens[at].from > lineStart) at--;
  return at + 1;
}

interface MiningPass {
  tokens: readonly Token[];
  weight: number;
  /** Token index the recency decays from, or -1 for no recency (the corpus). */
  cursorIndex: number;
  skipIndex: number;
  corpus: boolean;
  scope?: ScopeInfo;
  /** First token index of the cursor's line and of the line before it (-1 for the corpus). */
  lineStart: number;
  previousLineStart: number;
  /** Shell: what each token does (`markShellRoles`), for the document only. */
  roles?: Uint8Array;
  /** Epoch milliseconds past which mining throws `BudgetExceeded`. */
  deadline?: number;
}

/** Keywords after which a type's name is defined. */
const TYPE_DEFINERS = new Set(['class', 'interface', 'type', 'enum', 'struct', 'trait']);

/** Tokens after which an expression goes on: no statement keyword can follow. */
const OPEN_EXPRESSION = new Set([
  '(', '[', ',', '=', '+', '-', '*', '/', '%', '&&', '||', '??', '?', '!', '~', '==', '!=', '===', '!==', '<', '>',
  '<=', '>=', '=>', '+=', '-=', '*=', '/=', '||=', '&&=', '??=', '...', 'return', 'await', 'yield', 'typeof', 'in', 'of',
  'new', 'throw', 'case', 'instanceof', 'void', 'delete', 'not', 'and', 'or', 'is', 'lambda',
]);

/** Keywords that cannot come right after an operator: statement starters, and binary operators written as words. */
const STATEMENT_KEYWORDS = new Set([
  'in', 'instanceof', 'of', 'as', 'satisfies', 'implements', 'extends', 'is',
  'if', 'for', 'while', 'do', 'switch', 'try', 'return', 'throw', 'break', 'continue', 'var', 'let', 'const', 'else',
  'case', 'default', 'export', 'interface', 'enum', 'catch', 'finally', 'def', 'elif', 'except', 'pass', 'raise', 'del',
  'global', 'nonlocal', 'assert', 'with', 'namespace', 'declare', 'debugger', 'from',
]);

/** Tokens after which a type or class name usually comes. */
const TYPE_POSITION = new Set(['new', 'extends', 'implements', 'instanceof', 'raise', 'except']);
const TYPE_POSITION_TS = new Set([...TYPE_POSITION, ':', 'as', '<', 'satisfies', 'keyof', '|', '&']);

function matchesPrefix(text: string, prefix: string, lowerPrefix: string): boolean {
  if (text.startsWith(prefix)) return true;
  if (prefix.length === 0) return false;
  // Most words differ in their first letter already: decide that without lower-casing the whole word.
  const first = text[0];
  if (first !== lowerPrefix[0] && first.toLowerCase() !== lowerPrefix[0]) return false;
  return text.toLowerCase().startsWith(lowerPrefix);
}

/** `exp(-distance / span)` for each whole distance, by span: the mining pass reads three a token. */
const decayTables = new Map<number, Float64Array>();

/** Longest table kept (1 MB): farther tokens, in documents of more than 64,000 tokens, compute theirs. */
const MAX_DECAY_TABLE = 128 * 1024;

/**
 * The table of `exp(-distance / span)` for distances `0..length - 1` (up
 * to MAX_DECAY_TABLE), the same numbers `Math.exp` gives, computed once: the
 * mining pass needs three of them for every word of the document at every request.
 */
function readDecayTable(span: number, length: number): Float64Array {
  let table = decayTables.get(span);
  if (table === undefined || (table.length < length && table.length < MAX_DECAY_TABLE)) {
    const grown = new Float64Array(Math.min(MAX_DECAY_TABLE, Math.max(length, 2 * (table?.length ?? 0), 1024)));
    for (let distance = 0; distance < grown.length; distance++) grown[distance] = Math.exp(-distance / span);
    table = grown;
    decayTables.set(span, table);
  }
  return table;
}

/** Distances past which the near decay counts nothing (exp(-10) is noise next to a use 25 tokens away). */
const NEAR_HORIZON = 250;

function mineWords(
  pass: MiningPass, context: MiningContext, prefix: string, members: ReadonlySet<string>,
  definers: ReadonlySet<string>, weights: RankingWeights, stats: Map<string, WordStats>, totals: Totals,
): void {
  const lowerPrefix = prefix.toLowerCase();
  const { c3, c2, c1, shape: [s3, s2, s1] } = context;
  const { tokens, weight, cursorIndex } = pass;
  // The farthest a token is from the cursor: twice as far after it (see the distance below).
  const farthest = cursorIndex >= 0 ? Math.max(cursorIndex, 2 * (tokens.length - cursorIndex)) + 1 : 0;
  const recencyDecay = readDecayTable(weights.recencySpan, farthest);
  const nearDecays = readDecayTable(25, NEAR_HORIZON);
  const farDecays = readDecayTable(2000, farthest);
  let p1 = '\u0000';
  let p2 = '\u0000';
  let p3 = '\u0000';
  let q1 = '\u0000';
  let q2 = '\u0000';
  let q3 = '\u0000';
  for (let index = 0; index < tokens.length; index++) {
    if (index % BUDGET_CHECK_INTERVAL === 0) checkBudget(pass.deadline);
    const token = tokens[index];
    if (token.category === 'comment' || index === pass.skipIndex) continue;
    const followsContext = p1 === c1;
    const followsBoth = followsContext && p2 === c2;
    const followsThree = followsBoth && p3 === c3;
    const followsShape = q1 === s1 && q2 === s2 && q3 === s3;
    const isWord = token.category === 'ident' || token.category === 'keyword';
    if (followsContext) totals.bigram += weight;
    if (followsBoth) totals.trigram += weight;
    if (followsShape) totals.shape += weight;
    if (followsThree) totals.fourgram += weight;
    let decay = 0;
    let nearDecay = 0;
    let farDecay = 0;
    // The corpus only teaches what follows what; how often a name occurs is the document's business.
    if (isWord && (!pass.corpus || followsContext)) {
      if (!pass.corpus) totals.words += weight;
      if (cursorIndex >= 0) {
        const distance = index < cursorIndex ? cursorIndex - index : 2 * (index - cursorIndex);
        decay = distance < recencyDecay.length ? recencyDecay[distance] : Math.exp(-distance / weights.recencySpan);
        totals.recency += decay;
        nearDecay = distance < NEAR_HORIZON ? nearDecays[distance] : 0;
        farDecay = distance < farDecays.length ? farDecays[distance] : Math.exp(-distance / 2000);
        totals.near += nearDecay;
        totals.far += farDecay;
      }
      if (matchesPrefix(token.text, prefix, lowerPrefix) && token.text !== prefix) {
        let entry = stats.get(token.text);
        if (entry === undefined) {
          entry = createWordStats(token.category === 'keyword', 0);
          stats.set(token.text, entry);
        }
        if (pass.corpus) entry.corpus += weight;
        else if (members.has(p1)) entry.member += weight;
        else entry.bare += weight;
        const role = pass.roles?.[index] ?? 0;
        if ((definers.has(p1) || (role & SHELL_DEFINITION) !== 0) && !pass.corpus) entry.defined += weight;
        if ((role & SHELL_VARIABLE) !== 0) entry.variable += weight;
        if ((role & SHELL_COMMAND) !== 0) entry.command += weight;
        if (TYPE_DEFINERS.has(p1) && !pass.corpus) entry.typeDefined += weight;
        entry.recency += decay;
        entry.near += nearDecay;
        entry.far += farDecay;
        if (followsThree) entry.fourgram += weight;
        if (!pass.corpus && index < cursorIndex) entry.lastIndex = index;
        if (index >= pass.lineStart && index < cursorIndex) entry.sameLine += weight;
        else if (index >= pass.previousLineStart && index < pass.lineStart) entry.previousLine += weight;
        if (pass.scope !== undefined) {
          if (index >= pass.scope.functionStart && index < cursorIndex) entry.inFunction += weight;
          if (pass.scope.global[index] === 1) entry.global += weight;
        }
        if (followsContext) entry.bigram += weight;
        if (followsBoth) entry.trigram += weight;
        if (followsShape) entry.shape += weight;
      }
    }
    p3 = p2;
    p2 = p1;
    p1 = toContextText(token);
    q3 = q2;
    q2 = q1;
    q1 = toPatternText(token);
  }
}

/**
 * Mines the words of the document (never its strings or comments, except
 * as weak text-only candidates in shell) and of the built-in corpus that
 * start with the typed prefix, and ranks them by an
 * interpolated model: frequency, recency around the cursor, and what
 * followed the previous one and two tokens (which, after `self.`, are the
 * members seen on that receiver).
 */
export function rankWords(
  code: string, tokens: readonly Token[], corpus: readonly Token[], context: CursorContext, language: Language,
  members: ReadonlySet<string>, weights: RankingWeights, deadline?: number,
): RankedWord[] {
  const tables = getWordTables(language);
  const [t3, t2, t1] = readSignificantBefore(tokens, context.previousIndex, 3);
  const ngram: MiningContext = {
    c3: toContextText(t3), c2: toContextText(t2), c1: toContextText(t1),
    shape: [toPatternText(t3), toPatternText(t2), toPatternText(t1)],
  };
  const stats = new Map<string, WordStats>();
  const totals: Totals = { words: 0, recency: 0, bigram: 0, trigram: 0, shape: 0, fourgram: 0, near: 0, far: 0 };
  const cursorIndex = context.partialIndex >= 0 ? context.partialIndex : context.previousIndex + 1;
  const scope = analyzeScopes(code, tokens, cursorIndex, language === 'python');
  const lineStart = findLineStart(code, tokens, cursorIndex);
  const previousLineStart = findLineStart(code, tokens, lineStart - 1);
  const roles = language === 'shell' ? markShellRoles(code, tokens) : undefined;
  mineWords({ tokens, weight: 1, cursorIndex, skipIndex: context.partialIndex, corpus: false, scope, lineStart, previousLineStart, roles, deadline }, ngram, context.prefix, members,
    tables.definers, weights, stats, totals);
  mineWords({ tokens: corpus, weight: weights.corpusWeight, cursorIndex: -1, skipIndex: -1, corpus: true, lineStart: -1, previousLineStart: -1, deadline }, ngram, context.prefix,
    members, tables.definers, weights, stats, totals);
  if (language === 'shell') mineTextWords(tokens, context.prefix, stats);
  const isMember = context.kind === 'member';
  const standardMembers = getStandardMembers(language);
  if (isMember) addMemberPriors(stats, standardMembers, context.prefix, weights.builtinPrior);
  else addPriors(stats, tables, context.prefix, weights.builtinPrior);
  totals.words += 1;
  const lowerPrefix = context.prefix.toLowerCase();
  const ranked: RankedWord[] = [];
  const builtins = new Set(isMember ? standardMembers : tables.builtins);
  const featureWeights = weights.features[language] ?? weights.features.default;
  const receiverMembers = isMember ? getReceiverMembers(language, context.receiver) : undefined;
  if (receiverMembers !== undefined) addReceiverPriors(stats, receiverMembers, context.prefix, weights.builtinPrior);
  // The members of `this` are the class's own, written in the document: no common name stands in for them.
  const ownMembers = isMember && (context.receiver === 'this' || context.receiver === 'self');
  if (!ownMembers) addCommonNames(stats, getCommonNames(language, isMember ? 'members' : 'names'), context.prefix);
  const previousText = tokens[context.previousIndex]?.text ?? '';
  // A `:` opens a value or a type in JavaScript; in Python it ends a header and a statement may follow.
  const afterOperator = context.kind === 'expression' && (OPEN_EXPRESSION.has(previousText) || (previousText === ':' && language !== 'python'));
  const typePosition = (language === 'typescript' ? TYPE_POSITION_TS : TYPE_POSITION).has(previousText);
  const receiverTail = /[\p{L}\p{N}_$]+$/u.exec(context.receiver ?? '')?.[0];
  for (const [text, entry] of stats) {
    if (isMember && ((entry.keyword && entry.member === 0) || text === receiverTail)) continue;
    // Builtins and keywords are bare names: their prior never makes them members.
    if (isMember && entry.member + entry.bare + entry.corpus + entry.memberPrior + entry.receiverMember + entry.common === 0) continue;
    // What other classes keep on `this` says little about this class, which the document defines.
    if (ownMembers && entry.member + entry.bare + entry.memberPrior === 0) continue;
    // After a receiver whose members are known (`Math.`), a name is one of them or was seen after it (`receiver .`), not `Math.forEach`.
    if (receiverMembers !== undefined && entry.receiverMember === 0 && entry.trigram === 0) continue;
    // After `$` comes a variable: no keyword, no `apt-get`, no command known only from the builtin list.
    if (context.slot === 'variable' && (entry.keyword || text.includes('-') || (entry.bare === 0 && entry.prior > 0 && entry.common === 0))) continue;
    const caseMismatch = !text.startsWith(context.prefix) && text.toLowerCase().startsWith(lowerPrefix);
    const features = computeWordFeatures({
      entry, totals, kind: context.kind, caseMismatch, cursorIndex, length: text.length,
      // A standard member is one offered after any receiver; after a known one (`Math.`) its own list says more.
      typed: context.prefix.length, builtin: builtins.has(text) && receiverMembers === undefined, afterOperator, typePosition,
      statementKeyword: entry.keyword && STATEMENT_KEYWORDS.has(text), capitalized: isCapitalized(text), slot: context.slot,
    }, weights);
    const score = scoreWordFeatures(features, featureWeights);
    const evidence = entry.bare + entry.member + entry.prior + entry.memberPrior + entry.receiverMember + entry.corpus;
    ranked.push({ text, keyword: entry.keyword, score, evidence, features });
  }
  ranked.sort((a, b) => b.score - a.score || (a.text < b.text ? -1 : 1));
  // Log-scores become a distribution over the candidates, so a score reads as a probability.
  const top = ranked[0]?.score ?? 0;
  let sum = 0;
  for (const word of ranked) sum += Math.exp(word.score - top);
  for (const word of ranked) word.score = Math.exp(word.score - top) / sum;
  return ranked;
}

const TEXT_WORD = /[\p{L}_][\p{L}\p{N}_-]*/gu;

/**
 * Shell: counts the words of strings and comments that start with `prefix`.
 * A shell string is mostly arguments (`"ubuntu")`, `"--force"`), so a word
 * seen only there is still a candidate, weaker than one seen in code.
 */
function mineTextWords(tokens: readonly Token[], prefix: string, stats: Map<string, WordStats>): void {
  // With nothing typed every word of every comment would be a candidate: text words need a first letter.
  if (prefix === '') return;
  const lowerPrefix = prefix.toLowerCase();
  const lower = lowerPrefix[0];
  const upper = prefix[0].toUpperCase();
  for (const token of tokens) {
    if (token.category !== 'string' && token.category !== 'comment') continue;
    // Runs on every request: skip a text without the first letter before any regex or lower-casing.
    if (!token.text.includes(lower) && !token.text.includes(upper)) continue;
    for (const [text] of token.text.matchAll(TEXT_WORD)) {
      if (text === prefix || !matchesPrefix(text, prefix, lowerPrefix)) continue;
      let entry = stats.get(text);
      if (entry === undefined) {
        entry = createWordStats(false, 0);
        stats.set(text, entry);
      }
      entry.text++;
    }
  }
}

function addPriors(stats: Map<string, WordStats>, tables: WordTables, prefix: string, prior: number): void {
  const add = (text: string, keyword: boolean): void => {
    if (!text.startsWith(prefix) || text === prefix) return;
    const entry = stats.get(text);
    if (entry !== undefined) entry.prior += prior;
    else stats.set(text, createWordStats(keyword, prior));
  };
  for (const word of tables.keywords) add(word, true);
  for (const word of tables.builtins) add(word, false);
}

function addMemberPriors(stats: Map<string, WordStats>, members: readonly string[], prefix: string, prior: number): void {
  for (const text of members) {
    if (!text.startsWith(prefix) || text === prefix) continue;
    let entry = stats.get(text);
    if (entry === undefined) {
      entry = createWordStats(false, 0);
      stats.set(text, entry);
    }
    entry.memberPrior += prior;
  }
}

function addReceiverPriors(stats: Map<string, WordStats>, members: readonly string[], prefix: string, prior: number): void {
  members.forEach((text, order) => {
    if (!text.startsWith(prefix) || text === prefix) return;
    let entry = stats.get(text);
    if (entry === undefined) {
      entry = createWordStats(false, 0);
      stats.set(text, entry);
    }
    // The lists name the commonest members first (`floor` before `fround`): up to twice the prior for the first.
    entry.receiverMember += prior * (1 + (members.length - order) / members.length);
  });
}

function addCommonNames(stats: Map<string, WordStats>, names: readonly string[], prefix: string): void {
  for (const text of names) {
    if (!text.startsWith(prefix) || text === prefix) continue;
    let entry = stats.get(text);
    if (entry === undefined) {
      entry = createWordStats(false, 0);
      stats.set(text, entry);
    }
    entry.common = 1;
  }
}

function isCapitalized(text: string): boolean {
  const first = text.charCodeAt(0);
  return first >= 65 && first <= 90;
}
