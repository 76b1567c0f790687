/** Counts of every word of a text, with where each was last seen (for tie-breaking). */
export interface WordCounts {
  counts: Map<string, number>;
  last: Map<string, number>;
}

/** Counts every word (`[A-Za-z_$][\w$]*`) of `text`, strings and comments included: plain word completion. */
export function countWords(text: string): WordCounts {
  const counts = new Map<string, number>();
  const last = new Map<string, number>();
  for (const match of text.matchAll(/[\p{L}_$][\p{L}\p{N}_$]*/gu)) {
    counts.set(match[0], (counts.get(match[0]) ?? 0) + 1);
    last.set(match[0], match.index);
  }
  return { counts, last };
}

/**
 * The baseline's ranked words for `prefix`: every word of the file, most
 * frequent first; ties go to the most recent word (the stricter baseline,
 * reported) or, with `ties: 'alphabetical'`, to the first in A-Z order.
 */
export function rankBaseline(words: WordCounts, prefix: string, limit: number, ties: 'recent' | 'alphabetical' = 'recent'): string[] {
  const found: string[] = [];
  for (const word of words.counts.keys()) if (word.startsWith(prefix) && word !== prefix) found.push(word);
  found.sort((a, b) => (words.counts.get(b) ?? 0) - (words.counts.get(a) ?? 0) ||
    (ties === 'recent' ? (words.last.get(b) ?? 0) - (words.last.get(a) ?? 0) : a < b ? -1 : 1));
  return found.slice(0, limit);
}
