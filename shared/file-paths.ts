import { LANGUAGE_FILE_EXTENSIONS, MAX_PATH_LENGTH, type Language } from './protocol.ts';

/**
 * A path segment: Unicode letters (with their combining marks), digits,
 * `.`, `_`, `-` and space. `.` and `..` alone are refused separately.
 */
const SEGMENT = /^[\p{L}\p{M}\p{Nd}._\- ]+$/u;

/**
 * The canonical form of a file or folder path in a room, or `null` when it
 * is not one: `/`-separated segments (see {@link SEGMENT}), no empty
 * segment (so no leading, trailing or doubled `/`), no `.` or `..` segment,
 * at most {@link MAX_PATH_LENGTH} characters, NFC-normalized. Paths are
 * case-sensitive: `A.py` and `a.py` are two files.
 */
export function normalizePath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 4 * MAX_PATH_LENGTH) return null;
  const path = value.normalize('NFC');
  if (path.length > MAX_PATH_LENGTH) return null;
  for (const segment of path.split('/')) {
    if (segment === '.' || segment === '..' || !SEGMENT.test(segment)) return null;
  }
  return path;
}

/** True when `path` is already a canonical path ({@link normalizePath} returns it unchanged). */
export function isCanonicalPath(path: unknown): path is string {
  return typeof path === 'string' && normalizePath(path) === path;
}

/** The folders `path` lies in, outermost first: `a/b/c.py` → `['a', 'a/b']`. */
export function parentFolders(path: string): string[] {
  const folders: string[] = [];
  for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) folders.push(path.slice(0, slash));
  return folders;
}

/** The last segment of a path: `src/main.py` → `main.py`. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** True when `path` is `folder` itself or lies inside it. */
export function isWithin(path: string, folder: string): boolean {
  return path === folder || path.startsWith(`${folder}/`);
}

/**
 * The path with `from` (a file or a folder) replaced by `to` at its start:
 * `moveTarget('src/a.py', 'src', 'lib') === 'lib/a.py'`. Undefined when
 * `path` is not within `from`.
 */
export function moveTarget(path: string, from: string, to: string): string | undefined {
  if (!isWithin(path, from)) return undefined;
  return to + path.slice(from.length);
}

/** Extensions beyond the one each language downloads with. */
const EXTRA_EXTENSIONS: Record<string, Language> = {
  pyw: 'python', pyi: 'python',
  mjs: 'javascript', cjs: 'javascript', jsx: 'javascript',
  mts: 'typescript', cts: 'typescript', tsx: 'typescript',
  h: 'c',
  cc: 'cpp', cxx: 'cpp', hpp: 'cpp', hh: 'cpp', hxx: 'cpp', 'c++': 'cpp',
  kts: 'kotlin',
  htm: 'html',
  markdown: 'markdown',
  bash: 'shell', zsh: 'shell',
  text: 'plaintext',
};
const LANGUAGE_BY_EXTENSION: ReadonlyMap<string, Language> = new Map([
  ...Object.entries(LANGUAGE_FILE_EXTENSIONS).map(([language, extension]) => [extension, language as Language] as const),
  ...Object.entries(EXTRA_EXTENSIONS),
]);

/** The language a file is in by its extension (case-insensitive), `plaintext` when none matches. */
export function languageOfPath(path: string): Language {
  const name = baseName(path);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return 'plaintext';
  return LANGUAGE_BY_EXTENSION.get(name.slice(dot + 1).toLowerCase()) ?? 'plaintext';
}

/** `main.<ext>` for a language: the entry file of a room created with `code` only. */
export function defaultEntryPath(language: Language): string {
  return `main.${LANGUAGE_FILE_EXTENSIONS[language]}`;
}

/**
 * A path not in `taken`, made from `path` by adding ` (2)`, ` (3)`, …
 * before its extension: `a.py` → `a (2).py`.
 */
export function uniquePath(path: string, taken: (candidate: string) => boolean): string {
  if (!taken(path)) return path;
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  const split = dot > slash + 1 ? dot : path.length;
  for (let n = 2; ; n++) {
    const candidate = `${path.slice(0, split)} (${n})${path.slice(split)}`;
    if (!taken(candidate)) return candidate;
  }
}
