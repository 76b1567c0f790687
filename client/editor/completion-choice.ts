import {
  closeCompletion,
  completionStatus,
  currentCompletions,
  selectedCompletionIndex,
  setSelectedCompletion,
  startCompletion,
} from '@codemirror/autocomplete';
import { insertNewlineAndIndent } from '@codemirror/commands';
import { Prec, StateEffect, StateField, type EditorState, type Extension } from '@codemirror/state';
import { EditorView, ViewPlugin, keymap, type ViewUpdate } from '@codemirror/view';

const markPicked = StateEffect.define<null>();

/**
 * Whether the person chose to use the open completion list: opened it with
 * Ctrl+Space or moved its selection. Only then does Enter accept an item;
 * cleared when the list closes.
 */
const pickedField = StateField.define<boolean>({
  create: () => false,
  update(picked, tr) {
    if (tr.effects.some((effect) => effect.is(markPicked))) return true;
    return picked && completionStatus(tr.state) !== null;
  },
});

/** True when the person opened the list with Ctrl+Space or moved its selection. */
export function completionPicked(state: EditorState): boolean {
  return state.field(pickedField, false) ?? false;
}

/** The word being typed before `pos` (letters, digits, `_`, `$`), or "". */
export function typedWordBefore(state: EditorState, pos: number): string {
  const line = state.doc.lineAt(pos);
  return /[\w$]*$/.exec(state.sliceDoc(Math.max(line.from, pos - 100), pos))?.[0] ?? '';
}

/**
 * The index the list should preselect when the person has not picked:
 * the first item, only when it starts with the typed word (case-sensitive)
 * and is not that word itself; otherwise none (-1).
 */
export function preselectedIndex(labels: readonly string[], word: string): number {
  const first = labels[0];
  return word !== '' && first !== undefined && first !== word && first.startsWith(word) ? 0 : -1;
}

const openList = (view: EditorView): boolean => {
  view.dispatch({ effects: markPicked.of(null) });
  return startCompletion(view);
};

/** Arrow and page keys over an open list: mark the choice, then let the list's own keymap move. */
const noteMove = (view: EditorView): boolean => {
  if (completionStatus(view.state) === 'active' && !completionPicked(view.state)) view.dispatch({ effects: markPicked.of(null) });
  return false;
};

/** Enter over a list the person did not pick from: close it and insert the newline. */
const enterUnlessPicked = (view: EditorView): boolean => {
  if (completionStatus(view.state) === null || completionPicked(view.state)) return false;
  closeCompletion(view);
  return insertNewlineAndIndent(view);
};

// Sets the selection the rule above asks for after each list change; a
// dispatch is not allowed inside an update, hence the microtask.
const preselection = ViewPlugin.fromClass(
  class {
    scheduled = false;
    constructor(readonly view: EditorView) {}
    update(update: ViewUpdate): void {
      if (this.scheduled || currentCompletions(update.state) === currentCompletions(update.startState)) return;
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        this.apply();
      });
    }
    apply(): void {
      const state = this.view.state;
      if (completionStatus(state) !== 'active') return;
      const options = currentCompletions(state);
      const selected = selectedCompletionIndex(state) ?? -1;
      const wanted = completionPicked(state)
        ? Math.max(selected, 0)
        : preselectedIndex(options.map((option) => option.label), typedWordBefore(state, state.selection.main.head));
      if (wanted !== selected) this.view.dispatch({ effects: setSelectedCompletion(wanted) });
    }
  },
);

/**
 * The list never changes what was typed unless the person chose to: no
 * item is selected on opening (see {@link preselectedIndex}), and Enter
 * inserts a newline unless the list was opened with Ctrl+Space or its
 * selection moved. Goes before the completion keymap.
 */
export function completionChoice(): Extension {
  return [
    pickedField,
    EditorView.contentAttributes.compute([pickedField], (state) => ({ 'data-completion-picked': String(state.field(pickedField)) })),
    preselection,
    Prec.highest(keymap.of([
      { key: 'Ctrl-Space', run: openList },
      { mac: 'Alt-`', run: openList },
      { key: 'ArrowDown', run: noteMove },
      { key: 'ArrowUp', run: noteMove },
      { key: 'PageDown', run: noteMove },
      { key: 'PageUp', run: noteMove },
      { key: 'Enter', run: enterUnlessPicked },
    ])),
  ];
}
