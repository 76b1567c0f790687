import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../../shared/protocol.ts';
import { completeAt } from './complete-at.ts';

const WORDS = Array.from({ length: 80 }, (_, index) => `name_${index} = ${index}`).join('\n');

describe('limits', () => {
  it('returns at most limit items', () => {
    expect(completeAt(`${WORDS}\nna|`, 'python', 3).items).toHaveLength(3);
    expect(completeAt(`${WORDS}\nna|`, 'python', 50).items).toHaveLength(50);
  });

  it('answers empty at the start of an empty document', () => {
    expect(completeAt('|', 'plaintext')).toEqual({ suggestion: '', confidence: 0, type: 'identifier', from: 0, to: 0, items: [] });
  });

  it('answers empty when no word starts with what is typed', () => {
    const answer = completeAt('alpha beta\nqqq|', 'plaintext');
    expect(answer).toMatchObject({ suggestion: '', items: [], confidence: 0, from: 14, to: 14 });
  });

  it('handles a cursor in the middle of the document', () => {
    const answer = completeAt('value = 1\nprint(va|)\nvariance = 2', 'python');
    expect(answer.items.map((item) => item.label)).toEqual(expect.arrayContaining(['value', 'variance']));
    expect(answer.to).toBe(18);
  });
});

describe('languages', () => {
  it('completes an unknown language as plaintext', () => {
    const answer = completeAt('klingon qapla batlh\nqa|', 'klingon');
    expect(answer.items[0]).toMatchObject({ label: 'qapla', kind: 'identifier' });
  });

  it.each(LANGUAGES)('completes a word in %s', (language) => {
    const answer = completeAt('greeting = 1; grocery = 2; greeting = 3\ngr|', language);
    expect(answer.items.map((item) => item.label)).toContain('greeting');
  });
});
