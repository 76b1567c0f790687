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

/** How the engine reads one language. */
export interface LanguageSpec {
  /** The Lezer parser for `code`, or undefined to use `lexical` instead. */
  selectParser?: (code: string) => Parser;
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

function spec(
  lexical: LexicalRules,
  memberOperators: ReadonlySet<string>,
  newlineEndsStatement: boolean,
  parser?: Parser,
): LanguageSpec {
  return { lexical, memberOperators, newlineEndsStatement, selectParser: parser && (() => parser) };
}

const SPECS: Record<Language, LanguageSpec> = {
  python: spec({ lineComments: ['#'], blockComments: [], quotes: ['"""', "'''", '"', "'"], word: WORD }, DOT, true, pythonParser),
  javascript: spec({ ...C_LIKE, quotes: ['"', "'", '`'] }, DOT, false, jsParser),
  typescript: spec({ ...C_LIKE, quotes: ['"', "'", '`'] }, DOT, false, tsParser),
  java: spec(C_LIKE, DOT, false, javaParser),
  c: spec(C_LIKE, C_MEMBERS, false, cppParser),
  cpp: spec(C_LIKE, C_MEMBERS, false, cppParser),
  csharp: spec({ ...C_LIKE, quotes: ['"""', '"', "'"], word: String.raw`@?${WORD}` }, DOT, false),
  go: spec({ ...C_LIKE, quotes: ['"', "'", '`'] }, DOT, false, goParser),
  rust: spec(C_LIKE, C_MEMBERS, false, rustParser),
  ruby: spec(
    { lineComments: ['#'], blockComments: [['=begin', '=end']], quotes: ['"', "'"], word: String.raw`(?:@@|@|\$)?[\p{L}_][\p{L}\p{N}_]*[?!]?` },
    new Set(['.', '&.', '::']), true),
  php: {
    ...spec({ lineComments: ['//', '#'], blockComments: [['/*', '*/']], quotes: ['"', "'"], word: String.raw`\$?${WORD}` },
      new Set(['->', '?->', '::']), false),
    selectParser: (code) => (code.includes('<?') ? phpParser : phpProgram),
  },
  kotlin: spec({ ...C_LIKE, quotes: ['"""', '"', "'"] }, new Set(['.', '?.', '::']), true),
  swift: spec({ ...C_LIKE, quotes: ['"""', '"'] }, new Set(['.', '?.']), true),
  sql: spec({ lineComments: ['--'], blockComments: [['/*', '*/']], quotes: ["'", '"', '`'], word: WORD }, DOT, false, StandardSQL.language.parser),
  html: spec({ lineComments: [], blockComments: [['<!--', '-->']], quotes: ['"', "'"], word: String.raw`[\p{L}_][\p{L}\p{N}_-]*` }, DOT, true, htmlLanguage.parser),
  css: spec({ lineComments: [], blockComments: [['/*', '*/']], quotes: ['"', "'"], word: String.raw`-?[\p{L}_][\p{L}\p{N}_-]*` }, new Set(), false, cssLanguage.parser),
  json: spec({ lineComments: [], blockComments: [], quotes: ['"'], word: WORD }, new Set(), false, jsonLanguage.parser),
  markdown: spec(PLAIN, new Set(), true),
  shell: spec(
    { lineComments: ['#'], blockComments: [], quotes: ['"', "'"], word: String.raw`\$?\{?[\p{L}_][\p{L}\p{N}_]*` },
    new Set(), true),
  plaintext: spec(PLAIN, new Set(), true),
};

/** Returns how the engine reads `language`. */
export function getLanguageSpec(language: Language): LanguageSpec {
  return SPECS[language];
}
