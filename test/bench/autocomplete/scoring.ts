import type { AutocompleteResponse } from '../../../shared/schemas/autocomplete.schema.ts';
import { countWords, rankBaseline } from './baseline.ts';
import type { Sample } from './sources.ts';

/** Hit rates of one completer over a set of samples. */
export interface Score {
  /** Attempts: samples times typed lengths (1, 2 and 3 characters, where the word is longer). */
  attempts: number;
  top1: number;
  top5: number;
  /** Share of the sampled identifiers' characters a user would not type, accepting the first correct top item. */
  keystrokesSaved: number;
  /** Top-1 rate per typed length. */
  top1ByTyped: number[];
}

/** Completes `code` at its end. */
export type Completer = (code: string, sample: Sample) => AutocompleteResponse;

interface Tally {
  attempts: number;
  top1: number;
  top5: number;
  saved: number;
  characters: number;
  byTyped: Array<[number, number]>;
}

function createTally(): Tally {
  return { attempts: 0, top1: 0, top5: 0, saved: 0, characters: 0, byTyped: [[0, 0], [0, 0], [0, 0]] };
}

function finishScore(tally: Tally): Score {
  const rate = (value: number, total: number): number => (total === 0 ? 0 : Number((value / total).toFixed(4)));
  return {
    attempts: tally.attempts,
    top1: rate(tally.top1, tally.attempts),
    top5: rate(tally.top5, tally.attempts),
    keystrokesSaved: rate(tally.saved, tally.characters),
    top1ByTyped: tally.byTyped.map(([hits, total]) => rate(hits, total)),
  };
}

function recordAttempt(tally: Tally, typed: number, ranked: readonly string[], target: string): boolean {
  const top1 = ranked[0] === target;
  tally.attempts++;
  tally.byTyped[typed - 1][1]++;
  if (top1) {
    tally.top1++;
    tally.byTyped[typed - 1][0]++;
  }
  if (ranked.slice(0, 5).includes(target)) tally.top5++;
  return top1;
}

/** Replays every sample with 1, 2 and 3 typed characters against the engine and the word-frequency baseline. */
export function scoreSamples(samples: readonly Sample[], complete: Completer): { engine: Score; baseline: Score; baselineAlphabetical: Score } {
  const engine = createTally();
  const baseline = createTally();
  const alphabetical = createTally();
  for (const sample of samples) {
    const before = sample.file.code.slice(0, sample.offset);
    const words = countWords(before);
    let engineSaved = 0;
    let baselineSaved = 0;
    let alphabeticalSaved = 0;
    for (let typed = 1; typed <= 3 && typed < sample.target.length; typed++) {
      const prefix = sample.target.slice(0, typed);
      const answer = complete(before + prefix, sample);
      // Strict: line and snippet items keep their places in the list, so they can push the word down.
      const labels = answer.items.map((item) => item.insertText);
      if (recordAttempt(engine, typed, labels, sample.target) && engineSaved === 0) engineSaved = sample.target.length - typed;
      if (recordAttempt(alphabetical, typed, rankBaseline(words, prefix, 5, 'alphabetical'), sample.target) && alphabeticalSaved === 0) {
        alphabeticalSaved = sample.target.length - typed;
      }
      if (recordAttempt(baseline, typed, rankBaseline(words, prefix, 5), sample.target) && baselineSaved === 0) {
        baselineSaved = sample.target.length - typed;
      }
    }
    engine.saved += engineSaved;
    baseline.saved += baselineSaved;
    alphabetical.saved += alphabeticalSaved;
    engine.characters += sample.target.length;
    baseline.characters += sample.target.length;
    alphabetical.characters += sample.target.length;
  }
  return { engine: finishScore(engine), baseline: finishScore(baseline), baselineAlphabetical: finishScore(alphabetical) };
}
