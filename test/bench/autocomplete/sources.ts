import { execFileSync } from 'node:child_process';
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { tokenizeDocument } from '../../../server/autocomplete/tokenize.ts';
import type { Language } from '../../../shared/protocol.ts';
import { createRandom } from '../../support/random.ts';

/** A real source file that nobody in this project wrote. */
export interface SourceFile {
  path: string;
  language: Language;
  code: string;
  /** The package it ships in: npm package, Python stdlib module or Debian package; the split and the cap go by it. */
  packageName: string;
}

/** One identifier occurrence to complete: the file truncated at `offset`, then `target` typed. */
export interface Sample {
  file: SourceFile;
  offset: number;
  target: string;
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

/** Directory names skipped everywhere: caches, hidden folders, other interpreters' packages, and templated files (one locale or codec table per file). */
const SKIPPED_DIRECTORIES = new Set(['__pycache__', 'site-packages', 'dist-packages', 'locale', 'locales', 'i18n', 'l10n', 'encodings']);

function walkFiles(directory: string, accept: (path: string) => boolean, out: string[], skip: ReadonlySet<string> = new Set()): void {
  let names: string[];
  try {
    names = readdirSync(directory).sort();
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(directory, name);
    if (skip.has(path)) continue;
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (stat?.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(name) && !name.startsWith('.')) walkFiles(path, accept, out, skip);
    } else if (stat?.isFile() && stat.size < 400_000 && accept(path)) out.push(path);
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

/** The languages the bench can source from real files on a Debian-like machine with node_modules installed. */
export const BENCH_LANGUAGES = ['python', 'javascript', 'typescript', 'c', 'shell'] as const satisfies readonly Language[];
export type BenchLanguage = (typeof BENCH_LANGUAGES)[number];

/** Which side of the split by package: the packages the report measures, or the others (tuning, training, miss analysis). */
export type SourceSplit = 'reported' | 'held-out';

/** What {@link findSourceFiles} picks. */
export interface SourceQuery {
  /** Most files to return. */
  count: number;
  /** Orders the candidates; the same seed picks the same files. */
  seed: number;
  split: SourceSplit;
  /** Most files of one package, so that no package (zod, the kernel headers) dominates a figure. */
  perPackage: number;
}

let debianOwners: Map<string, string> | undefined;

/** Debian package owning each installed file, from dpkg's file lists (empty off Debian). */
function readDebianOwners(): Map<string, string> {
  if (debianOwners !== undefined) return debianOwners;
  debianOwners = new Map();
  const info = '/var/lib/dpkg/info';
  let lists: string[] = [];
  try {
    lists = readdirSync(info).filter((name) => name.endsWith('.list')).sort();
  } catch {
    return debianOwners;
  }
  for (const list of lists) {
    const owner = list.slice(0, -'.list'.length).split(':')[0];
    for (const path of readFileSync(join(info, list), 'utf8').split('\n')) if (path !== '') debianOwners.set(path, owner);
  }
  return debianOwners;
}

/** The npm package of a file under node_modules: the name after the last `node_modules/`, scope included. */
function readNpmPackage(path: string): string {
  const rest = path.slice(path.lastIndexOf('/node_modules/') + '/node_modules/'.length).split('/');
  return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
}

let systemFiles: { c: string[]; shell: string[] } | undefined;

const C_PLUS_PLUS = /\bnamespace\s+\w|\btemplate\s*<|\bclass\s+\w+\s*[:{]|std::|\bpublic:/;
const SHELL_SHEBANG = /^#!\s*(?:\/usr)?\/bin\/(?:env\s+)?(?:ba|da)?sh\b/;

/** C files (`.c` anywhere under /usr, `.h` under /usr/include) and shell scripts (`.sh` or a sh/bash shebang) installed on this machine; one walk for both. */
function findSystemFiles(): { c: string[]; shell: string[] } {
  if (systemFiles !== undefined) return systemFiles;
  const c: string[] = [];
  const shell: string[] = [];
  // Vendored trees that are not Debian packages (their files belong to no package we could name).
  const skip = new Set(['/usr/lib/google-cloud-sdk', '/usr/local', '/usr/src', '/usr/lib/node_modules', '/usr/share/nodejs']);
  for (const top of ['/usr/include', '/usr/bin', '/usr/sbin', '/usr/lib', '/usr/share']) {
    walkFiles(top, (path) => {
      if (path.endsWith('.c') || (path.endsWith('.h') && path.startsWith('/usr/include/'))) c.push(path);
      else if (path.endsWith('.sh')) shell.push(path);
      else if (!/\.\w+$/.test(path) && SHELL_SHEBANG.test(readHead(path))) shell.push(path);
      return false;
    }, [], skip);
  }
  systemFiles = { c, shell };
  return systemFiles;
}

function readHead(path: string): string {
  let descriptor: number | undefined;
  try {
    descriptor = openSync(path, 'r');
    const buffer = Buffer.alloc(64);
    return buffer.toString('latin1', 0, readSync(descriptor, buffer, 0, 64, 0));
  } catch {
    return '';
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

/** Candidate paths of `language` with the package each ships in (npm package, stdlib module, Debian package). */
function listCandidates(language: BenchLanguage, root: string): Array<{ path: string; packageName: string }> {
  const paths: string[] = [];
  switch (language) {
    case 'python': {
      const stdlib = findPythonStdlib();
      walkFiles(stdlib, (path) => path.endsWith('.py'), paths);
      // A top-level module is a package of its own; a directory (asyncio, email, test) is one package.
      return paths.map((path) => ({ path, packageName: path.slice(stdlib.length + 1).split('/')[0].replace(/\.py$/, '') }));
    }
    case 'typescript':
      walkFiles(join(root, 'node_modules'), (path) => path.endsWith('.ts') && !path.endsWith('.d.ts'), paths);
      return paths.map((path) => ({ path, packageName: readNpmPackage(path) }));
    case 'javascript':
      walkFiles(join(root, 'node_modules'), (path) => /\.(m|c)?js$/.test(path) && !/\.min\.|\/dist\/.*\.(cjs|umd)/.test(path), paths);
      return paths.map((path) => ({ path, packageName: readNpmPackage(path) }));
    case 'c':
    case 'shell': {
      const owners = readDebianOwners();
      // Files no package lists (generated at install time) are left out: we could not keep their package on one side.
      return findSystemFiles()[language].flatMap((path) => {
        const owner = owners.get(path);
        return owner === undefined ? [] : [{ path, packageName: owner }];
      });
    }
    default: {
      const unreachable: never = language;
      throw new Error(`no source files for ${String(unreachable)}`);
    }
  }
}

/** True when `packageName` is on the held-out side: a third of the packages, by a hash that does not depend on any seed. */
export function isHeldOutPackage(language: Language, packageName: string): boolean {
  return hashText(`split:${language}:${packageName}`) % 3 === 0;
}

/**
 * Lists real files of `language` from one side of the split by package,
 * ordered by `seed`, at most `perPackage` of a package and `count` in all;
 * identical copies (a package vendored twice) count once.
 */
export function findSourceFiles(language: BenchLanguage, root: string, query: SourceQuery): SourceFile[] {
  const candidates = listCandidates(language, root).filter(({ packageName }) =>
    isHeldOutPackage(language, packageName) === (query.split === 'held-out'));
  // Order by a hash of seed and path, not a shuffle of the whole list: packages installed later
  // (node_modules changes under us) then add candidates without reordering the ones already there.
  const relative = (path: string): string => (path.startsWith(root) ? path.slice(root.length) : path);
  const rank = new Map(candidates.map(({ path }) => [path, hashText(`${query.seed}:${relative(path)}`)]));
  candidates.sort((a, b) => (rank.get(a.path) ?? 0) - (rank.get(b.path) ?? 0) || (a.path < b.path ? -1 : 1));
  const files: SourceFile[] = [];
  const perPackage = new Map<string, number>();
  const seen = new Set<number>();
  for (const { path, packageName } of candidates) {
    if ((perPackage.get(packageName) ?? 0) >= query.perPackage) continue;
    let code: string;
    try {
      code = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    if (!isReadableSource(code) || (language === 'c' && C_PLUS_PLUS.test(code)) || seen.has(hashText(code))) continue;
    seen.add(hashText(code));
    perPackage.set(packageName, (perPackage.get(packageName) ?? 0) + 1);
    files.push({ path, language, code, packageName });
    if (files.length >= query.count) break;
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
