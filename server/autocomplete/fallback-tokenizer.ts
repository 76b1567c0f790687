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
  /** For each ASCII code: 1 when a comment or string may start with it. */
  asciiStarters: Uint8Array;
  /** For each ASCII code: 1 when a word may start with it (the word pattern is tried only there). */
  asciiWordStarts: Uint8Array;
}

const compiled = new WeakMap<LexicalRules, CompiledRules>();

/** Printable ASCII, the characters a word's first one is tried before. */
const PRINTABLE = Array.from({ length: 95 }, (_, index) => String.fromCharCode(32 + index));

/**
 * Which ASCII characters a word of `word` (a sticky pattern) may start with: those that,
 * alone or followed by a printable character (and a letter and a digit), begin a match.
 * The patterns are a letter class after an optional sigil (`@`, `$`, `-`), so this finds
 * every first character; the tokenizer then skips the others without running the pattern.
 */
function findWordStarts(word: RegExp): Uint8Array {
  const starts = new Uint8Array(128);
  for (let code = 0; code < 128; code++) {
    const first = String.fromCharCode(code);
    starts[code] = [first, ...PRINTABLE.flatMap((next) => [first + next, `${first}${next}a0`])].some((text) => {
      word.lastIndex = 0;
      const match = word.exec(text);
      return match !== null && match[0].length > 0;
    }) ? 1 : 0;
  }
  return starts;
}

function compile(rules: LexicalRules): CompiledRules {
  let found = compiled.get(rules);
  if (found === undefined) {
    const starters = new Set<string>();
    for (const marker of rules.lineComments) starters.add(marker[0]);
    for (const [open] of rules.blockComments) starters.add(open[0]);
    for (const quote of rules.quotes) starters.add(quote[0]);
    const asciiStarters = new Uint8Array(128);
    for (const starter of starters) if (starter.charCodeAt(0) < 128) asciiStarters[starter.charCodeAt(0)] = 1;
    const word = new RegExp(rules.word, 'uy');
    found = { rules, word, starters, asciiStarters, asciiWordStarts: findWordStarts(word) };
    compiled.set(rules, found);
  }
  return found;
}

const BACKSLASH = 92;
const NEWLINE = 10;

function findStringEnd(code: string, start: number, quote: string): number {
  const multiLine = quote.length > 1;
  const endsAtLineEnd = !multiLine && quote !== '`';
  const first = quote.charCodeAt(0);
  // By character code: a docstring is thousands of characters, and this runs on a whole file.
  for (let at = start + quote.length; at < code.length; at++) {
    const char = code.charCodeAt(at);
    if (char === BACKSLASH) at++;
    else if (char === NEWLINE && endsAtLineEnd) return at;
    else if (char === first && code.startsWith(quote, at)) return at + quote.length;
  }
  return code.length;
}

/** True for a word that starts with a digit (of any script): a number. */
function isNumberText(text: string): boolean {
  const first = text.charCodeAt(0);
  if (first < 128) return first >= 48 && first <= 57;
  return /^\p{N}/u.test(text);
}

/** Returns the end and category of a comment or string starting at `at`, if one does. */
export function matchOpaque(code: string, at: number, rules: LexicalRules): { end: number; category: TokenCategory } | undefined {
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
  const { word, starters, asciiStarters, asciiWordStarts } = compile(rules);
  const out: Token[] = [];
  let looseFrom = 0;
  let at = 0;
  // Runs on a whole file while its first parse goes on (`tokenize.ts`): white space and
  // punctuation are passed over by character code, without the word pattern.
  while (at < code.length) {
    const charCode = code.charCodeAt(at);
    if (charCode <= 32) {
      at++;
      continue;
    }
    const ascii = charCode < 128;
    if (ascii ? asciiStarters[charCode] === 1 : starters.has(code[at])) {
      const opaque = matchOpaque(code, at, rules);
      if (opaque !== undefined) {
        splitLooseText(code, looseFrom, at, classifyWord, out);
        out.push({ from: at, to: opaque.end, text: code.slice(at, opaque.end), category: opaque.category });
        at = looseFrom = opaque.end;
        continue;
      }
    }
    if (ascii && asciiWordStarts[charCode] === 0) {
      at++;
      continue;
    }
    word.lastIndex = at;
    const match = word.exec(code);
    if (match !== null && match[0].length > 0) {
      splitLooseText(code, looseFrom, at, classifyWord, out);
      const text = match[0];
      const category = isNumberText(text) ? 'number' : classifyWord(text);
      out.push({ from: at, to: at + text.length, text, category });
      at = looseFrom = at + text.length;
      continue;
    }
    at++;
  }
  splitLooseText(code, looseFrom, code.length, classifyWord, out);
  return out;
}
