import { describe, expect, it } from 'vitest';
import { completeAt, labelsOf } from './complete-at.ts';

describe('ranking of identifiers', () => {
  it('ranks a name used often and lately above one used once long ago', () => {
    const filler = Array.from({ length: 40 }, (_, index) => `other_${index} = ${index}`).join('\n');
    const answer = completeAt(`alphabet = 1\nalpha = 2\n${filler}\nalpha += alpha * alpha\nx = al|`, 'python');
    expect(labelsOf(answer).slice(0, 2)).toEqual(['alpha', 'alphabet']);
  });

  it('ranks a name used nearby above an equally frequent one far away', () => {
    const filler = Array.from({ length: 300 }, (_, index) => `other_${index} = ${index}`).join('\n');
    const answer = completeAt(`remote_value = 1\n${filler}\nrecent_value = 2\nprint(re|`, 'python');
    expect(answer.items[0].label).toBe('recent_value');
  });

  it('learns what follows the previous tokens', () => {
    const answer = completeAt(
      'raise ValueError("a")\nraise ValueError("b")\nvalidate = 1\nvalidate = 2\nvalidate = 3\nraise V|',
      'python',
    );
    expect(answer.items[0].label).toBe('ValueError');
  });

  it('offers a name being defined that the code used but never defined', () => {
    const answer = completeAt('def run():\n    return parse_args(read_input())\n\ndef pa|', 'python');
    expect(answer.items[0].label).toBe('parse_args');
  });

  it('scores are ranked and confidence is within 0..1', () => {
    const answer = completeAt('count = 1\ncounter = 2\ncountry = 3\nc|', 'python');
    const scores = answer.items.map((item) => item.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(answer.confidence).toBeGreaterThan(0);
    expect(answer.confidence).toBeLessThanOrEqual(1);
  });

  it('gives the same answer whether or not the parse is incremental', async () => {
    const { completeLocally } = await import('../../../server/autocomplete/index.ts');
    const code = 'import os\nclass A:\n    def f(self):\n        self.value = os.getcwd()\n        return self.v';
    const fresh = completeLocally({ code, cursorPosition: code.length, language: 'python', limit: 10 });
    completeLocally({ code: code.slice(0, 40), cursorPosition: 40, language: 'python', limit: 10, clientKey: 'incremental' });
    const incremental = completeLocally({ code, cursorPosition: code.length, language: 'python', limit: 10, clientKey: 'incremental' });
    expect(incremental).toEqual(fresh);
  });

  it('gives the same answer after edits at two places at once (the incremental parse splits the change)', async () => {
    const { completeLocally } = await import('../../../server/autocomplete/index.ts');
    const body = Array.from({ length: 30 }, (_, index) => `    total_${index} = compute(value_${index}, "text")`).join('\n');
    const first = `def run(value):\n${body}\n    return tot`;
    const second = first.replace('def run(value)', 'def run(values)').replace('return tot', 'return tota');
    completeLocally({ code: first, cursorPosition: first.length, language: 'python', limit: 10, clientKey: 'two-sites' });
    const incremental = completeLocally({ code: second, cursorPosition: second.length, language: 'python', limit: 10, clientKey: 'two-sites' });
    expect(incremental).toEqual(completeLocally({ code: second, cursorPosition: second.length, language: 'python', limit: 10 }));
  });
});
