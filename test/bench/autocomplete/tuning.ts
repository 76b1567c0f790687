import type { RankingWeights } from '../../../server/autocomplete/ranking-weights.ts';

type NumericKey = { [K in keyof RankingWeights]: RankingWeights[K] extends number ? K : never }[keyof RankingWeights];

const STEPS: Partial<Record<NumericKey, number[]>> = {
  unigram: [0.05, 0.1, 0.2, 0.35, 0.5],
  recency: [0.1, 0.2, 0.3, 0.45, 0.6],
  bigram: [0.05, 0.1, 0.2, 0.35, 0.5],
  trigram: [0.1, 0.2, 0.3, 0.45, 0.6],
  shape: [0, 0.05, 0.1, 0.2, 0.35],
  recencySpan: [50, 100, 200, 400, 800],
  corpusWeight: [0, 0.25, 0.5, 1],
  builtinPrior: [0.1, 0.5, 1, 2],
  crossRole: [0, 0.05, 0.15, 0.3, 0.6],
};

/**
 * Coordinate search: for each weight in turn, tries its listed values and
 * keeps the best by `objective` (higher is better); two rounds.
 */
export function tuneWeights(start: RankingWeights, objective: (weights: RankingWeights) => number, report: (line: string) => void): RankingWeights {
  let best = { ...start };
  let bestValue = objective(best);
  report(`tune start ${bestValue.toFixed(4)}`);
  for (let round = 0; round < 2; round++) {
    for (const [key, values] of Object.entries(STEPS) as Array<[NumericKey, number[]]>) {
      for (const value of values) {
        if (best[key] === value) continue;
        const candidate = { ...best, [key]: value };
        const candidateValue = objective(candidate);
        if (candidateValue > bestValue) {
          best = candidate;
          bestValue = candidateValue;
          report(`tune ${key}=${value} → ${bestValue.toFixed(4)}`);
        }
      }
    }
  }
  return best;
}
