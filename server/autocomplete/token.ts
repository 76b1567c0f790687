/** What a token is, as far as completion cares. */
export type TokenCategory = 'ident' | 'keyword' | 'string' | 'comment' | 'number' | 'punct';

/** One lexical token of the document; `text` is `code.slice(from, to)`. */
export interface Token {
  from: number;
  to: number;
  text: string;
  category: TokenCategory;
}

const IDENT_CHAR = /[\p{L}\p{N}_$]/u;
const PUNCT_PATTERN = /\s+|[\p{L}\p{N}_$]+|===|!==|\*\*=|\.\.\.|<<=|>>=|->|=>|::|\?\.|\?\?|[-+*/%&|^=<>!]=|&&|\|\||\+\+|--|<<|>>|./gsu;

/** True when `char` can be part of an identifier in most languages. */
export function isIdentChar(char: string): boolean {
  return IDENT_CHAR.test(char);
}

/** True when `text` is a whole identifier (letters, digits, `_`, `$`; not starting with a digit). */
export function isIdentifier(text: string): boolean {
  return /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(text);
}

/**
 * Splits code that no grammar claimed (operators, error spans) into tokens:
 * words are classified by `classifyWord`, everything else is punctuation.
 */
export function splitLooseText(
  code: string,
  from: number,
  to: number,
  classifyWord: (word: string) => TokenCategory,
  out: Token[],
): void {
  // Most gaps between grammar tokens are plain whitespace: skip them without slicing.
  let at = from;
  while (at < to && code.charCodeAt(at) <= 32) at++;
  if (at === to) return;
  const text = code.slice(from, to);
  PUNCT_PATTERN.lastIndex = 0;
  for (let match = PUNCT_PATTERN.exec(text); match !== null; match = PUNCT_PATTERN.exec(text)) {
    const piece = match[0];
    if (/^\s/.test(piece)) continue;
    const start = from + match.index;
    const category: TokenCategory = isIdentChar(piece[0])
      ? /^\p{N}/u.test(piece) ? 'number' : classifyWord(piece)
      : 'punct';
    out.push({ from: start, to: start + piece.length, text: piece, category });
  }
}
