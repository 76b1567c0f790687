import type { Language } from '../../shared/protocol.ts';

/**
 * Knobs of the word ranking. The interpolation weights were searched with
 * `npm run bench:autocomplete -- --tune --train --pool-scripts` (starting
 * from their previous values) and the ranker's feature weights refitted
 * since with `-- --train --pool-scripts`, on the bench's held-out packages
 * only: the bench splits its files by package (npm package, Python stdlib
 * module, Debian package) and reports on the other packages, so no
 * reported file, copy of one, or package was tuned or trained on. Shell's
 * were refitted alone (`-- --train --train-only=shell`) when its tokenizer
 * learned quoting and its slots (variable, command, argument) became
 * features. Tests pass their own weights when they need to.
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
  unigram: 0.5,
  recency: 0.1,
  bigram: 0.35,
  trigram: 0.6,
  shape: 0.1,
  recencySpan: 50,
  corpusWeight: 0.5,
  builtinPrior: 0.5,
  crossRole: 0.15,
  features: {
    default: [
      0.438, -0.001, 0.209, 0.03, 0.02, 0.053, -0.078, -0.203, 0.054, -0.336, 0.416, -0.417, -3.681, -0.16, 0.111,
      -0.014, -0.442, 1.065, -0.231, -0.315, 0.249, -0.205, 0.023, 0.011, 0.047, 0.262, -0.151, -0.182, 0.089, -0.028,
      -0.224, 0.197, 0.497, -0.927, -0.141, 0.037, -0.292, 0.457, -0.177, -0.281, 0, -1.406, 0.181, 0.414, -0.114,
      0.003, 0.318, 0.17, 1.128, -0.088,
    ],
    python: [
      0.185, 0.203, 0.118, 0.037, 0.072, 0.072, -0.227, 0.37, 0.128, -0.49, -0.409, -0.068, -4.531, -0.257, 0.135,
      -0.125, -0.503, 1.963, 0.208, -0.652, 0.771, -0.099, -0.094, -0.023, 0.01, 0.119, -0.439, -0.684, 0.086, 0.181,
      -0.125, 0.257, 0.838, -0.981, -0.321, -0.444, -0.696, 0.871, 0.125, 0.112, 0, -2.075, 0.237, 1.091, -0.032,
      -0.186, 0, 0, 0, 0,
    ],
    javascript: [
      0.36, 0.045, 0.261, -0.007, 0.077, 0.064, -0.21, -0.415, -0.074, -0.294, 0.572, -0.584, -2.977, 0.2, 0.153,
      0.017, -0.352, 1.227, 0.101, -0.63, 0.212, 0.224, 0.031, 0.026, 0.038, 0.248, 0.139, 0.363, 0.069, 0.014,
      -0.047, 0.773, 0.67, -1.088, -0.318, 0.511, 0.133, 1.06, 0.421, 0.125, -0.001, -2.484, 0.394, 0.452, 0, -0.215,
      -0.115, 0.168, 1.564, -0.143,
    ],
    typescript: [
      0.296, 0.152, 0.185, 0.001, 0.084, 0.067, -0.452, -0.503, 0.076, -0.294, 0.573, -0.819, -3.24, 0.039, 0.157,
      0.043, -0.412, 1.351, 0.228, -0.624, 0.496, 0.134, 0.031, 0.022, 0.048, 0.244, 0.121, 0.403, 0.057, 0.079,
      -0.218, 0.579, 0.551, -1.296, -0.434, 0.172, 0.046, 0.994, 0.381, 0, 0, -2.17, 0.211, 0.627, -0.121, -0.768,
      0.462, 0.198, 1.466, -0.198,
    ],
    c: [
      0.868, -0.099, 0.257, 0.032, -0.071, 0.05, 0.593, 0.119, -0.672, -0.722, 0.71, -0.859, -3.52, -0.541, 0.104,
      -0.85, -0.78, -0.133, -1.208, -0.012, 0.22, -0.486, 0.01, 0.019, 0.078, 0.534, -0.139, -0.737, 0.1, -0.237,
      -0.391, -0.197, 0.385, -0.556, -0.462, 0.132, -0.65, -0.445, -1.425, -0.978, 0, 0.267, 0.234, 0, 0, 0.176, 0, 0,
      0, 0,
    ],
    shell: [
      0.588, -0.209, 0.224, -0.022, -0.045, 0.072, 0.109, -0.692, 0.741, 0, 1.191, 0, -3.548, -0.209, 0, 0, -0.624,
      0.401, -0.293, -0.207, 1.316, -0.07, 0.016, 0.009, 0.083, 0.036, -0.367, -1.448, 0.026, -0.194, -0.458, -0.715,
      0.765, -1.086, -0.021, 0.226, 0.11, 0.431, 0.034, 0.138, 0, -1.12, 0.447, 0, 0, 1.031, -0.464, -0.203, 0, 0,
      1.668, -0.539, 1.086, 0.574, 0.248, -1.061, -0.464, -1.045, 0.451, 0.745,
    ],
  },
});
