import { closeCompletion, completionStatus, currentCompletions, selectedCompletionIndex } from '@codemirror/autocomplete';
import { Prec, StateEffect, StateField, type EditorState, type Extension } from '@codemirror/state';
import { Decoration, EditorView, ViewPlugin, WidgetType, keymap, type DecorationSet, type ViewUpdate } from '@codemirror/view';
import { typedWordBefore } from './completion-choice.ts';
import { ghostTextFor } from './suggestion.ts';
import type { SuggestionClient } from './suggestion-client.ts';
import { suggestsByItselfAt } from './suggestion-context.ts';

/** Options of {@link ghostText}. */
export interface GhostTextOptions {
  /** Typing pause after which a suggestion is fetched, in ms; default 450. */
  pauseMs?: number;
  /** Answers below this confidence (0..1) are not shown; default 0.15. */
  minConfidence?: number;
}

/** A ghost suggestion: `text` shown greyed at `pos`. */
export interface Ghost {
  pos: number;
  text: string;
}

const setGhost = StateEffect.define<Ghost | null>();

class GhostWidget extends WidgetType {
  constructor(readonly text: string) {
    super();
  }
  override eq(other: GhostWidget): boolean {
    return other.text === this.text;
  }
  toDOM(): HTMLElement {
    const span = document.createElement('span');
    span.className = 'cm-ghostText';
    span.textContent = this.text;
    span.setAttribute('aria-hidden', 'true');
    return span;
  }
  override ignoreEvent(): boolean {
    return false;
  }
}

const ghostField = StateField.define<Ghost | null>({
  create: () => null,
  update(ghost, tr) {
    for (const effect of tr.effects) if (effect.is(setGhost)) return effect.value;
    if (!ghost) return null;
    if (tr.docChanged) {
      if (tr.isUserEvent('input.type')) {
        // Typing the next characters of the suggestion keeps the rest of it.
        let typed = '';
        let atGhost = true;
        tr.changes.iterChanges((fromA, toA, _fromB, _toB, inserted) => {
          if (fromA !== ghost.pos || toA !== fromA) atGhost = false;
          typed += inserted.toString();
        });
        if (atGhost && typed !== '' && typed.length < ghost.text.length && ghost.text.startsWith(typed)) {
          return { pos: ghost.pos + typed.length, text: ghost.text.slice(typed.length) };
        }
        return null;
      }
      if (tr.isUserEvent('input') || tr.isUserEvent('delete') || tr.isUserEvent('undo') || tr.isUserEvent('redo')) return null;
      // A remote edit elsewhere moves the suggestion along; one at the cursor drops it.
      let touched = false;
      tr.changes.iterChangedRanges((fromA, toA) => {
        if (fromA <= ghost.pos && ghost.pos <= toA) touched = true;
      });
      return touched ? null : { pos: tr.changes.mapPos(ghost.pos), text: ghost.text };
    }
    const main = tr.state.selection.main;
    if (tr.state.selection.ranges.length !== 1 || !main.empty || main.head !== ghost.pos) return null;
    return ghost;
  },
});

/**
 * The ghost text shown now, agreeing with the completion list: while the
 * list is open with an item selected, the rest of that item; while it is
 * open with none selected, only a suggestion that does not continue the
 * typed word (` == "__main__":`); while it is closed, the server's
 * suggestion.
 */
export function visibleGhost(state: EditorState): Ghost | null {
  const ghost = state.field(ghostField, false) ?? null;
  if (completionStatus(state) !== 'active') return ghost;
  const selection = state.selection;
  const index = selectedCompletionIndex(state);
  if (index === null || index < 0) return ghost && !/^[\w$]/.test(ghost.text) ? ghost : null;
  const option = currentCompletions(state)[index];
  if (!option || selection.ranges.length !== 1 || !selection.main.empty) return null;
  if (option.apply !== undefined && option.apply !== option.label) return null;
  const pos = selection.main.head;
  const word = typedWordBefore(state, pos);
  if (option.label.length <= word.length || !option.label.startsWith(word)) return null;
  return { pos, text: option.label.slice(word.length) };
}

