import { completeLocally } from '../../../server/autocomplete/index.ts';
import { createRandom } from '../../support/random.ts';
import { findSourceFiles, type BenchLanguage, type SourceFile } from './sources.ts';
import { tokenizeDocument } from '../../../server/autocomplete/tokenize.ts';

/** Latency percentiles of one scenario, in milliseconds. */
export interface LatencyReport {
  scenario: string;
  file: string;
  lines: number;
  requests: number;
  p50: number;
  p99: number;
  max: number;
}

const TARGET_LINES = 2000;

function findFileNear(language: BenchLanguage, root: string): SourceFile {
  // Timing learns nothing from the file, so either side of the split will do.
  const files = (['reported', 'held-out'] as const).flatMap((split) => findSourceFiles(language, root, { count: 400, seed: 1, split, perPackage: Infinity }));
  const lines = (file: SourceFile): number => file.code.split('\n').length;
  return files.sort((a, b) => Math.abs(lines(a) - TARGET_LINES) - Math.abs(lines(b) - TARGET_LINES) || (a.path < b.path ? -1 : 1))[0];
}

function computePercentile(sorted: readonly number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))];
}

function summarize(scenario: string, file: SourceFile, timings: number[]): LatencyReport {
  const sorted = [...timings].sort((a, b) => a - b);
  const round = (value: number): number => Number(value.toFixed(3));
  return {
    scenario, file: file.path, lines: file.code.split('\n').length, requests: timings.length,
    p50: round(computePercentile(sorted, 0.5)), p99: round(computePercentile(sorted, 0.99)), max: round(sorted[sorted.length - 1]),
  };
}

/**
 * Times the engine on a ~2,000-line file per language: typing identifiers
 * one keystroke at a time at 80 places (each keystroke one request, as an
 * editor sends them), and cold requests that share nothing with the last.
 */
export function measureLatency(root: string): LatencyReport[] {
  const reports: LatencyReport[] = [];
  for (const language of ['python', 'typescript', 'c', 'shell'] as const) {
    const file = findFileNear(language, root);
    const random = createRandom(99);
    const identifiers = tokenizeDocument(file.code, language, 'latency-sampling').filter((token) => token.category === 'ident');
    const sites = Array.from({ length: 80 }, () => identifiers[Math.floor(random() * identifiers.length)]);
    const typing: number[] = [];
    // The editor asks once when the document opens: that first full parse is the cold figure below, not typing.
    for (let warm = 0; warm < 5; warm++) {
      completeLocally({ code: file.code, cursorPosition: sites[warm].to, language, limit: 10, clientKey: `latency:${language}` });
    }
    for (const site of sites) {
      const rest = file.code.slice(site.to);
      for (let typed = 1; typed <= site.text.length; typed++) {
        const code = file.code.slice(0, site.from) + site.text.slice(0, typed) + rest;
        const started = performance.now();
        completeLocally({ code, cursorPosition: site.from + typed, language, limit: 10, clientKey: `latency:${language}` });
        typing.push(performance.now() - started);
      }
    }
    reports.push(summarize(`${language}: typing (keystrokes)`, file, typing));
    const cold: number[] = [];
    for (const [index, site] of sites.slice(0, 20).entries()) {
      const started = performance.now();
      completeLocally({ code: file.code, cursorPosition: site.to, language, limit: 10, clientKey: `cold:${language}:${index}` });
      cold.push(performance.now() - started);
    }
    reports.push(summarize(`${language}: cold (full parse)`, file, cold));
  }
  return reports;
}
