import { describe, expect, it } from 'vitest';
import { completeAt, labelsOf } from './complete-at.ts';

describe('at the start of a statement', () => {
  it('offers the keyword first, then its snippet', () => {
    const answer = completeAt('def load(path):\n    return path\n\nwh|', 'python');
    expect(answer.items[0]).toMatchObject({ label: 'while', kind: 'keyword' });
    const snippet = answer.items.find((item) => item.kind === 'snippet');
    expect(snippet?.insertText).toBe('while ${1:condition}:\n    ${0:pass}');
  });

  it('offers def rather than a function name from the file', () => {
    const answer = completeAt('def calculate(x):\n    return x\n\nde|', 'python');
    expect(answer.items[0].label).toBe('def');
    expect(labelsOf(answer)).toContain('def …');
  });

  it('offers JavaScript statement keywords after a semicolon', () => {
    const answer = completeAt('let count = 0; ret|', 'javascript');
    expect(answer.items[0]).toMatchObject({ label: 'return', kind: 'keyword' });
  });

  it('does not offer snippets in the middle of an expression', () => {
    const answer = completeAt('wherever = 1\nvalue = 2 + wh|', 'python');
    expect(answer.items.some((item) => item.kind === 'snippet')).toBe(false);
    expect(answer.items[0].label).toBe('wherever');
  });
});