function ghostDecorations(ghost: Ghost | null): DecorationSet {
  return ghost ? Decoration.set([Decoration.widget({ widget: new GhostWidget(ghost.text), side: 1 }).range(ghost.pos)]) : Decoration.none;
}

const ghostView = ViewPlugin.fromClass(
  class {
    ghost: Ghost | null;
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.ghost = visibleGhost(view.state);
      this.decorations = ghostDecorations(this.ghost);
    }
    update(update: ViewUpdate): void {
      const ghost = visibleGhost(update.state);
      if (ghost?.pos === this.ghost?.pos && ghost?.text === this.ghost?.text) return;
      this.ghost = ghost;
      this.decorations = ghostDecorations(ghost);
    }
  },
  { decorations: (plugin) => plugin.decorations },
);

/** Inserts the ghost suggestion (Tab). Returns false when there is none, so Tab indents. */
export function acceptGhostText(view: EditorView): boolean {
  const ghost = visibleGhost(view.state);
  if (!ghost) return false;
  closeCompletion(view);
  view.dispatch({
    changes: { from: ghost.pos, insert: ghost.text },
    selection: { anchor: ghost.pos + ghost.text.length },
    effects: setGhost.of(null),
    userEvent: 'input.complete',
    scrollIntoView: true,
  });
  return true;
}

/** Hides the ghost suggestion (Escape). Returns false so Escape also closes the completion list. */
export function dismissGhostText(view: EditorView): boolean {
  if (view.state.field(ghostField, false)) view.dispatch({ effects: setGhost.of(null) });
  return false;
}

/** The current ghost suggestion, for tests and status displays. */
export function currentGhostText(view: EditorView): string | undefined {
  return visibleGhost(view.state)?.text;
}

/**
 * Inline "ghost" suggestions: after a short pause in typing, the best
 * answer of the autocomplete endpoint is shown greyed after the cursor (or
 * the rest of the list's selected item, see {@link visibleGhost}); Tab
 * accepts it and indents when there is none, Escape dismisses it, typing on
 * it consumes it. Requests are aborted when typing resumes and failures are
 * silent.
 */
export function ghostText(client: SuggestionClient, options: GhostTextOptions = {}): Extension {
  const pauseMs = options.pauseMs ?? 450;
  const minConfidence = options.minConfidence ?? 0.15;

  const requester = ViewPlugin.fromClass(
    class {
      timer: ReturnType<typeof setTimeout> | undefined;
      controller: AbortController | undefined;

      constructor(readonly view: EditorView) {}

      update(update: ViewUpdate): void {
        if (update.docChanged || update.selectionSet) this.cancel();
        const typed = update.transactions.some((tr) => tr.isUserEvent('input.type') || tr.isUserEvent('delete.backward'));
        if (typed && !update.state.field(ghostField)) this.timer = setTimeout(() => void this.fetch(), pauseMs);
      }

      async fetch(): Promise<void> {
        const state = this.view.state;
        const selection = state.selection;
        if (selection.ranges.length !== 1 || !selection.main.empty) return;
        const pos = selection.main.head;
        // Only where the text would not cover anything: at the end of a line
        // or before closing brackets and quotes; never in comments, strings,
        // blank lines or after a closing bracket.
        const rest = state.sliceDoc(pos, state.doc.lineAt(pos).to);
        if (!/^[\s)\]}'"`;,]*$/.test(rest) || !suggestsByItselfAt(state, pos)) return;
        const controller = new AbortController();
        this.controller = controller;
        const answer = await client.request(state, pos, controller.signal, false);
        if (!answer || controller.signal.aborted || this.view.state.doc !== state.doc) return;
        if (this.view.state.selection.main.head !== pos) return;
        const text = ghostTextFor(answer, pos, minConfidence, rest);
        if (text) this.view.dispatch({ effects: setGhost.of({ pos, text }) });
      }

      cancel(): void {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.controller?.abort();
        this.controller = undefined;
      }

      destroy(): void {
        this.cancel();
      }
    },
  );

  return [
    ghostField,
    ghostView,
    requester,
    Prec.highest(keymap.of([
      { key: 'Tab', run: acceptGhostText },
      { key: 'Escape', run: dismissGhostText },
    ])),
  ];
}
