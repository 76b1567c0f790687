import type { Token, TokenCategory } from './token.ts';

/**
 * Shell (POSIX sh and bash) by its own quoting rules: single quotes and
 * quoted heredocs are literal; double quotes and plain heredocs are literal
 * text with expansions (`$name`, `${name...}`, `$(...)`, backticks) that
 * are code. The literal runs come out as `string` tokens (with `open` set
 * where the string goes on after the run), the expansions as code tokens.
 */

interface Heredoc {
  delimiter: string;
  stripTabs: boolean;
  quoted: boolean;
}

interface ScanState {
  code: string;
  at: number;
  out: Token[];
  classifyWord: (word: string) => TokenCategory;
  heredocs: Heredoc[];
  /** Depth of `$((...))`, where `<<` shifts. */
  arithmetic: number;
  /** Nesting of substitutions and strings being scanned (bounded: the scan recurses). */
  depth: number;
}

/** Deeper nesting than this is not real code: the rest of the text is left as one string. */
const MAX_DEPTH = 100;

/** Runs `scan` one level deeper, or gives up on structure past `MAX_DEPTH`. */
function nest(state: ScanState, scan: () => void): void {
  if (state.depth >= MAX_DEPTH) {
    push(state, state.at, state.code.length, 'string', true);
    state.at = state.code.length;
    return;
  }
  state.depth++;
  scan();
  state.depth--;
}

/** What ends a stretch of code: the end of the text, `)` of `$(`, `}` of `${`, a closing backtick. */
type Closer = '' | ')' | '}' | '`';

const SPECIAL_PARAMETERS = new Set(['@', '*', '#', '?', '-', '$', '!']);
const COMMENT_AFTER = new Set([' ', '\t', '\n', '\r', ';', '|', '&', '(', ')']);
const OPERATORS_2 = new Set(['&&', '||', ';;', '>>', '<<', '|&', '&>', '>&', '<&', '+=', '==', '!=', '[[', ']]', '--']);
const DELIMITER_END = /[\s;|&<>()]/;

function isNameStart(char: number): boolean {
  return (char >= 97 && char <= 122) || (char >= 65 && char <= 90) || char === 95 || (char > 127 && /\p{L}/u.test(String.fromCharCode(char)));
}

function isNameChar(char: number): boolean {
  return isNameStart(char) || (char >= 48 && char <= 57);
}

function isDigit(char: number): boolean {
  return char >= 48 && char <= 57;
}

function push(state: ScanState, from: number, to: number, category: TokenCategory, open?: boolean): void {
  if (to <= from) return;
  const token: Token = { from, to, text: state.code.slice(from, to), category };
  if (category === 'string') token.open = open ?? false;
  state.out.push(token);
}

/** A variable name after `$` or `${`: letters, digits and `_`, never `-`. */
function scanName(state: ScanState): void {
  const { code } = state;
  const from = state.at;
  while (state.at < code.length && isNameChar(code.charCodeAt(state.at))) state.at++;
  push(state, from, state.at, 'ident');
}

/** `$` at `state.at`: a parameter, an expansion or a substitution. */
function scanDollar(state: ScanState): void {
  const { code } = state;
  const from = state.at;
  const next = code[from + 1] ?? '';
  if (next === '{') {
    state.at = from + 2;
    // `${#name}` is the length of name, `${!name}` an indirection: the name is still a variable's.
    if ((code[state.at] === '#' || code[state.at] === '!') && isNameStart(code.charCodeAt(state.at + 1))) state.at++;
    push(state, from, state.at, 'punct');
    if (isNameStart(code.charCodeAt(state.at))) scanName(state);
    nest(state, () => scanCode(state, '}', true));
    return;
  }
  if (next === '(') {
    const arithmetic = code[from + 2] === '(';
    state.at = from + (arithmetic ? 3 : 2);
    push(state, from, state.at, 'punct');
    if (arithmetic) state.arithmetic++;
    nest(state, () => scanCode(state, ')', false));
    if (arithmetic) {
      state.arithmetic--;
      if (code[state.at] === ')') {
        push(state, state.at, state.at + 1, 'punct');
        state.at++;
      }
    }
    return;
  }
  if (next === "'") {
    state.at = from + 1;
    scanSingleQuoted(state, from, true);
    return;
  }
  if (next === '"') {
    state.at = from + 1;
    nest(state, () => scanDoubleQuoted(state, from));
    return;
  }
  if (isNameStart(code.charCodeAt(from + 1))) {
    state.at = from + 1;
    push(state, from, state.at, 'punct');
    scanName(state);
    return;
  }
  state.at = from + (isDigit(code.charCodeAt(from + 1)) || SPECIAL_PARAMETERS.has(next) ? 2 : 1);
  push(state, from, state.at, 'punct');
}

