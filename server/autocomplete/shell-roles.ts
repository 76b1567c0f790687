import type { Token } from './token.ts';

/** What a shell word is at its place: a variable's name, a command's, or an argument. */
export type ShellSlot = 'variable' | 'command' | 'argument';

/** Bits of {@link markShellRoles}. */
export const SHELL_VARIABLE = 1;
export const SHELL_COMMAND = 2;
export const SHELL_DEFINITION = 4;

/** Tokens after which a command starts. */
const COMMAND_AFTER = new Set([
  ';', '|', '||', '&&', '&', '|&', '(', '{', '$(', ';;', 'then', 'do', 'else', 'elif', 'if', 'while', 'until', '!',
  'time', 'exec', 'command', 'sudo', 'xargs', 'nohup', 'builtin',
]);
/** Expansion openers right before a variable's name. */
const EXPANSIONS = new Set(['$', '${', '${#', '${!']);
/** Commands whose plain word arguments are variables they set or declare. */
const DECLARERS = new Set(['local', 'export', 'readonly', 'declare', 'typeset', 'read', 'unset', 'getopts', 'let']);
/** Keywords whose next word is a loop variable. */
const LOOPS = new Set(['for', 'select']);
const COMMAND_ENDS = new Set([';', '|', '||', '&&', '&', '|&', ')', '`', ';;', '{', '}']);

function previousSignificant(tokens: readonly Token[], index: number): number {
  let at = index - 1;
  while (at >= 0 && tokens[at].category === 'comment') at--;
  return at;
}

/** True when a newline separates token `at` from `from` without a backslash continuing the line. */
function isNewLine(code: string, tokens: readonly Token[], at: number, from: number): boolean {
  if (at < 0) return true;
  const previous = tokens[at];
  return previous.text !== '\\' && previous.category !== 'string' && code.slice(previous.to, from).includes('\n');
}

/**
 * The slot of a word starting at `from` whose previous significant token is
 * `previousIndex`: a variable right after `$`/`${`, a command where a
 * command starts (line start, after `;`, `|`, `&&`, `then`, `do`...), else an argument.
 */
export function findShellSlot(code: string, tokens: readonly Token[], previousIndex: number, from: number): ShellSlot {
  const previous = tokens[previousIndex];
  if (previous !== undefined && previous.to === from && EXPANSIONS.has(previous.text)) return 'variable';
  if (previous === undefined || isNewLine(code, tokens, previousIndex, from)) return 'command';
  if (previous.category !== 'string' && COMMAND_AFTER.has(previous.text)) return 'command';
  return 'argument';
}

/**
 * Marks each token of shell code with what it does there (bits): a
 * variable (after `$`, assigned, declared with `local`/`export`/`read`...,
 * a `for` variable), a command (at command position), a definition
 * (assignment, declaration, loop variable, `name()` or `function name`). One pass.
 */
export function markShellRoles(code: string, tokens: readonly Token[]): Uint8Array {
  const roles = new Uint8Array(tokens.length);
  let declaring = false;
  let previousIndex = -1;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    if (token.category === 'comment') continue;
    const previous = tokens[previousIndex];
    const commandStart = previous === undefined || isNewLine(code, tokens, previousIndex, token.from) ||
      (previous.category !== 'string' && COMMAND_AFTER.has(previous.text));
    if (commandStart || (previous !== undefined && COMMAND_ENDS.has(previous.text))) declaring = false;
    if (token.category === 'ident' || token.category === 'keyword') {
      const next = tokens[index + 1];
      const assigned = next !== undefined && next.from === token.to && (next.text === '=' || next.text === '+=' || next.text === '[');
      if (previous !== undefined && previous.to === token.from && EXPANSIONS.has(previous.text)) roles[index] = SHELL_VARIABLE;
      else if (assigned && (commandStart || declaring)) roles[index] = SHELL_VARIABLE | SHELL_DEFINITION;
      else if (declaring && !(previous?.to === token.from && (previous.text === '-' || previous.text === '--'))) {
        roles[index] = SHELL_VARIABLE | SHELL_DEFINITION;
      } else if (previous !== undefined && LOOPS.has(previous.text)) roles[index] = SHELL_VARIABLE | SHELL_DEFINITION;
      else if (previous?.text === 'function') roles[index] = SHELL_COMMAND | SHELL_DEFINITION;
      else if (commandStart) {
        const isFunction = next?.text === '(' && tokens[index + 2]?.text === ')';
        roles[index] = SHELL_COMMAND | (isFunction ? SHELL_DEFINITION : 0);
        if (DECLARERS.has(token.text)) declaring = true;
      }
    }
    previousIndex = index;
  }
  return roles;
}
