import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchOpaque, tokenizeWithRules, type LexicalRules } from '../../../server/autocomplete/fallback-tokenizer.ts';
import { getLanguageSpec } from '../../../server/autocomplete/languages.ts';
import { createWordClassifier } from '../../../server/autocomplete/tokenize.ts';
import { splitLooseText, type Token, type TokenCategory } from '../../../server/autocomplete/token.ts';
import { LANGUAGES } from '../../../shared/protocol.ts';

/**
 * The lexical tokenizer as first written, one character at a time with the
 * word pattern tried everywhere: the definition the fast one must match
 * (comments and strings are matched by the tokenizer's own `matchOpaque`,
 * which the fast path did not change).
 */
function tokenizePlainly(code: string, rules: LexicalRules, classifyWord: (word: string) => TokenCategory): Token[] {
  const word = new RegExp(rules.word, 'uy');
  const starters = new Set([...rules.lineComments, ...rules.blockComments.map(([open]) => open), ...rules.quotes].map((marker) => marker[0]));
  const out: Token[] = [];
  let looseFrom = 0;
  let at = 0;
  while (at < code.length) {
    const opaque = starters.has(code[at]) ? matchOpaque(code, at, rules) : undefined;
    if (opaque !== undefined) {
      splitLooseText(code, looseFrom, at, classifyWord, out);
      out.push({ from: at, to: opaque.end, text: code.slice(at, opaque.end), category: opaque.category });
      at = looseFrom = opaque.end;
      continue;
    }
    word.lastIndex = at;
    const match = word.exec(code);
    if (match !== null && match[0].length > 0) {
      splitLooseText(code, looseFrom, at, classifyWord, out);
      out.push({ from: at, to: at + match[0].length, text: match[0], category: /^\p{N}/u.test(match[0]) ? 'number' : classifyWord(match[0]) });
      at = looseFrom = at + match[0].length;
      continue;
    }
    at++;
  }
  splitLooseText(code, looseFrom, code.length, classifyWord, out);
  return out;
}

describe('the lexical tokenizer (whole files while their first parse goes on, and languages without a grammar)', () => {
  it('gives the tokens of the plain character loop in every language, on any text', () => {
    // Pieces every language's rules care about: sigils, comment and string markers, escapes, digits, other scripts.
    const piece = fc.constantFrom(
      'a', 'Zed', '_x1', '$v', '@attr', '@@c', '-webkit', 'x?', 'y!', '12', '3.5', '٣', 'é', 'naïve', '变量', ' ', '\t', '\n', '\u00a0',
      '#', '//', '/*', '*/', '--', '<!--', '-->', '=begin', '=end', '"', "'", '`', '"""', "'''", '\\', '(', ';', '.', '->', '=>', '{', '}',
    );
    const text = fc.array(piece, { maxLength: 60 }).map((pieces) => pieces.join(''));
    fc.assert(fc.property(fc.constantFrom(...LANGUAGES), text, (language, code) => {
      const { lexical } = getLanguageSpec(language);
      const classifyWord = createWordClassifier(language);
      expect(tokenizeWithRules(code, lexical, classifyWord)).toEqual(tokenizePlainly(code, lexical, classifyWord));
    }), { numRuns: 3000 });
  });
});
