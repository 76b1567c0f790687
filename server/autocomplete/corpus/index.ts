import type { Language } from '../../../shared/protocol.ts';
import type { Token } from '../token.ts';
import { tokenizeDocument } from '../tokenize.ts';
import { C_CORPUS, CPP_CORPUS, CSHARP_CORPUS, GO_CORPUS, JAVA_CORPUS, KOTLIN_CORPUS, PHP_CORPUS, RUST_CORPUS, SWIFT_CORPUS } from './compiled.ts';
import { JAVASCRIPT_CORPUS, TYPESCRIPT_CORPUS } from './javascript.ts';
import { PYTHON_CORPUS } from './python.ts';
import { CSS_CORPUS, HTML_CORPUS, JSON_CORPUS, RUBY_CORPUS, SHELL_CORPUS, SQL_CORPUS } from './scripting.ts';

const CORPUS_TEXT: Record<Language, string> = {
  python: PYTHON_CORPUS,
  javascript: JAVASCRIPT_CORPUS,
  typescript: `${JAVASCRIPT_CORPUS}\n${TYPESCRIPT_CORPUS}`,
  java: JAVA_CORPUS,
  c: C_CORPUS,
  cpp: `${C_CORPUS}\n${CPP_CORPUS}`,
  csharp: CSHARP_CORPUS,
  go: GO_CORPUS,
  rust: RUST_CORPUS,
  ruby: RUBY_CORPUS,
  php: PHP_CORPUS,
  kotlin: KOTLIN_CORPUS,
  swift: SWIFT_CORPUS,
  sql: SQL_CORPUS,
  html: HTML_CORPUS,
  css: CSS_CORPUS,
  json: JSON_CORPUS,
  markdown: '',
  shell: SHELL_CORPUS,
  plaintext: '',
};

/** A built-in corpus: its text and tokens. */
export interface Corpus {
  code: string;
  tokens: readonly Token[];
}

const tokenized = new Map<Language, Corpus>();

/** Returns the built-in corpus of `language`, tokenized once and kept. */
export function getCorpus(language: Language): Corpus {
  let corpus = tokenized.get(language);
  if (corpus === undefined) {
    const code = CORPUS_TEXT[language];
    corpus = { code, tokens: tokenizeDocument(code, language, '\u0000corpus') };
    tokenized.set(language, corpus);
  }
  return corpus;
}
