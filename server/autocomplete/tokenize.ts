import type { Tree } from '@lezer/common';
import type { Language } from '../../shared/protocol.ts';
import { tokenizeWithRules } from './fallback-tokenizer.ts';
import { getWordTables } from './keywords.ts';
import { getLanguageSpec } from './languages.ts';
import { listTreeTokens } from './lezer-tokens.ts';
import { parseIncrementally } from './parse-cache.ts';
import type { Token, TokenCategory } from './token.ts';

/** Returns a function telling keywords from identifiers in `language`. */
export function createWordClassifier(language: Language): (word: string) => TokenCategory {
  const { keywords } = getWordTables(language);
  return (word) => (keywords.has(word) ? 'keyword' : 'ident');
}

/**
 * Tokenizes `code` in `language`: with its own tokenizer when it has one
 * (shell), with its Lezer grammar when there is one (reparsing
 * incrementally from the last text seen under `cacheKey`), with the
 * language's lexical rules otherwise. Throws `BudgetExceeded` past `deadline`.
 */
export function tokenizeDocument(code: string, language: Language, cacheKey: string, deadline?: number): Token[] {
  const spec = getLanguageSpec(language);
  const classifyWord = createWordClassifier(language);
  if (spec.tokenize !== undefined) return spec.tokenize(code, classifyWord);
  if (spec.selectParser === undefined) return tokenizeWithRules(code, spec.lexical, classifyWord);
  const parser = spec.selectParser(code);
  let tree: Tree;
  try {
    tree = parseIncrementally(parser, code, `${language}\u0000${cacheKey}`, deadline);
  } catch (error) {
    // Lezer builds its tree recursively: nesting a few hundred thousand deep overflows the stack. Such
    // text is no program; its lexical tokens are all the completion needs.
    if (!(error instanceof RangeError)) throw error;
    return tokenizeWithRules(code, spec.lexical, classifyWord);
  }
  return listTreeTokens(code, tree, classifyWord, deadline);
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
