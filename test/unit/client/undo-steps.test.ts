import { EditorState, type TransactionSpec } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createUndoManager, undoSteps } from '../../../client/editor/undo-steps.ts';

// The editor's changes reach Yjs the way y-codemirror.next writes them:
// after the transaction is made, under an origin the undo manager tracks.
// Every key here comes within the capture time of the one before, so only
// the boundaries undoSteps draws can split the steps.
function typist() {
  const doc = new Y.Doc();
  const text = doc.getText('code');
  const undoManager = createUndoManager(text);
  const origin = { editor: true };
  undoManager.addTrackedOrigin(origin);
  let state = EditorState.create({ extensions: undoSteps(undoManager) });
  const dispatch = (spec: TransactionSpec) => {
    const tr = state.update(spec);
    state = tr.state;
    doc.transact(() => {
      tr.changes.iterChanges((fromA, toA, fromB, _toB, inserted) => {
        if (toA > fromA) text.delete(fromB, toA - fromA);
        if (inserted.length) text.insert(fromB, inserted.toString());
      });
    }, origin);
  };
  return {
    text,
    undoManager,
    type(keys: string) {
      for (const key of keys) {
        const at = state.selection.main.head;
        dispatch({ changes: { from: at, insert: key }, selection: { anchor: at + 1 }, userEvent: 'input.type' });
      }
    },
    backspace(times: number) {
      for (let i = 0; i < times; i++) {
        const at = state.selection.main.head;
        dispatch({ changes: { from: at - 1, to: at }, selection: { anchor: at - 1 }, userEvent: 'delete.backward' });
      }
    },
    paste(value: string) {
      const at = state.selection.main.head;
      dispatch({ changes: { from: at, insert: value }, selection: { anchor: at + value.length }, userEvent: 'input.paste' });
    },
    /** Texts after each undo until nothing is left to undo. */
    undoAll(): string[] {
      const seen: string[] = [];
      while (undoManager.undoStack.length > 0) {
        undoManager.undo();
        seen.push(text.toString());
      }
      return seen;
    },
  };
}

describe('undo steps', () => {
  it('are words and lines, not bursts of typing', () => {
    const person = typist();
    person.type('alpha = beta + gamma\ndelta = epsilon');
    expect(person.undoAll()).toEqual([
      'alpha = beta + gamma\ndelta = ',
      'alpha = beta + gamma\n',
      'alpha = beta + gamma',
      'alpha = beta + ',
      'alpha = ',
      '',
    ]);
  });

  it('keep a run of deletions together, apart from the typing around it', () => {
    const person = typist();
    person.type('hello');
    person.backspace(3);
    person.type('p');
    expect(person.undoAll()).toEqual(['he', 'hello', '']);
  });

  it('make a paste a step of its own', () => {
    const person = typist();
    person.type('a');
    person.paste('bcd');
    person.type('e');
    expect(person.undoAll()).toEqual(['abcd', 'a', '']);
  });
});