/** `'...'` (or `$'...'` with backslash escapes) from `from`, the quote at `state.at`. */
function scanSingleQuoted(state: ScanState, from: number, escapes: boolean): void {
  const { code } = state;
  let at = state.at + 1;
  while (at < code.length && code[at] !== "'") at += escapes && code[at] === '\\' ? 2 : 1;
  const closed = at < code.length;
  state.at = closed ? at + 1 : code.length;
  push(state, from, state.at, 'string', !closed);
}

/**
 * Literal text with expansions, up to `closer` (`"` for a double-quoted
 * string, '' for a heredoc body given by `end`). Returns whether the closer was found.
 */
function scanExpandingText(state: ScanState, from: number, closer: string, end: number): boolean {
  const { code } = state;
  let runFrom = from;
  while (state.at < end) {
    const char = code[state.at];
    if (char === '\\') {
      state.at += 2;
    } else if (closer !== '' && char === closer) {
      state.at++;
      push(state, runFrom, state.at, 'string', false);
      return true;
    } else if ((char === '$' && state.at + 1 < end && /[\p{L}_{(0-9@*#?!$-]/u.test(code[state.at + 1])) || char === '`') {
      push(state, runFrom, state.at, 'string', true);
      if (char === '$') scanDollar(state);
      else scanBackticks(state);
      runFrom = state.at;
    } else state.at++;
  }
  state.at = Math.min(state.at, end);
  push(state, runFrom, state.at, 'string', closer !== '');
  return closer === '';
}

function scanDoubleQuoted(state: ScanState, from: number): void {
  state.at++;
  scanExpandingText(state, from, '"', state.code.length);
}

function scanBackticks(state: ScanState): void {
  push(state, state.at, state.at + 1, 'punct');
  state.at++;
  nest(state, () => scanCode(state, '`', false));
}

/** `<<` at `state.at`: the operator and the delimiter word, whose body starts after the line. */
function scanHeredocStart(state: ScanState): void {
  const { code } = state;
  const from = state.at;
  state.at += 2;
  const stripTabs = code[state.at] === '-';
  if (stripTabs) state.at++;
  push(state, from, state.at, 'punct');
  while (code[state.at] === ' ' || code[state.at] === '\t') state.at++;
  const wordFrom = state.at;
  let delimiter = '';
  let quoted = false;
  while (state.at < code.length && !DELIMITER_END.test(code[state.at])) {
    const char = code[state.at];
    if (char === "'" || char === '"') {
      const close = code.indexOf(char, state.at + 1);
      const stop = close < 0 || code.slice(state.at, close).includes('\n') ? state.at + 1 : close;
      delimiter += code.slice(state.at + 1, stop);
      state.at = stop + 1;
      quoted = true;
    } else if (char === '\\') {
      delimiter += code[state.at + 1] ?? '';
      state.at += 2;
      quoted = true;
    } else {
      delimiter += char;
      state.at++;
    }
  }
  // `1 << n` in arithmetic shifts: a delimiter is a word, not a number or an expansion.
  if (delimiter === '' || /^[\d$]/.test(delimiter) || state.arithmetic > 0) {
    state.at = wordFrom;
    return;
  }
  push(state, wordFrom, state.at, quoted ? 'string' : state.classifyWord(delimiter), false);
  state.heredocs.push({ delimiter, stripTabs, quoted });
}

/** The bodies of the heredocs opened on the line that ends at `state.at` (a newline). */
function scanHeredocBodies(state: ScanState): void {
  const { code } = state;
  state.at++;
  const heredocs = state.heredocs.splice(0);
  for (const [index, heredoc] of heredocs.entries()) {
    const bodyFrom = state.at;
    let lineFrom = bodyFrom;
    let closeFrom = code.length;
    let closeTo = code.length;
    while (lineFrom < code.length) {
      const newline = code.indexOf('\n', lineFrom);
      const lineTo = newline < 0 ? code.length : newline;
      let textFrom = lineFrom;
      if (heredoc.stripTabs) while (code[textFrom] === '\t') textFrom++;
      if (code.slice(textFrom, lineTo).replace(/\r$/, '') === heredoc.delimiter) {
        closeFrom = textFrom;
        closeTo = textFrom + heredoc.delimiter.length;
        break;
      }
      lineFrom = lineTo + 1;
    }
    const closed = closeFrom < code.length;
    // Typing the delimiter on the body's last line: that line is the delimiter's word, not text.
    if (!closed) closeFrom = findPartialDelimiter(code, bodyFrom, heredoc);
    if (heredoc.quoted) push(state, bodyFrom, closeFrom, 'string', !closed);
    else {
      scanExpandingText(state, bodyFrom, '', closeFrom);
      const last = state.out[state.out.length - 1];
      if (last?.category === 'string' && last.to === closeFrom) last.open = !closed;
    }
    state.at = closeFrom;
    if (!closed) {
      push(state, closeFrom, code.length, state.classifyWord(code.slice(closeFrom)));
      state.at = code.length;
      return;
    }
    push(state, closeFrom, closeTo, state.classifyWord(heredoc.delimiter));
    // The next body (`cmd <<A <<B`) starts on the line after this one's delimiter.
    state.at = closeTo;
    if (code[closeTo] === '\n' && index < heredocs.length - 1) state.at = closeTo + 1;
  }
}

/** Where an unterminated body's last line starts when it is a beginning of the delimiter, else the end of the code. */
function findPartialDelimiter(code: string, bodyFrom: number, heredoc: Heredoc): number {
  let lineFrom = Math.max(bodyFrom, code.lastIndexOf('\n') + 1);
  if (heredoc.stripTabs) while (code[lineFrom] === '\t') lineFrom++;
  const partial = code.slice(lineFrom);
  return partial !== '' && heredoc.delimiter.startsWith(partial) ? lineFrom : code.length;
}

function scanWord(state: ScanState): void {
  const { code } = state;
  const from = state.at;
  const numeric = isDigit(code.charCodeAt(from));
  state.at++;
  while (state.at < code.length) {
    const char = code.charCodeAt(state.at);
    if (!isNameChar(char) && !(char === 45 && !numeric)) break;
    state.at++;
  }
  const text = code.slice(from, state.at);
  push(state, from, state.at, numeric ? 'number' : state.classifyWord(text));
}

/**
 * Code up to `closer` (consumed, as a `punct` token) or the end of the text.
 * `inBraces` is the word of a `${...}`: `#` and `%` there are operators, not comments.
 */
function scanCode(state: ScanState, closer: Closer, inBraces: boolean): void {
  const { code } = state;
  let depth = 0;
  while (state.at < code.length) {
    const at = state.at;
    const char = code[at];
    const charCode = code.charCodeAt(at);
    if (char === '\n') {
      if (state.heredocs.length > 0) {
        scanHeredocBodies(state);
        continue;
      }
      state.at++;
    } else if (charCode <= 32) {
      state.at++;
    } else if (closer !== '' && char === closer && depth === 0) {
      push(state, at, at + 1, 'punct');
      state.at++;
      return;
    } else if (char === '#' && !inBraces && (at === 0 || COMMENT_AFTER.has(code[at - 1]))) {
      const end = code.indexOf('\n', at);
      state.at = end < 0 ? code.length : end;
      push(state, at, state.at, 'comment');
    } else if (char === "'") {
      scanSingleQuoted(state, at, false);
    } else if (char === '"') {
      nest(state, () => scanDoubleQuoted(state, at));
    } else if (char === '$') {
      scanDollar(state);
    } else if (char === '`') {
      scanBackticks(state);
    } else if (char === '\\') {
      // A backslash-newline continues the line; `\$x` is the text `$x`, no variable.
      state.at += code[at + 1] === '\n' || at + 1 >= code.length ? 1 : 2;
      push(state, at, state.at, 'punct');
    } else if (char === '<' && code[at + 1] === '<' && code[at + 2] !== '<') {
      scanHeredocStart(state);
    } else if (isNameChar(charCode)) {
      scanWord(state);
    } else {
      const two = code.slice(at, at + 2);
      state.at += OPERATORS_2.has(two) ? 2 : 1;
      if (char === '(' || char === '{') depth++;
      else if ((char === ')' || char === '}') && depth > 0) depth--;
      push(state, at, state.at, 'punct');
    }
  }
}

/** Tokenizes shell code (see the module comment for what is code and what is text). */
export function tokenizeShell(code: string, classifyWord: (word: string) => TokenCategory): Token[] {
  const state: ScanState = { code, at: 0, out: [], classifyWord, heredocs: [], arithmetic: 0, depth: 0 };
  scanCode(state, '', false);
  return state.out;
}
