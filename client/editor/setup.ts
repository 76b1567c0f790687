import { autocompletion, closeBrackets, closeBracketsKeymap, completeAnyWord, type CompletionSource } from '@codemirror/autocomplete';
import { defaultKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, foldGutter, foldKeymap, indentOnInput } from '@codemirror/language';
import { highlightSelectionMatches, search, searchKeymap } from '@codemirror/search';
import { EditorState, type Extension } from '@codemirror/state';
import {
  crosshairCursor,
  drawSelection,
  dropCursor,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  rectangularSelection,
} from '@codemirror/view';

/** Options of {@link editorSetup}. */
export interface EditorSetupOptions {
  /** The completion source beside the language's own; default the words of the document. */
  completionSource?: CompletionSource;
}

/**
 * What CodeMirror's `basicSetup` gives (line numbers, folding, bracket
 * matching and closing, auto-indent, search and replace, multiple and
 * rectangular selections, completion) without its undo history: undo is
 * the Yjs undo manager's, so that it only undoes this user's edits.
 */
export function editorSetup(options: EditorSetupOptions = {}): Extension {
  const source = options.completionSource ?? completeAnyWord;
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    foldGutter(),
    drawSelection(),
    dropCursor(),
    EditorState.allowMultipleSelections.of(true),
    indentOnInput(),
    bracketMatching(),
    closeBrackets(),
    // Added as language data, so the language's own sources still apply.
    EditorState.languageData.of(() => [{ autocomplete: source }]),
    // Adds the completion keymap (Ctrl-Space, arrows, Enter, Escape) itself.
    autocompletion({ activateOnTypingDelay: 80, updateSyncTime: 120 }),
    rectangularSelection(),
    crosshairCursor(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    search({ top: true }),
    keymap.of([
      ...closeBracketsKeymap,
      ...defaultKeymap,
      ...searchKeymap,
      ...foldKeymap,
      indentWithTab,
    ]),
  ];
}
