import type { Token } from './token.ts';

/** Where names are visible from the cursor, approximately: what the ranker needs of scoping. */
export interface ScopeInfo {
  /** Token index where the function (or class) around the cursor starts; 0 at module level. */
  functionStart: number;
  /** 1 for tokens at module level (no indentation, or outside every brace), 0 otherwise. */
  global: Uint8Array;
}

/** Keywords whose `(...) {` opens a block, not a function body. */
const BLOCK_KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'catch', 'with', 'foreach', 'elseif', 'using', 'lock']);
const SCOPE_OPENERS = new Set(['def', 'class', 'async']);

/** For each token, its line's indentation when it is the first token of the line, else -1. */
function measureLineStarts(code: string, tokens: readonly Token[]): Int32Array {
  const indents = new Int32Array(tokens.length).fill(-1);
  let lastNewline = -1;
  let nextNewline = code.indexOf('\n');
  let previousLine = -2;
  for (let index = 0; index < tokens.length; index++) {
    const { from } = tokens[index];
    // One forward sweep over the newlines: O(length of the code) for the whole document.
    while (nextNewline >= 0 && nextNewline < from) {
      lastNewline = nextNewline;
      nextNewline = code.indexOf('\n', nextNewline + 1);
    }
    if (lastNewline !== previousLine) indents[index] = from - lastNewline - 1;
    previousLine = lastNewline;
  }
  return indents;
}

function markIndentedGlobals(tokens: readonly Token[], indents: Int32Array, global: Uint8Array): void {
  let atModuleLevel = true;
  let depth = 0;
  for (let index = 0; index < tokens.length; index++) {
    const { text } = tokens[index];
    // A line inside brackets continues the statement it started on.
    if (depth === 0 && indents[index] >= 0) atModuleLevel = indents[index] === 0;
    if (text === '(' || text === '[' || text === '{') depth++;
    else if ((text === ')' || text === ']' || text === '}') && depth > 0) depth--;
    global[index] = atModuleLevel ? 1 : 0;
  }
}

function markBracedGlobals(tokens: readonly Token[], global: Uint8Array): void {
  let depth = 0;
  for (let index = 0; index < tokens.length; index++) {
    const { text } = tokens[index];
    if (text === '}' && depth > 0) depth--;
    global[index] = depth === 0 ? 1 : 0;
    if (text === '{') depth++;
  }
}

function findIndentedFunctionStart(tokens: readonly Token[], indents: Int32Array, cursorIndex: number): number {
  let limit = Infinity;
  for (let index = Math.min(cursorIndex, tokens.length) - 1; index >= 0; index--) {
    const indent = indents[index];
    if (indent < 0 || indent >= limit) continue;
    if (SCOPE_OPENERS.has(tokens[index].text)) return index;
    if (indent === 0) return 0;
    limit = indent;
  }
  return 0;
}

function findMatchingOpen(tokens: readonly Token[], closeIndex: number): number {
  let depth = 0;
  for (let index = closeIndex; index >= 0; index--) {
    if (tokens[index].text === ')') depth++;
    else if (tokens[index].text === '(' && --depth === 0) return index;
  }
  return -1;
}

function findBracedFunctionStart(tokens: readonly Token[], cursorIndex: number): number {
  let pending = 0;
  for (let index = Math.min(cursorIndex, tokens.length) - 1; index >= 0; index--) {
    const { text } = tokens[index];
    if (text === '}') pending++;
    else if (text === '{') {
      if (pending > 0) {
        pending--;
        continue;
      }
      const before = tokens[index - 1]?.text;
      if (before === '=>') return index;
      if (before === ')') {
        const open = findMatchingOpen(tokens, index - 1);
        if (open > 0 && !BLOCK_KEYWORDS.has(tokens[open - 1].text)) return index;
      }
    }
  }
  return 0;
}

/**
 * Approximates scoping without a symbol table: module-level tokens (by
 * indentation in indentation languages, by brace depth elsewhere) and the
 * start of the function around the cursor. Names used at module level or
 * in this function are in scope; names seen only in other functions are not.
 */
export function analyzeScopes(code: string, tokens: readonly Token[], cursorIndex: number, indentation: boolean): ScopeInfo {
  const global = new Uint8Array(tokens.length);
  if (indentation) {
    const indents = measureLineStarts(code, tokens);
    markIndentedGlobals(tokens, indents, global);
    return { functionStart: findIndentedFunctionStart(tokens, indents, cursorIndex), global };
  }
  markBracedGlobals(tokens, global);
  return { functionStart: findBracedFunctionStart(tokens, cursorIndex), global };
}
