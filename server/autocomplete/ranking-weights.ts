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
      0.328, 0.122, 0.157, 0.011, 0.044, 0.052, -0.418, 0.25, 0.135, -0.36, -0.016, 0.12, -3.557, -0.163,
      0.021, -0.04, -0.335, 1.21, -0.277, -0.298, 0.279, -0.222, 0.088, -0.026, 0.053, 0.274, 0.003, -0.232,
      0.081, 0.126, -0.305, -0.304, 0.852, -0.587, 0.124, -0.457, -0.224, 0.728, 0.166, 0.203,
    ],
    python: [
      0.246, 0.465, 0.106, 0.005, 0.054, 0.065, -0.348, 0.546, -0.262, -0.602, -0.172, -0.503, -3.893,
      -0.175, -0.024, -0.04, -0.185, 1.202, -0.435, -0.413, 0.707, -0.025, 0.066, 0.025, 0.053, 0.139,
      -0.055, -0.555, 0.103, 0.153, -0.225, -0.369, 0.646, -0.383, 0.021, -0.479, -0.436, 0.815, 0.139, 0.15,
    ],
    javascript: [
      0.433, -0.039, 0.217, -0.018, 0.016, 0.008, -0.26, -0.179, 0.736, 0.082, -0.013, 0.947, -3.214, -0.382,
      0.086, -0.062, -0.521, 1.231, -0.49, -0.274, 0.052, -0.312, 0.082, -0.072, 0.05, 0.447, 0.099, 0.101,
      0.106, -0.039, -0.724, -0.088, 0.95, -1.08, 0.054, -0.251, 0.298, 0.782, 0.336, 0.489,
    ],
    typescript: [
      0.428, 0.029, 0.383, 0.154, 0.047, 0.101, -0.246, 0.046, -0.612, -0.675, 0.448, -0.184, -3.062, 0.283,
      -0.002, -0.068, -0.252, 1.08, 0.287, -0.208, -0.753, -0.811, 0.162, -0.1, 0.02, 0.031, -0.056, -0.285,
      0.023, 0.361, 0.09, -1.115, 0.957, -0.075, 0.81, -0.909, -0.797, 0.444, -0.192, -0.522,
    ],
  },
});
