/**
 * Knobs of the identifier ranking. The defaults were tuned with
 * `npm run bench:autocomplete` on sampled files (see the bench's `--tune`),
 * then checked on a different sample; tests pass their own when they need to.
 */
export interface RankingWeights {
  /** Weight of the document-wide frequency of the word. */
  unigram: number;
  /** Weight of recency: occurrences near the cursor count more (decay over `recencySpan` tokens). */
  recency: number;
  /** Weight of how often the word followed the previous token. */
  bigram: number;
  /** Weight of how often the word followed the previous two tokens (`self .` → its members). */
  trigram: number;
  /** Tokens over which the weight of an occurrence decays by e. */
  recencySpan: number;
  /** How much an occurrence in the built-in corpus counts, relative to one in the document. */
  corpusWeight: number;
  /** Pseudo-count of a keyword or builtin the document has not used yet. */
  builtinPrior: number;
  /** How much a bare use counts towards a member completion, and a member use towards a bare one. */
  crossRole: number;
  /** Factor for a name being defined that the code already uses but has not defined. */
  usedNotDefined: number;
  /** Factor for a word that only matches the typed text ignoring case. */
  caseMismatch: number;
}

/** Default ranking weights. */
export const DEFAULT_WEIGHTS: Readonly<RankingWeights> = Object.freeze({
  unigram: 0.2,
  recency: 0.3,
  bigram: 0.2,
  trigram: 0.3,
  recencySpan: 200,
  corpusWeight: 0.5,
  builtinPrior: 0.5,
  crossRole: 0.15,
  usedNotDefined: 3,
  caseMismatch: 0.05,
});
