/**
 * Measures the autocomplete engine on real code nobody here wrote: Python's
 * standard library and the JavaScript/TypeScript shipped in node_modules.
 * Prints JSON and a table; never fails on a number. `--tune` searches the
 * interpolation weights, `--train` fits the ranker's feature weights, both
 * on other files than the ones reported (`--names-only` trains on names
 * without keywords, which flatters the names-only figures: not the default;
 * `--pool-scripts` fits TypeScript on JavaScript's attempts too, and with
 * `--pool-both` JavaScript on TypeScript's). `--misses` classifies the
 * engine's misses on those other files and stops.
 */
import { completeWithEngine } from '../../server/autocomplete/engine.ts';
import { DEFAULT_WEIGHTS, type RankingWeights } from '../../server/autocomplete/ranking-weights.ts';
import type { Language } from '../../shared/protocol.ts';
import { measureLatency, type LatencyReport } from './autocomplete/latency.ts';
import { scoreSamples, type Score } from './autocomplete/scoring.ts';
import { classifyMisses } from './autocomplete/misses.ts';
import { findSourceFiles, sampleOccurrences, type Sample } from './autocomplete/sources.ts';
import { collectAttempts, trainFeatureWeights } from './autocomplete/training.ts';
import { tuneWeights } from './autocomplete/tuning.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const LANGUAGES: Language[] = ['python', 'javascript', 'typescript'];
const FILES_PER_LANGUAGE = 120;
const SAMPLES_PER_FILE = 5;
const REPORT_SEED = 20240501;
const TUNING_SEED = 7;
const TRAINING_FILES = 200;

interface Result {
  samples: number;
  engine: Score;
  baseline: Score;
  baselineAlphabetical: Score;
}

function loadSamples(language: Language, seed: number, files: number, withKeywords = false): Sample[] {
  return sampleOccurrences(findSourceFiles(language, ROOT, files, seed), SAMPLES_PER_FILE, seed + 1, withKeywords);
}

function scoreWith(samples: readonly Sample[], weights: RankingWeights): Omit<Result, 'samples'> {
  return scoreSamples(samples, (code, sample) => completeWithEngine(
    { code, cursorPosition: code.length, language: sample.file.language, limit: 10, clientKey: `bench:${sample.file.path}` }, weights));
}

function formatPercent(value: number): string {
  return `${(value * 100).toFixed(1)}%`.padStart(7);
}

function printTable(results: Record<string, Result>, latency: LatencyReport[]): void {
  const lines = [
    'sampled words        samples attempts | engine top1  top5  saved | baseline top1  top5  saved | ratio | A-Z ties top1 ratio',
    '-------------------- ------- -------- | ----------- ----- ----- | ------------- ----- ----- | ----- | ------------- -----',
  ];
  for (const [label, { samples, engine, baseline, baselineAlphabetical: alphabetical }] of Object.entries(results)) {
    const ratio = (base: Score): string => (base.top1 > 0 ? `${(engine.top1 / base.top1).toFixed(2)}x` : 'n/a');
    lines.push(`${label.padEnd(20)} ${String(samples).padStart(7)} ${String(engine.attempts).padStart(8)} | ` +
      `${formatPercent(engine.top1)}${formatPercent(engine.top5)}${formatPercent(engine.keystrokesSaved)} | ` +
      `${formatPercent(baseline.top1)}${formatPercent(baseline.top5)}${formatPercent(baseline.keystrokesSaved)}   | ${ratio(baseline)} | ` +
      `${formatPercent(alphabetical.top1)}       ${ratio(alphabetical)}`);
  }
  lines.push('', 'latency (ms)                         lines   p50    p99    max');
  for (const report of latency) {
    lines.push(`${report.scenario.padEnd(36)} ${String(report.lines).padStart(5)} ${report.p50.toFixed(2).padStart(6)} ${report.p99.toFixed(2).padStart(6)} ${report.max.toFixed(2).padStart(6)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Samples of files the report does not use, so that what is learned or looked at there keeps the report held out. */
function loadTrainingSamples(language: Language, withKeywords: boolean): Sample[] {
  const reported = new Set(findSourceFiles(language, ROOT, FILES_PER_LANGUAGE, REPORT_SEED).map((file) => file.path));
  return sampleOccurrences(
    findSourceFiles(language, ROOT, TRAINING_FILES * 2, TUNING_SEED).filter((file) => !reported.has(file.path)).slice(0, TRAINING_FILES),
    SAMPLES_PER_FILE, TUNING_SEED + 1, withKeywords);
}

function trainWeights(weights: RankingWeights): RankingWeights {
  const withKeywords = !process.argv.includes('--names-only');
  const perLanguage = LANGUAGES.map((language) => collectAttempts(loadTrainingSamples(language, withKeywords), weights));
  const start = weights.features.default;
  const features: { default: number[] } & Partial<Record<Language, number[]>> = { default: trainFeatureWeights(perLanguage.flat(), start) };
  // TypeScript is JavaScript with types: with `--pool-scripts` it learns from both (it has the fewest attempts).
  const pooled = process.argv.includes('--pool-scripts');
  LANGUAGES.forEach((language, index) => {
    const attempts = pooled && (language === 'typescript' || (language === 'javascript' && process.argv.includes('--pool-both')))
      ? [...perLanguage[LANGUAGES.indexOf('javascript')], ...perLanguage[LANGUAGES.indexOf('typescript')]] : perLanguage[index];
    features[language] = trainFeatureWeights(attempts, start);
    process.stderr.write(`${language}: trained on ${perLanguage[index].length} attempts\n`);
  });
  process.stderr.write(`${JSON.stringify(features)}\n`);
  return { ...weights, features };
}

function main(): void {
  let weights: RankingWeights = { ...DEFAULT_WEIGHTS };
  if (process.argv.includes('--misses')) {
    const report = Object.fromEntries(LANGUAGES.map((language) => [language, classifyMisses(loadTrainingSamples(language, false), weights)]));
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  if (process.argv.includes('--tune')) {
    const tuning = LANGUAGES.flatMap((language) => loadSamples(language, TUNING_SEED, FILES_PER_LANGUAGE / 4));
    weights = tuneWeights(weights, (candidate) => {
      const scores = LANGUAGES.map((language) => scoreWith(tuning.filter((sample) => sample.file.language === language), candidate));
      return scores.reduce((sum, { engine, baseline }) => sum + engine.top1 / Math.max(baseline.top1, 1e-9), 0);
    }, (line) => process.stderr.write(`${line}\n`));
  }
  if (process.argv.includes('--train')) weights = trainWeights(weights);
  const results: Record<string, Result> = {};
  for (const language of LANGUAGES) {
    const samples = loadSamples(language, REPORT_SEED, FILES_PER_LANGUAGE);
    results[language] = { samples: samples.length, ...scoreWith(samples, weights) };
  }
  // Names are what the target is about; everything typed (keywords too) shows the whole picture.
  for (const language of LANGUAGES) {
    const samples = loadSamples(language, REPORT_SEED, FILES_PER_LANGUAGE, true);
    results[`${language} +keywords`] = { samples: samples.length, ...scoreWith(samples, weights) };
  }
  const latency = measureLatency(ROOT);
  process.stdout.write(`${JSON.stringify({ weights, results, latency }, null, 2)}\n\n`);
  printTable(results, latency);
}

main();
