import { readCursorContext } from '../../../server/autocomplete/context.ts';
import { getCorpus } from '../../../server/autocomplete/corpus/index.ts';
import { rankWords } from '../../../server/autocomplete/identifiers.ts';
import { getLanguageSpec } from '../../../server/autocomplete/languages.ts';
import type { RankingWeights } from '../../../server/autocomplete/ranking-weights.ts';
import { tokenizeDocument } from '../../../server/autocomplete/tokenize.ts';
import type { Sample } from './sources.ts';

/** One completion attempt: the candidates' feature vectors and which one the user wanted. */
interface Attempt {
  candidates: number[][];
  target: number;
}

const CANDIDATES = 40;

/** Replays the samples (1-3 typed characters) and keeps each attempt whose wanted word was a candidate. */
export function collectAttempts(samples: readonly Sample[], weights: RankingWeights): Attempt[] {
  const attempts: Attempt[] = [];
  for (const sample of samples) {
    const { language } = sample.file;
    const before = sample.file.code.slice(0, sample.offset);
    for (let typed = 1; typed <= 3 && typed < sample.target.length; typed++) {
      const code = before + sample.target.slice(0, typed);
      const tokens = tokenizeDocument(code, language, `train:${sample.file.path}`);
      const context = readCursorContext(code, tokens, code.length, language);
      if (context.kind === 'string' || context.kind === 'import') continue;
      const words = rankWords(code, tokens, getCorpus(language).tokens, context, language,
        getLanguageSpec(language).memberOperators, weights).slice(0, CANDIDATES);
      const target = words.findIndex((word) => word.text === sample.target);
      if (target >= 0 && words.length > 1) attempts.push({ candidates: words.map((word) => word.features), target });
    }
  }
  return attempts;
}

/**
 * Fits the ranker's feature weights by softmax regression over the
 * candidates of each attempt (maximum likelihood of the wanted word, small
 * L2 penalty), with Adam steps on the full batch.
 */
export function trainFeatureWeights(attempts: readonly Attempt[], initial: readonly number[], epochs = 1500): number[] {
  const size = attempts[0]?.candidates[0]?.length ?? initial.length;
  const weights = Array.from({ length: size }, (_, index) => initial[index] ?? 0);
  const moment = new Array<number>(size).fill(0);
  const velocity = new Array<number>(size).fill(0);
  const rate = 0.05;
  const l2 = 1e-3;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const gradient = weights.map((weight) => l2 * weight);
    for (const { candidates, target } of attempts) {
      const scores = candidates.map((features) => features.reduce((sum, value, index) => sum + value * weights[index], 0));
      const top = Math.max(...scores);
      const exps = scores.map((score) => Math.exp(score - top));
      const total = exps.reduce((sum, value) => sum + value, 0);
      candidates.forEach((features, candidate) => {
        const share = exps[candidate] / total - (candidate === target ? 1 : 0);
        for (let index = 0; index < size; index++) gradient[index] += (share * features[index]) / attempts.length;
      });
    }
    for (let index = 0; index < size; index++) {
      moment[index] = 0.9 * moment[index] + 0.1 * gradient[index];
      velocity[index] = 0.999 * velocity[index] + 0.001 * gradient[index] ** 2;
      const corrected = moment[index] / (1 - 0.9 ** epoch);
      weights[index] -= (rate * corrected) / (Math.sqrt(velocity[index] / (1 - 0.999 ** epoch)) + 1e-8);
    }
  }
  return weights.map((weight) => Number(weight.toFixed(3)));
}
