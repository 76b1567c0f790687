import type { Language } from '../../shared/protocol.ts';
import { getWordTables } from './keywords.ts';
import type { Token } from './token.ts';

/** Modules a fresh document may import: standard libraries, so the first import is offered too. */
const STANDARD_MODULES: Partial<Record<Language, string>> = {
  python: `os sys re json math time datetime logging collections itertools functools typing pathlib subprocess
    argparse unittest dataclasses random string io shutil tempfile threading asyncio socket struct copy enum
    abc contextlib hashlib base64 csv pickle glob warnings traceback inspect operator textwrap urllib http`,
  javascript: `node:fs node:path node:os node:http node:https node:url node:util node:crypto node:events
    node:stream node:child_process node:assert node:fs/promises node:test react vitest express`,
  go: 'fmt os io strings strconv errors context time sync bytes bufio net/http encoding/json path/filepath sort log',
  rust: 'std core alloc crate self super',
  java: 'java javax',
  c: 'stdio.h stdlib.h string.h stdint.h stdbool.h math.h errno.h unistd.h assert.h',
  cpp: 'iostream string vector map unordered_map memory algorithm functional utility stdexcept cstdio cstdlib',
  ruby: 'json set time fileutils pathname net/http yaml',
  csharp: 'System System.Collections.Generic System.Linq System.IO System.Text System.Threading.Tasks',
};

function readModules(language: Language): string[] {
  const own = STANDARD_MODULES[language] ?? (language === 'typescript' ? STANDARD_MODULES.javascript : undefined);
  return own === undefined ? [] : own.split(/\s+/).filter(Boolean);
}

function unquote(text: string): string {
  return text.replace(/^[a-z]*["'`<]/i, '').replace(/["'`>]$/, '');
}

/** Counts the module names used in the import lines of `code` (identifiers, or string contents when `quoted`). */
export function countImportedModules(
  code: string, tokens: readonly Token[], language: Language, quoted: boolean, skipIndex: number,
  weight: number, counts: Map<string, number>,
): void {
  const { importers } = getWordTables(language);
  let inImport = false;
  let goBlock = false;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    if (token.category === 'comment' || index === skipIndex) continue;
    const startsLine = index === 0 || code.slice(tokens[index - 1].to, token.from).includes('\n');
    if (startsLine) {
      const next = tokens[index + 1]?.text ?? '';
      inImport = goBlock || importers.has(token.text) || (token.text.startsWith('#') && /include|import/.test(token.text + next));
    }
    if (language === 'go' && token.text === '(' && tokens[index - 1]?.text === 'import') goBlock = true;
    if (goBlock && token.text === ')') goBlock = false;
    const required = token.category === 'string' && /^(require|import)$/.test(tokens[index - 2]?.text ?? '');
    if (!inImport && !required) continue;
    let name: string | undefined;
    if (quoted && token.category === 'string') name = unquote(token.text);
    else if (!quoted && token.category === 'ident') name = token.text;
    if (name !== undefined && name.length > 0) counts.set(name, (counts.get(name) ?? 0) + weight);
  }
}

/** Ranks module names for an import: those the code and corpus import, then the standard library's. */
export function rankModules(counts: Map<string, number>, language: Language, prefix: string): Array<[string, number]> {
  for (const name of readModules(language)) counts.set(name, (counts.get(name) ?? 0) + 0.25);
  return [...counts]
    .filter(([name]) => name.startsWith(prefix) && name !== prefix)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}
