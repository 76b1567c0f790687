import { splitLooseText, type Token, type TokenCategory } from './token.ts';

/** Lexical rules of a language that has no Lezer grammar here. */
export interface LexicalRules {
  /** Markers that start a comment running to the end of the line, e.g. `#`, `//`, `--`. */
  lineComments: readonly string[];
  /** Open/close pairs of block comments, such as slash-star and star-slash. */
  blockComments: ReadonlyArray<readonly [string, string]>;
  /** String delimiters, longest first (`"""` before `"`); a string ends at the same delimiter. */
  quotes: readonly string[];
  /** What a word looks like (sticky regex source), e.g. `[A-Za-z_][\\w]*`. */
  word: string;
}

interface CompiledRules {
  rules: LexicalRules;
  word: RegExp;
  starters: Set<string>;
}

const compiled = new WeakMap<LexicalRules, CompiledRules>();

function compile(rules: LexicalRules): CompiledRules {
  let found = compiled.get(rules);
  if (found === undefined) {
    const starters = new Set<string>();
    for (const marker of rules.lineComments) starters.add(marker[0]);
    for (const [open] of rules.blockComments) starters.add(open[0]);
    for (const quote of rules.quotes) starters.add(quote[0]);
    found = { rules, word: new RegExp(rules.word, 'uy'), starters };
    compiled.set(rules, found);
  }
  return found;
}

function findStringEnd(code: string, start: number, quote: string): number {
  const multiLine = quote.length > 1;
  for (let at = start + quote.length; at < code.length; at++) {
    const char = code[at];
    if (char === '\\') at++;
    else if (char === '\n' && !multiLine && quote !== '`') return at;
    else if (code.startsWith(quote, at)) return at + quote.length;
  }
  return code.length;
}

/** Returns the end and category of a comment or string starting at `at`, if one does. */
function matchOpaque(code: string, at: number, rules: LexicalRules): { end: number; category: TokenCategory } | undefined {
  for (const [open, close] of rules.blockComments) {
    if (code.startsWith(open, at)) {
      const end = code.indexOf(close, at + open.length);
      return { end: end < 0 ? code.length : end + close.length, category: 'comment' };
    }
  }
  for (const marker of rules.lineComments) {
    // A `#` inside a word (shell `$#`, `a#b`) does not start a comment.
    if (code.startsWith(marker, at) && (marker !== '#' || at === 0 || /[\s;(]/.test(code[at - 1]))) {
      const end = code.indexOf('\n', at);
      return { end: end < 0 ? code.length : end, category: 'comment' };
    }
  }
  for (const quote of rules.quotes) {
    if (code.startsWith(quote, at)) return { end: findStringEnd(code, at, quote), category: 'string' };
  }
  return undefined;
}

/**
 * Tokenizes `code` with a language's lexical rules: comments and strings
 * come out whole, words are classified by `classifyWord`, the rest is
 * punctuation. Used for the languages that have no Lezer grammar here.
 */
export function tokenizeWithRules(
  code: string,
  rules: LexicalRules,
  classifyWord: (word: string) => TokenCategory,
): Token[] {
  const { word, starters } = compile(rules);
  const out: Token[] = [];
  let looseFrom = 0;
  let at = 0;
  while (at < code.length) {
    const char = code[at];
    if (starters.has(char)) {
      const opaque = matchOpaque(code, at, rules);
      if (opaque !== undefined) {
        splitLooseText(code, looseFrom, at, classifyWord, out);
        out.push({ from: at, to: opaque.end, text: code.slice(at, opaque.end), category: opaque.category });
        at = looseFrom = opaque.end;
        continue;
      }
    }
    word.lastIndex = at;
    const match = word.exec(code);
    if (match !== null && match[0].length > 0) {
      splitLooseText(code, looseFrom, at, classifyWord, out);
      const text = match[0];
      const category = /^\p{N}/u.test(text) ? 'number' : classifyWord(text);
      out.push({ from: at, to: at + text.length, text, category });
      at = looseFrom = at + text.length;
      continue;
    }
    at++;
  }
  splitLooseText(code, looseFrom, code.length, classifyWord, out);
  return out;
}
