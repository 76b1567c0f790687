/** What a token is, as far as completion cares. */
export type TokenCategory = 'ident' | 'keyword' | 'string' | 'comment' | 'number' | 'punct';

/** One lexical token of the document; `text` is `code.slice(from, to)`. */
export interface Token {
  from: number;
  to: number;
  text: string;
  category: TokenCategory;
  /** For a string token cut by an interpolation or by the end of the code: the string goes on after it. */
  open?: boolean;
}

const IDENT_CHAR = /[\p{L}\p{N}_$]/u;
const OPERATORS_3 = new Set(['===', '!==', '**=', '...', '<<=', '>>=']);
const OPERATORS_2 = new Set([
  '${', '->', '=>', ':=', '::', '?.', '??', '-=', '+=', '*=', '/=', '%=', '&=', '|=', '^=', '==', '!=', '<=', '>=',
  '&&', '||', '++', '--', '<<', '>>',
]);

function isWordCode(code: number): boolean {
  // ASCII fast path; anything else asks the Unicode-aware pattern.
  if (code < 128) {
    return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code === 36;
  }
  return IDENT_CHAR.test(String.fromCharCode(code));
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
  // Called for every gap between grammar tokens, so it scans by hand rather than with a regex.
  let at = from;
  while (at < to) {
    const char = code.charCodeAt(at);
    if (char <= 32) {
      at++;
      continue;
    }
    let end = at + 1;
    let category: TokenCategory = 'punct';
    if (char === 36 && code.charCodeAt(at + 1) === 123) end = at + 2;
    else if (isWordCode(char)) {
      while (end < to && isWordCode(code.charCodeAt(end))) end++;
      category = char >= 48 && char <= 57 ? 'number' : 'ident';
    } else if (end < to) {
      if (at + 3 <= to && OPERATORS_3.has(code.slice(at, at + 3))) end = at + 3;
      else if (OPERATORS_2.has(code.slice(at, at + 2))) end = at + 2;
    }
    const text = code.slice(at, end);
    if (category === 'ident') category = classifyWord(text);
    out.push({ from: at, to: end, text, category });
    at = end;
  }
}
