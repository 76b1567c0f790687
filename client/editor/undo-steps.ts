import { EditorState, Transaction, type Extension } from '@codemirror/state';
import * as Y from 'yjs';

/**
 * Edits less than this far apart (ms) may merge into one undo step; the
 * boundaries {@link undoSteps} draws cut steps shorter still. Yjs's
 * default is 500 ms, which merges two lines typed without a pause.
 */
export const UNDO_CAPTURE_MS = 300;

/**
 * A `Y.UndoManager` for one file's text that undoes only this editor's own
 * changes: y-codemirror.next adds its sync origin to the tracked origins,
 * so edits of other people (and of REST) are never undone here.
 */
export function createUndoManager(text: Y.Text): Y.UndoManager {
  return new Y.UndoManager(text, { trackedOrigins: new Set(), captureTimeout: UNDO_CAPTURE_MS });
}

/** What an edit was, for drawing undo boundaries. */
type EditKind = 'word' | 'space' | 'newline' | 'delete' | 'other';

const WORD_CHAR = /[\p{L}\p{N}_]/u;

/**
 * Undo by word and by line, as editors do: a new undo step starts when a
 * word starts after a space or punctuation, at every line break, and when
 * typing turns into deleting (or back). Runs as the transaction is made,
 * before y-codemirror.next writes it to Yjs, so the boundary falls just
 * before the change (`UndoManager.stopCapturing`).
 */
export function undoSteps(undoManager: Y.UndoManager): Extension {
  let previous: EditKind = 'other';
  return EditorState.transactionExtender.of((tr) => {
    // Others' edits arrive without a user event; they neither start nor end a step of ours.
    if (!tr.docChanged || tr.annotation(Transaction.userEvent) === undefined) return null;
    if (tr.isUserEvent('undo') || tr.isUserEvent('redo')) return null;
    if (!tr.isUserEvent('input.type') && !tr.isUserEvent('delete')) {
      // Enter, a paste, a drop, a picked completion, a moved line: a step of its own.
      undoManager.stopCapturing();
      previous = 'other';
      return null;
    }
    const kind = kindOf(tr);
    if (startsStep(previous, kind)) undoManager.stopCapturing();
    previous = kind;
    return null;
  });
}

function startsStep(previous: EditKind, next: EditKind): boolean {
  if (next === 'newline') return true;
  if (next === 'delete') return previous !== 'delete';
  if (previous === 'delete' || previous === 'other' || previous === 'newline') return true;
  // A word starting after spaces or punctuation; spaces after a word stay with it.
  return next === 'word' && previous === 'space';
}

function kindOf(tr: Transaction): EditKind {
  let inserted = '';
  let deleted = false;
  tr.changes.iterChanges((fromA, toA, _fromB, _toB, text) => {
    if (toA > fromA) deleted = true;
    inserted += text.toString();
  });
  if (inserted === '') return deleted ? 'delete' : 'other';
  if (inserted.includes('\n')) return 'newline';
  const first = inserted[0]!;
  if (WORD_CHAR.test(first)) return 'word';
  return 'space';
}
