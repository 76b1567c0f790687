import type { Parser } from '@lezer/common';
import type { LRParser } from '@lezer/lr';
import { parser as cppParser } from '@lezer/cpp';
import { parser as goParser } from '@lezer/go';
import { parser as javaParser } from '@lezer/java';
import { parser as jsParser } from '@lezer/javascript';
import { parser as phpParser } from '@lezer/php';
import { parser as pythonParser } from '@lezer/python';
import { parser as rustParser } from '@lezer/rust';
import { cssLanguage } from '@codemirror/lang-css';
import { htmlLanguage } from '@codemirror/lang-html';
import { jsonLanguage } from '@codemirror/lang-json';
import { StandardSQL } from '@codemirror/lang-sql';
import type { Language } from '../../shared/protocol.ts';
import type { LexicalRules } from './fallback-tokenizer.ts';
import { tokenizeShell } from './shell-tokenizer.ts';
import type { Token, TokenCategory } from './token.ts';

/** How the engine reads one language. */
export interface LanguageSpec {
  /** The Lezer parser for `code`, or undefined to use `lexical` instead. */
  selectParser?: (code: string) => Parser;
  /** A hand-written tokenizer, used instead of a parser and of `lexical` (shell's quoting needs one). */
  tokenize?: (code: string, classifyWord: (word: string) => TokenCategory) => Token[];
  /** Lexical rules for the tokenizer fallback (also used when no parser is set). */
  lexical: LexicalRules;
  /** Tokens that put a member name after a receiver (`.`, `->`, `::`). */
  memberOperators: ReadonlySet<string>;
  /** True when a newline ends a statement (Python, Ruby, shell...), false when `;`/braces do. */
  newlineEndsStatement: boolean;
}

const WORD = String.raw`[\p{L}_$][\p{L}\p{N}_$]*`;
const C_LIKE: LexicalRules = {
  lineComments: ['//'], blockComments: [['/*', '*/']], quotes: ['"', "'"], word: WORD,
};
const PLAIN: LexicalRules = { lineComments: [], blockComments: [], quotes: [], word: String.raw`[\p{L}\p{N}_]+` };
const DOT = new Set(['.', '?.']);
const C_MEMBERS = new Set(['.', '->', '::']);

const tsParser = jsParser.configure({ dialect: 'ts' });
const phpProgram = (phpParser as LRParser).configure({ top: 'Program' });

function defineSpec(
  lexical: LexicalRules,
  memberOperators: ReadonlySet<string>,
  newlineEndsStatement: boolean,
  parser?: Parser,
): LanguageSpec {
  return { lexical, memberOperators, newlineEndsStatement, selectParser: parser && (() => parser) };
}

const SPECS: Record<Language, LanguageSpec> = {
  python: defineSpec({ lineComments: ['#'], blockComments: [], quotes: ['"""', "'''", '"', "'"], word: WORD }, DOT, true, pythonParser),
  javascript: defineSpec({ ...C_LIKE, quotes: ['"', "'", '`'] }, DOT, false, jsParser),
  typescript: defineSpec({ ...C_LIKE, quotes: ['"', "'", '`'] }, DOT, false, tsParser),
  java: defineSpec(C_LIKE, DOT, false, javaParser),
  c: defineSpec(C_LIKE, C_MEMBERS, false, cppParser),
  cpp: defineSpec(C_LIKE, C_MEMBERS, false, cppParser),
  csharp: defineSpec({ ...C_LIKE, quotes: ['"""', '"', "'"], word: String.raw`@?${WORD}` }, DOT, false),
  go: defineSpec({ ...C_LIKE, quotes: ['"', "'", '`'] }, DOT, false, goParser),
  rust: defineSpec(C_LIKE, C_MEMBERS, false, rustParser),
  ruby: defineSpec(
    { lineComments: ['#'], blockComments: [['=begin', '=end']], quotes: ['"', "'"], word: String.raw`(?:@@|@|\$)?[\p{L}_][\p{L}\p{N}_]*[?!]?` },
    new Set(['.', '&.', '::']), true),
  php: {
    ...defineSpec({ lineComments: ['//', '#'], blockComments: [['/*', '*/']], quotes: ['"', "'"], word: String.raw`\$?${WORD}` },
      new Set(['->', '?->', '::']), false),
    selectParser: (code) => (code.includes('<?') ? phpParser : phpProgram),
  },
  kotlin: defineSpec({ ...C_LIKE, quotes: ['"""', '"', "'"] }, new Set(['.', '?.', '::']), true),
  swift: defineSpec({ ...C_LIKE, quotes: ['"""', '"'] }, new Set(['.', '?.']), true),
  sql: defineSpec({ lineComments: ['--'], blockComments: [['/*', '*/']], quotes: ["'", '"', '`'], word: WORD }, DOT, false, StandardSQL.language.parser),
  html: defineSpec({ lineComments: [], blockComments: [['<!--', '-->']], quotes: ['"', "'"], word: String.raw`[\p{L}_][\p{L}\p{N}_-]*` }, DOT, true, htmlLanguage.parser),
  css: defineSpec({ lineComments: [], blockComments: [['/*', '*/']], quotes: ['"', "'"], word: String.raw`-?[\p{L}_][\p{L}\p{N}_-]*` }, new Set(), false, cssLanguage.parser),
  json: defineSpec({ lineComments: [], blockComments: [], quotes: ['"'], word: WORD }, new Set(), false, jsonLanguage.parser),
  markdown: defineSpec(PLAIN, new Set(), true),
  shell: {
    ...defineSpec(
      { lineComments: ['#'], blockComments: [], quotes: ['"', "'"], word: String.raw`[\p{L}_][\p{L}\p{N}_-]*` },
      new Set(), true),
    tokenize: tokenizeShell,
  },
  plaintext: defineSpec(PLAIN, new Set(), true),
};

/** Returns how the engine reads `language`. */
export function getLanguageSpec(language: Language): LanguageSpec {
  return SPECS[language];
}
