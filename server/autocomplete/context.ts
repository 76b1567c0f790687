import type { Language } from '../../shared/protocol.ts';
import { getWordTables } from './keywords.ts';
import { getLanguageSpec } from './languages.ts';
import { findShellSlot, type ShellSlot } from './shell-roles.ts';
import type { Token } from './token.ts';
import { findTokenIndex } from './tokenize.ts';

/** Where the cursor is, as far as what to offer goes. */
export type ContextKind = 'member' | 'import' | 'statement' | 'definition' | 'expression' | 'string' | 'comment';

/** What the engine knows about the cursor position. */
export interface CursorContext {
  kind: ContextKind;
  /** Text already typed of the word being completed (`code.slice(from, to)`). */
  prefix: string;
  from: number;
  to: number;
  /** Index of the token being typed, or -1 when the cursor starts a new token. */
  partialIndex: number;
  /** Index of the nearest significant (non-comment) token before the word, or -1. */
  previousIndex: number;
  /** For `member`: the receiver as written (`self`, `os.path`, `this.items`). */
  receiver?: string;
  /** For `import`: true when the module name is typed inside quotes or `<...>`. */
  quoted: boolean;
  /** Shell only: a variable's name (after `$`, `${`), a command's (at command position), or an argument. */
  slot?: ShellSlot;
}

const OPENERS = new Set(['(', '[', '{']);
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const CONTINUATIONS = new Set([
  '(', '[', ',', '\\', '=', '+', '-', '*', '/', '%', '&&', '||', '.', '?', 'and', 'or', 'not', '|', '&', '<', '>',
  '==', '!=', '<=', '>=', '=>', '->', '?.', 'in', 'return', 'await', 'new', 'yield', 'is',
]);

function isUnterminated(token: Token): boolean {
  const { text } = token;
  if (token.category === 'comment') {
    if (text.startsWith('/*')) return text.length < 4 || !text.endsWith('*/');
    if (text.startsWith('<!--')) return !text.endsWith('-->');
    return true; // a line comment runs to the end of its line, where the cursor still is
  }
  const quoteAt = text.search(/["'`]/);
  if (quoteAt < 0) return false;
  return text.length <= quoteAt + 1 || text[text.length - 1] !== text[quoteAt];
}

function findPreviousSignificant(tokens: readonly Token[], index: number): number {
  let at = index;
  while (at >= 0 && tokens[at].category === 'comment') at--;
  return at;
}

/** The innermost bracket still open before `index`, looking back a bounded number of tokens. */
function findOpenBracket(tokens: readonly Token[], index: number): string | undefined {
  const pending: string[] = [];
  for (let at = index; at >= 0 && at > index - 400; at--) {
    const { text } = tokens[at];
    // Own keys only: a token named `constructor` or `toString` is no closer.
    if (Object.hasOwn(CLOSERS, text)) pending.push(CLOSERS[text]);
    else if (OPENERS.has(text)) {
      if (pending.length === 0) return text;
      pending.pop();
    }
  }
  return undefined;
}

function readReceiver(tokens: readonly Token[], operatorIndex: number, members: ReadonlySet<string>): string {
  const parts: string[] = [];
  let at = operatorIndex - 1;
  while (at >= 0 && parts.length < 5) {
    const token = tokens[at];
    if (token.category !== 'ident' && token.category !== 'keyword' && !/^[)\]]$/.test(token.text)) break;
    parts.unshift(token.text);
    if (at < 1 || !members.has(tokens[at - 1].text)) break;
    parts.unshift(tokens[at - 1].text);
    at -= 2;
  }
  return parts.join('');
}

function findLineStartIndex(code: string, tokens: readonly Token[], index: number): number {
  let at = index;
  while (at > 0 && !code.slice(tokens[at - 1].to, tokens[at].from).includes('\n')) at--;
  return at;
}

/** Languages whose module names are written as strings (`'node:fs'`, `"fmt"`, `<stdio.h>`). */
const QUOTED_MODULES = new Set<Language>(['javascript', 'typescript', 'go', 'c', 'cpp', 'ruby', 'shell', 'css']);

