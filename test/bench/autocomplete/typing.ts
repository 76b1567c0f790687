import { findSourceFiles, type BenchLanguage } from './sources.ts';

/** One request of a caller typing through a file: the whole text, with the cursor where the person is. */
export interface TypingRequest {
  code: string;
  cursorPosition: number;
}

/** Languages typed through, each with how many files and of what size: C as the target speaks of (100 KB), the others 30-120 KB as the issue measured. */
export const TYPING_FILES: ReadonlyArray<{ language: BenchLanguage; count: number; minLength: number }> = [
  { language: 'c', count: 4, minLength: 90_000 },
  { language: 'python', count: 2, minLength: 30_000 },
  { language: 'typescript', count: 2, minLength: 30_000 },
  { language: 'javascript', count: 2, minLength: 30_000 },
];

/** Real files of `language` between `minLength` and 120 KB, the same ones every run. */
export function findTypingFiles(root: string, language: BenchLanguage, count: number, minLength: number): Array<{ path: string; code: string }> {
  const files = (['reported', 'held-out'] as const).flatMap((split) => findSourceFiles(language, root, { count: 2000, seed: 3, split, perPackage: Infinity }));
  return files.filter((file) => file.code.length >= minLength && file.code.length <= 120_000).slice(0, count);
}

/**
 * The requests of a caller typing through `code`: at five places it types
 * the next 180 characters of the file into a gap, 1-3 a request, each
 * request the whole text (300 requests). The first one is the caller's
 * first: nothing of it is known yet.
 */
export function* listTypingRequests(code: string, random: () => number): Generator<TypingRequest> {
  for (let site = 0; site < 5; site++) {
    const start = Math.floor(code.length * (0.1 + 0.18 * site));
    const rest = code.slice(start + 180);
    let cursor = start;
    for (let request = 0; request < 60; request++) {
      cursor = Math.min(start + 180, cursor + 1 + Math.floor(random() * 3));
      yield { code: code.slice(0, cursor) + rest, cursorPosition: cursor };
    }
  }
}
