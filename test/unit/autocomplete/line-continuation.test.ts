import { describe, expect, it } from 'vitest';
import { completeAt } from './complete-at.ts';

describe('multi-token ghost suggestions', () => {
  it('completes the main guard from the built-in corpus', () => {
    const answer = completeAt('def main():\n    pass\n\nif __name__|', 'python');
    expect(answer.suggestion).toBe(' == "__main__":');
    expect(answer.type).toBe('line');
    expect(answer.items[0]).toMatchObject({ kind: 'line', insertText: '__name__ == "__main__":' });
  });

  it('continues after a space too', () => {
    expect(completeAt('def main():\n    pass\n\nif __name__ |', 'python').suggestion).toBe('== "__main__":');
  });

  it('extends the best word with what followed it before in the document', () => {
    const answer = completeAt(
      'logger.info(message, extra=context)\nlogger.info(message, extra=context)\nlogger.in|',
      'python',
    );
    expect(answer.items[0].label).toBe('info');
    // In the list the line takes the last slot; as ghost text it extends the best word.
    expect(answer.items.find((item) => item.kind === 'line')?.insertText).toBe('info(message, extra=context)');
    expect(answer.suggestion).toBe('fo(message, extra=context)');
  });

  it('does not invent a continuation the sources disagree on', () => {
    const answer = completeAt('total = first + 1\ntotal = second * 2\ntotal = third - 3\ntotal|', 'python');
    expect(answer.items.some((item) => item.kind === 'line' && item.insertText.length > 'total = '.length + 2)).toBe(false);
  });
});
