import type { Language } from '../../shared/protocol.ts';

/** The usual indentation of each language, used when the code itself does not tell. */
export const DEFAULT_INDENT: Record<Language, string> = {
  python: '    ', javascript: '  ', typescript: '  ', java: '    ', c: '    ', cpp: '    ',
  csharp: '    ', go: '\t', rust: '    ', ruby: '  ', php: '    ', kotlin: '    ', swift: '    ',
  sql: '  ', html: '  ', css: '  ', json: '  ', markdown: '  ', shell: '  ', plaintext: '    ',
};

/** Lines looked at by {@link detectIndentUnit}. */
const SAMPLE_LINES = 500;

/**
 * The indentation unit the code already uses (a tab, 2 or 4 spaces), so
 * that new lines match what is there; the language's default when the code
 * has no indented lines yet.
 */
export function detectIndentUnit(code: string, language: Language): string {
  let tabs = 0;
  let spaced = 0;
  let allMultiplesOf4 = true;
  for (const line of code.split('\n', SAMPLE_LINES)) {
    if (line.trim() === '') continue;
    const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
    if (indent === '') continue;
    if (indent.startsWith('\t')) {
      tabs++;
      continue;
    }
    const width = indent.length - indent.trimStart().length;
    // A lone odd indent is usually alignment (e.g. ` * ` in block comments).
    if (width % 2 === 1) continue;
    spaced++;
    if (width % 4 !== 0) allMultiplesOf4 = false;
  }
  if (tabs > spaced) return '\t';
  if (spaced === 0) return DEFAULT_INDENT[language];
  return allMultiplesOf4 ? '    ' : '  ';
}
