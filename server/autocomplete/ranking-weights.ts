import type { Language } from '../../shared/protocol.ts';

/**
 * Knobs of the word ranking. The interpolation weights were searched with
 * `npm run bench:autocomplete -- --tune` and the ranker's feature weights
 * fitted with `-- --train`, on other files than the bench reports; tests
 * pass their own weights when they need to.
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
  /** Weight of how often the word followed the same shape of three tokens, names collapsed (`def <name> (` → `self`). */
  shape: number;
  /** Tokens over which the weight of an occurrence decays by e. */
  recencySpan: number;
  /** How much an occurrence in the built-in corpus counts towards what follows what, relative to one in the document. */
  corpusWeight: number;
  /** Pseudo-count of a keyword or builtin the document has not used yet. */
  builtinPrior: number;
  /** How much a bare use counts towards a member completion, and a member use towards a bare one. */
  crossRole: number;
  /**
   * Weights of the ranker over `FEATURE_NAMES` (word-features.ts), per language where the bench
   * measures one, `default` for the others; learned by the bench's `--train`.
   */
  features: Readonly<Partial<Record<Language, readonly number[]>>> & { default: readonly number[] };
}

/** Default ranking weights. */
export const DEFAULT_WEIGHTS: Readonly<RankingWeights> = Object.freeze({
  unigram: 0.05,
  recency: 0.2,
  bigram: 0.1,
  trigram: 0.3,
  shape: 0.05,
  recencySpan: 200,
  corpusWeight: 0.5,
  builtinPrior: 0.5,
  crossRole: 0.15,
  features: {
    default: [
      0.312, 0.126, 0.142, -0.003, 0.044, 0.05, -0.248, -0.023, 0.319, -0.255, 0.033, 0.15, -3.522, -0.223, 0.016,
      -0.039, -0.328, 1.195, 0.205, -0.277, 0.282, -0.301, 0.034, -0.009, 0.06, 0.275, 0.017, -0.153, 0.082, 0.105,
      -0.415, -0.281, 0.822, -0.597, 0.082, -0.407, -0.204, 0.614, 0.189, 0.215, 1.361, -1.933, 0.287, 0.276,
      0.077, -0.024, 0.345, 0.268, 1.023, -0.28,
    ],
    python: [
      0.241, 0.463, 0.106, 0.004, 0.055, 0.066, -0.206, 0.536, -0.255, -0.606, -0.267, -0.521, -3.684, -0.186,
      -0.022, -0.041, -0.18, 1.072, -0.026, -0.423, 0.688, -0.031, 0.074, 0.024, 0.051, 0.151, -0.122, -0.573,
      0.101, 0.155, -0.236, -0.384, 0.676, -0.453, -0.009, -0.49, -0.464, 0.771, 0.083, 0.13, 0, -1.782, 0.453,
      0.231, -0.099, 0.56, 0, 0, 0, 0,
    ],
    javascript: [
      0.418, -0.012, 0.169, -0.049, 0.021, 0.005, -0.305, -0.348, 0.802, 0.098, 0.045, 0.942, -3.326, -0.292,
      0.074, -0.04, -0.524, 1.519, 0.371, -0.244, -0.077, -0.366, 0.006, -0.022, 0.07, 0.385, 0.088, 0.195, 0.111,
      -0.031, -0.652, -0.072, 0.972, -0.98, 0.131, -0.082, 0.338, 0.745, 0.461, 0.46, 2.32, -2.461, 0.124, 0.2,
      0.29, -0.458, -0.213, 0.268, 1.111, -0.156,
    ],
    typescript: [
      0.424, 0.015, 0.214, -0.013, 0.03, 0.031, -0.208, -0.315, 0.518, -0.091, 0.166, 0.6, -3.347, -0.245, 0.037,
      -0.042, -0.435, 1.293, 0.26, -0.227, -0.076, -0.5, 0.045, -0.038, 0.06, 0.277, 0.054, 0.166, 0.08, 0.052,
      -0.573, -0.227, 0.898, -0.746, 0.168, -0.294, 0.013, 0.542, 0.262, 0.283, 1.875, -1.98, -0.007, 0.305, 0.099,
      -0.553, 0.322, 0.231, 1.262, -0.305,
    ],
  },
});
