import type { Parser, Tree } from '@lezer/common';
import type { Language } from '../../shared/protocol.ts';
import { BudgetExceeded } from './budget.ts';
import { tokenizeWithRules } from './fallback-tokenizer.ts';
import { getWordTables } from './keywords.ts';
import { getLanguageSpec, type LanguageSpec } from './languages.ts';
import { listTreeTokens } from './lezer-tokens.ts';
import { createLruCache } from './lru-cache.ts';
import { findChangedRanges, findLastParse, parseIncrementally, parseWithinDeadline } from './parse-cache.ts';
import { detachTokenText, spliceTokens, type WindowTokenizer } from './token-splice.ts';
import type { Token, TokenCategory } from './token.ts';

/** Returns a function telling keywords from identifiers in `language`. */
export function createWordClassifier(language: Language): (word: string) => TokenCategory {
  const { keywords } = getWordTables(language);
  return (word) => (keywords.has(word) ? 'keyword' : 'ident');
}

/** What a caller's last request tokenized to: the base its next request's tokens are spliced from. */
interface KnownTokens {
  parser: Parser;
  code: string;
  /** Owned by this entry: the next request's splice changes them in place. */
  tokens: Token[];
  /** True when the tokens came from the grammar; false: from the lexical rules, while the first parse goes on. */
  parsed: boolean;
  /** For tokens from the lexical rules: the caller's last finished parse when they were made (older than the one awaited). */
  staleTree?: Tree;
}

// Tokens take far more memory than a tree (about 80 bytes each, 20-30 thousand in a 100 KB file): few
// callers are remembered, and no text of more tokens than a real source file has.
const knownTokens = createLruCache<string, KnownTokens>(8);
const MAX_KNOWN_TOKENS = 100_000;

/**
 * Longest a request spends on a full parse before it answers from the lexical rules (the parse goes
 * on between requests): a 100 KB C file takes 50-110 ms to parse, a keystroke's answer should take 20.
 */
const FULL_PARSE_SLICE_MS = 8;
/** Longest text answered from the lexical rules while its parse goes on; longer text waits for the parse (or its budget). */
const MAX_LEXICAL_FALLBACK = 256 * 1024;

function relocateTokens(tokens: readonly Token[], from: number): Token[] {
  return tokens.map((token) => {
    const moved: Token = { from: token.from + from, to: token.to + from, text: detachTokenText(token.text), category: token.category };
    if (token.open !== undefined) moved.open = token.open;
    return moved;
  });
}

function createWindowTokenizer(spec: LanguageSpec, parser: Parser, parsed: boolean, classifyWord: (word: string) => TokenCategory, deadline?: number): WindowTokenizer {
  // A window is tokenized the way its base was, so that the tokens on either side of it agree.
  if (!parsed) return (code, from, to) => relocateTokens(tokenizeWithRules(code.slice(from, to), spec.lexical, classifyWord), from);
  return (code, from, to) => {
    const text = code.slice(from, to);
    let tree: Tree;
    try {
      tree = parseWithinDeadline(parser, text, deadline);
    } catch (error) {
      if (error instanceof RangeError) return undefined;
      throw error;
    }
    return relocateTokens(listTreeTokens(text, tree, classifyWord, deadline), from);
  };
}

function rememberTokens(cacheKey: string, known: KnownTokens): Token[] {
  if (known.tokens.length <= MAX_KNOWN_TOKENS) knownTokens.set(cacheKey, known);
  else knownTokens.delete(cacheKey);
  return known.tokens;
}

/**
 * Tokenizes `code` with `parser`, from what is known of the caller's last
 * text: unchanged, the same tokens; a few local edits, their tokens spliced
 * (`token-splice.ts`); otherwise a parse, incremental from the caller's last
 * tree. With a deadline, a parse that does not finish within
 * FULL_PARSE_SLICE_MS is carried on between requests, and the text is
 * tokenized by the lexical rules meanwhile.
 */
function tokenizeWithGrammar(code: string, spec: LanguageSpec, parser: Parser, cacheKey: string, classifyWord: (word: string) => TokenCategory, deadline?: number): Token[] {
  let known = knownTokens.get(cacheKey);
  if (known !== undefined && known.parser !== parser) known = undefined;
  if (known !== undefined && !known.parsed) {
    const finished = findLastParse(parser, cacheKey);
    if (finished !== undefined && finished.tree !== known.staleTree) known = { parser, code: finished.code, tokens: listTreeTokens(finished.code, finished.tree, classifyWord, deadline), parsed: true };
  }
  if (known?.code === code) return rememberTokens(cacheKey, known);
  if (known !== undefined) {
    // The splice changes the known tokens in place: forgotten first, they are never taken for `known.code`'s
    // if it fails half-way (a change not local, or the budget running out in the second of two changes).
    knownTokens.delete(cacheKey);
    const tokenizeWindow = createWindowTokenizer(spec, parser, known.parsed, classifyWord, deadline);
    if (spliceTokens(known.code, known.tokens, code, findChangedRanges(known.code, code), tokenizeWindow)) {
      return rememberTokens(cacheKey, { ...known, code });
    }
  }
  const sliceEnd = deadline === undefined || code.length > MAX_LEXICAL_FALLBACK ? deadline : Math.min(deadline, Date.now() + FULL_PARSE_SLICE_MS);
  let tree: Tree;
  try {
    tree = parseIncrementally(parser, code, cacheKey, sliceEnd);
  } catch (error) {
    // Lezer builds its tree recursively: nesting a few hundred thousand deep overflows the stack. Such
    // text is no program; its lexical tokens are all the completion needs.
    if (error instanceof RangeError) return tokenizeWithRules(code, spec.lexical, classifyWord);
    if (!(error instanceof BudgetExceeded) || sliceEnd === deadline) throw error;
    const staleTree = findLastParse(parser, cacheKey)?.tree;
    return rememberTokens(cacheKey, { parser, code, tokens: tokenizeWithRules(code, spec.lexical, classifyWord), parsed: false, staleTree });
  }
  return rememberTokens(cacheKey, { parser, code, tokens: listTreeTokens(code, tree, classifyWord, deadline), parsed: true });
}

/**
 * Tokenizes `code` in `language`: with its own tokenizer when it has one
 * (shell), with its Lezer grammar when there is one (reusing the work done
 * for the last text seen under `cacheKey`), with the language's lexical
 * rules otherwise. Throws `BudgetExceeded` past `deadline`. The tokens are
 * kept for the caller's next request, which splices them in place: they
 * must not be changed, and hold only until the next call with `cacheKey`
 * (a caller keeping them for good, like the corpus, uses a key of its own).
 */
export function tokenizeDocument(code: string, language: Language, cacheKey: string, deadline?: number): Token[] {
  const spec = getLanguageSpec(language);
  const classifyWord = createWordClassifier(language);
  if (spec.tokenize !== undefined) return spec.tokenize(code, classifyWord);
  if (spec.selectParser === undefined) return tokenizeWithRules(code, spec.lexical, classifyWord);
  return tokenizeWithGrammar(code, spec, spec.selectParser(code), `${language}\u0000${cacheKey}`, classifyWord, deadline);
}

/** Index of the first token ending at or after `position` (tokens.length when none). */
export function findTokenIndex(tokens: readonly Token[], position: number): number {
  let low = 0;
  let high = tokens.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (tokens[middle].to < position) low = middle + 1;
    else high = middle;
  }
  return low;
}
