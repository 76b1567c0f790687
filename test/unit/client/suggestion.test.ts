import { describe, expect, it } from 'vitest';
import { MAX_GHOST_LINES, completionIconType, ghostTextFor, hasSnippetFields } from '../../../client/editor/suggestion.ts';

describe('ghostTextFor', () => {
  // Answers as the server gives them: `suggestion` is inserted at the cursor.
  const cursor = 'def calc'.length;
  const answer = (suggestion: string, confidence = 0.8) => ({ suggestion, confidence, to: cursor });

  it('shows the rest of the word being typed', () => {
    expect(ghostTextFor(answer('ulate_total'), cursor, 0.2)).toBe('ulate_total');
  });

  it('shows a continuation as is, even when it repeats the typed letters', () => {
    expect(ghostTextFor(answer(' == "__main__":'), cursor, 0.2)).toBe(' == "__main__":');
    expect(ghostTextFor(answer('calc_more'), cursor, 0.2)).toBe('calc_more');
  });

  it('shows nothing for empty or unconfident answers', () => {
    expect(ghostTextFor(answer(''), cursor, 0.2)).toBeUndefined();
    expect(ghostTextFor(answer('ulate', 0.1), cursor, 0.2)).toBeUndefined();
    expect(ghostTextFor(answer('   \n  '), cursor, 0.2)).toBeUndefined();
  });

  it('shows nothing for an answer about another cursor position', () => {
    expect(ghostTextFor({ suggestion: 'ulate', confidence: 0.9, to: cursor - 1 }, cursor, 0.2)).toBeUndefined();
  });

  it('caps the number of lines and trims trailing whitespace', () => {
    const text = ghostTextFor(answer('ulate():\n' + '    x\n'.repeat(20)), cursor, 0.2);
    expect(text?.split('\n')).toHaveLength(MAX_GHOST_LINES);
    expect(text?.endsWith(' ')).toBe(false);
  });
});

describe('completion helpers', () => {
  it('maps kinds to CodeMirror icons', () => {
    expect(completionIconType('member')).toBe('property');
    expect(completionIconType('identifier')).toBe('variable');
    expect(completionIconType('keyword')).toBe('keyword');
  });

  it('recognises snippet fields', () => {
    expect(hasSnippetFields('for ${1:item} in ${2:items}:\n    ${3:pass}')).toBe(true);
    expect(hasSnippetFields('print(')).toBe(false);
  });
});

describe('ghostTextFor before other text on the line', () => {
  it('shows only the rest of the word, never punctuation that would clash', () => {
    const cursor = 'console.log(fi'.length;
    const answer = { suggestion: 'le) {', confidence: 0.9, to: cursor };
    expect(ghostTextFor(answer, cursor, 0.2, ')')).toBe('le');
    expect(ghostTextFor(answer, cursor, 0.2, '')).toBe('le) {');
    expect(ghostTextFor({ ...answer, suggestion: ') {' }, cursor, 0.2, ')')).toBeUndefined();
  });
});
