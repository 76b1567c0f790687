/**
 * Why the engine's top item was not the wanted name: the name absent from
 * the code before the cursor (nowhere, or only in strings and comments,
 * which the engine does not mine as code), or present and ranked below; per context
 * kind. Run by the bench's `--misses` on the held-out packages (never the reported ones).
 */
import { readCursorContext } from '../../../server/autocomplete/context.ts';
import { completeWithEngine } from '../../../server/autocomplete/engine.ts';
import type { RankingWeights } from '../../../server/autocomplete/ranking-weights.ts';
import { tokenizeDocument } from '../../../server/autocomplete/tokenize.ts';
import { countWords, rankBaseline } from './baseline.ts';
import type { Sample } from './sources.ts';

/** Counts of attempts, hits and misses by `context/presence/place`. */
export type MissReport = Record<string, number>;

function escapeRegExp(text: string): string {
  return text.replace(/[$^\\.*+?()[\]{}|]/g, '\\$&');
}

/** Replays `samples` (1-3 typed characters) and tallies the engine's top-1 misses by cause. */
export function classifyMisses(samples: readonly Sample[], weights: RankingWeights): MissReport {
  const report: MissReport = { attempts: 0, hits: 0, baselineHits: 0 };
  const count = (key: string): void => {
    report[key] = (report[key] ?? 0) + 1;
  };
  for (const sample of samples) {
    const { language, path } = sample.file;
    const before = sample.file.code.slice(0, sample.offset);
    const prior = tokenizeDocument(before, language, `misses:${path}`);
    const inCode = prior.some((token) => token.category !== 'string' && token.category !== 'comment' && token.text === sample.target);
    const inText = new RegExp(`(^|[^\\p{L}\\p{N}_$])${escapeRegExp(sample.target)}([^\\p{L}\\p{N}_$]|$)`, 'u').test(before);
    const presence = inCode ? 'in-code' : inText ? 'text-only' : 'absent';
    const words = countWords(before);
    for (let typed = 1; typed <= 3 && typed < sample.target.length; typed++) {
      const code = before + sample.target.slice(0, typed);
      report.attempts++;
      if (rankBaseline(words, sample.target.slice(0, typed), 1)[0] === sample.target) count('baselineHits');
      const answer = completeWithEngine({ code, cursorPosition: code.length, language, limit: 10, clientKey: `misses:${path}` }, weights);
      const labels = answer.items.map((item) => item.insertText);
      if (labels[0] === sample.target) {
        report.hits++;
        continue;
      }
      const { kind } = readCursorContext(code, tokenizeDocument(code, language, `misses:${path}`), code.length, language);
      const rank = labels.indexOf(sample.target);
      count(`miss/${presence}`);
      count(`miss/${kind}/${presence}/${rank < 0 ? 'unlisted' : rank < 5 ? 'top5' : 'top10'}`);
    }
  }
  return report;
}
