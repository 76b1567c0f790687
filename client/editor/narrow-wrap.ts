import { StateEffect } from '@codemirror/state';
import { EditorView } from '@codemirror/view';

/** Windows at most this wide (px) wrap long lines: on a phone, scrolling sideways loses the code's shape. */
export const NARROW_MAX_WIDTH = 640;

/** Turns on line wrapping when the window is phone-narrow (as it is on load). */
export function wrapLinesWhenNarrow(view: EditorView, matches = window.matchMedia(`(max-width: ${NARROW_MAX_WIDTH}px)`).matches): void {
  if (matches) view.dispatch({ effects: StateEffect.appendConfig.of(EditorView.lineWrapping) });
}
