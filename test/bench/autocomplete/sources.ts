import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tokenizeDocument } from '../../../server/autocomplete/tokenize.ts';
import type { Language } from '../../../shared/protocol.ts';

/** A real source file that nobody in this project wrote. */
export interface SourceFile {
  path: string;
  language: Language;
  code: string;
}

/** One identifier occurrence to complete: the file truncated at `offset`, then `target` typed. */
export interface Sample {
  file: SourceFile;
  offset: number;
  target: string;
}

/** Deterministic PRNG (mulberry32), so every run samples the same occurrences. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashText(text: string): number {
  let hash = 2166136261;
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 16777619);
  return hash >>> 0;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let index = items.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [items[index], items[other]] = [items[other], items[index]];
  }
  return items;
}

function walkFiles(directory: string, accept: (path: string) => boolean, out: string[]): void {
  let names: string[];
  try {
    names = readdirSync(directory).sort();
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(directory, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat?.isDirectory()) {
      if (name !== '__pycache__' && name !== 'site-packages' && !name.startsWith('.')) walkFiles(path, accept, out);
    } else if (stat?.isFile() && accept(path)) out.push(path);
  }
}

/** True for hand-written code of a sensible size (not minified, not generated tables). */
function isReadableSource(code: string): boolean {
  const lines = code.split('\n');
  if (lines.length < 80 || lines.length > 4000) return false;
  const longest = lines.reduce((most, line) => Math.max(most, line.length), 0);
  return longest < 300 && code.length / lines.length < 70;
}

/** Python's standard library directory on this machine. */
export function findPythonStdlib(): string {
  return execFileSync('python3', ['-c', "import sysconfig;print(sysconfig.get_paths()['stdlib'])"], { encoding: 'utf8' }).trim();
}

/** Lists real files of `language`, shuffled with `seed`, at most `count`. */
export function findSourceFiles(language: Language, root: string, count: number, seed: number): SourceFile[] {
  const paths: string[] = [];
  switch (language) {
    case 'python':
      walkFiles(findPythonStdlib(), (path) => path.endsWith('.py'), paths);
      break;
    case 'typescript':
      walkFiles(join(root, 'node_modules'), (path) => path.endsWith('.ts') && !path.endsWith('.d.ts'), paths);
      break;
    case 'javascript':
      walkFiles(join(root, 'node_modules'), (path) => /\.(m|c)?js$/.test(path) && !/\.min\.|\/dist\/.*\.(cjs|umd)/.test(path), paths);
      break;
    default:
      throw new Error(`no source files for ${language}`);
  }
  // Order by a hash of seed and path, not a shuffle of the whole list: packages installed later
  // (node_modules changes under us) then add candidates without reordering the ones already there.
  const rank = new Map(paths.map((path) => [path, hashText(`${seed}:${path.slice(root.length)}`)]));
  const files: SourceFile[] = [];
  for (const path of paths.sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0))) {
    const code = readFileSync(path, 'utf8');
    if (!isReadableSource(code)) continue;
    files.push({ path, language, code });
    if (files.length >= count) break;
  }
  return files;
}

/**
 * Picks `perFile` identifier occurrences (2+ characters, in code) of each file, in file order;
 * keywords too when `withKeywords` (training wants what people really type, not only names).
 */
export function sampleOccurrences(files: readonly SourceFile[], perFile: number, seed: number, withKeywords = false): Sample[] {
  const random = createRandom(seed);
  const samples: Sample[] = [];
  for (const file of files) {
    const tokens = tokenizeDocument(file.code, file.language, 'bench-sampling');
    const candidates = tokens.filter((token) =>
      (token.category === 'ident' || (withKeywords && token.category === 'keyword')) && token.text.length >= 2 && token.from > 200);
    const picked = shuffle([...candidates], random).slice(0, perFile).sort((a, b) => a.from - b.from);
    for (const token of picked) samples.push({ file, offset: token.from, target: token.text });
  }
  return samples;
}
