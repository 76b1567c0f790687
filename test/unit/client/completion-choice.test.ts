import fc from 'fast-check';
import { EditorState } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import { preselectedIndex, typedWordBefore } from '../../../client/editor/completion-choice.ts';

describe('preselectedIndex', () => {
  it('preselects the first item only when it continues the typed word', () => {
    // The cases of issue 13: a fuzzy builtin first must not be preselected.
    expect(preselectedIndex(['SystemExit', 'sys'], 'sys')).toBe(-1);
    expect(preselectedIndex(['ConnectionRefusedError'], 'continue')).toBe(-1);
    expect(preselectedIndex(['breakpoint', 'break'], 'break')).toBe(0);
    expect(preselectedIndex(['break'], 'break')).toBe(-1);
    expect(preselectedIndex(['import'], 'imp')).toBe(0);
    expect(preselectedIndex(['Import'], 'imp')).toBe(-1);
    expect(preselectedIndex(['filter'], '')).toBe(-1);
    expect(preselectedIndex([], 'x')).toBe(-1);
  });

  it('holds for any labels and word', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), fc.string(), (labels, word) => {
        const index = preselectedIndex(labels, word);
        const first = labels[0];
        const continues = word !== '' && first !== undefined && first.startsWith(word) && first !== word;
        expect(index).toBe(continues ? 0 : -1);
      }),
    );
  });
});

describe('typedWordBefore', () => {
  it('is the identifier part before the cursor on its line', () => {
    const state = EditorState.create({ doc: 'import sys\nx = $el.fo' });
    expect(typedWordBefore(state, 'import sys'.length)).toBe('sys');
    expect(typedWordBefore(state, state.doc.length)).toBe('fo');
    expect(typedWordBefore(state, 'import sys\n'.length)).toBe('');
    expect(typedWordBefore(state, 'import sys\nx = $el'.length)).toBe('$el');
  });
});