function isImportLine(language: Language, tokens: readonly Token[], start: number, end: number, quoted: boolean): boolean {
  if (QUOTED_MODULES.has(language) !== quoted) return false;
  const first = tokens[start]?.text ?? '';
  const { importers } = getWordTables(language);
  if (first.startsWith('#')) return /include|import/.test(`${first}${tokens[start + 1]?.text ?? ''}`);
  if (!importers.has(first)) {
    if (!quoted) return false;
    // JavaScript: `export ... from '...'` and `x = require('...')` anywhere on the line.
    for (let at = start; at <= end && at < tokens.length; at++) {
      if (tokens[at].text === 'require' || tokens[at].text === 'from') return true;
    }
    return language === 'go' && findOpenBracket(tokens, end) === '(' && isGoImportBlock(tokens, end);
  }
  if (language === 'python' && first === 'from') {
    for (let at = start + 1; at <= end; at++) if (tokens[at].text === 'import') return false;
  }
  return true;
}

function isGoImportBlock(tokens: readonly Token[], end: number): boolean {
  for (let at = end; at > 0 && at > end - 400; at--) {
    if (tokens[at].text === '(') return tokens[at - 1].text === 'import';
    if (tokens[at].text === ')') return false;
  }
  return false;
}

/** Works out the word being typed at `cursor` and the kind of position it is in (`tokens` as from `tokenizeDocument`). */
export function readCursorContext(code: string, tokens: readonly Token[], cursor: number, language: Language): CursorContext {
  const spec = getLanguageSpec(language);
  let index = findTokenIndex(tokens, cursor);
  let from = cursor;
  let partialIndex = -1;
  const around = tokens[index];
  if (around !== undefined && around.from < cursor) {
    const opaque = around.category === 'string' || around.category === 'comment';
    // A shell string is cut into runs around its expansions: its tokens say whether it goes on.
    if (opaque && (cursor < around.to || (around.open ?? isUnterminated(around)))) {
      const lineStart = findLineStartIndex(code, tokens, index);
      const inImport = around.category === 'string' &&
        (isImportLine(language, tokens, lineStart, index, true) || /^(require|import)$/.test(tokens[index - 2]?.text ?? ''));
      if (inImport) {
        const quoteFrom = around.from + around.text.search(/["'`<]/) + 1;
        return { kind: 'import', prefix: code.slice(quoteFrom, cursor), from: quoteFrom, to: cursor,
          partialIndex: index, previousIndex: findPreviousSignificant(tokens, index - 1), quoted: true };
      }
      return { kind: around.category === 'string' ? 'string' : 'comment', prefix: '', from: cursor, to: cursor,
        partialIndex: index, previousIndex: findPreviousSignificant(tokens, index - 1), quoted: false };
    }
    if (!opaque && around.category !== 'punct') {
      from = around.from;
      partialIndex = index;
    } else index++;
  }
  const previousIndex = findPreviousSignificant(tokens, (partialIndex >= 0 ? partialIndex : index) - 1);
  const base = { prefix: code.slice(from, cursor), from, to: cursor, partialIndex, previousIndex, quoted: false };
  const previous = tokens[previousIndex];
  if (language === 'shell') return readShellContext(code, tokens, base, previous, language);
  if (previous === undefined) return { ...base, kind: 'statement' };
  const lineStart = findLineStartIndex(code, tokens, Math.max(previousIndex, 0));
  const newLine = code.slice(previous.to, from).includes('\n');
  // `#include <std` before the closing `>` is not a string token yet.
  const quoted = (language === 'c' || language === 'cpp') && (previous.text === '<' || previous.text === '/');
  if (!newLine && isImportLine(language, tokens, lineStart, previousIndex, quoted)) {
    return { ...base, kind: 'import', quoted };
  }
  if (spec.memberOperators.has(previous.text)) {
    return { ...base, kind: 'member', receiver: readReceiver(tokens, previousIndex, spec.memberOperators) };
  }
  if (getWordTables(language).definers.has(previous.text)) return { ...base, kind: 'definition' };
  if (previous.text === ';' || previous.text === '{' || previous.text === '}') return { ...base, kind: 'statement' };
  if (newLine && !CONTINUATIONS.has(previous.text)) {
    const open = findOpenBracket(tokens, previousIndex);
    if (open === undefined || open === '{') return { ...base, kind: 'statement' };
  }
  return { ...base, kind: 'expression' };
}

/** Shell: a command position is a statement, `$name` and arguments are expressions (a quoted `source` path was handled as a string). */
function readShellContext(
  code: string, tokens: readonly Token[], base: Omit<CursorContext, 'kind'>, previous: Token | undefined, language: Language,
): CursorContext {
  const slot = findShellSlot(code, tokens, base.previousIndex, base.from);
  if (previous === undefined) return { ...base, kind: 'statement', slot };
  if (getWordTables(language).definers.has(previous.text)) return { ...base, kind: 'definition', slot };
  return { ...base, kind: slot === 'command' ? 'statement' : 'expression', slot };
}
