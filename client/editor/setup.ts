import { autocompletion, closeBrackets, closeBracketsKeymap, completeAnyWord, type CompletionSource } from '@codemirror/autocomplete';
import { completionChoice } from './completion-choice.ts';
import { keywordCompletionSource } from './keyword-completions.ts';
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
  /** The completion source beside the keywords and the language's own; default the words of the document. */
  completionSource?: CompletionSource;
}

/**
 * The completion list: opening by itself while typing when
 * `whileTyping`, else only on Ctrl+Space; nothing selected on opening
 * and Enter a newline unless the person picks (see `completion-choice.ts`).
 */
export function completionList(whileTyping: boolean): Extension {
  return [
    completionChoice(),
    // Adds the completion keymap (Ctrl-Space, arrows, Enter, Escape) itself.
    autocompletion({ activateOnTyping: whileTyping, selectOnOpen: false, activateOnTypingDelay: 80, updateSyncTime: 120 }),
  ];
}

/**
 * What CodeMirror's `basicSetup` gives (line numbers, folding, bracket
 * matching and closing, auto-indent, search and replace, multiple and
 * rectangular selections, completion sources) without its undo history:
 * undo is the Yjs undo manager's, so that it only undoes this user's edits.
 * The list itself is {@link completionList}, kept apart so it can be
 * reconfigured.
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
    // Added as language data, so the language's own sources still apply
    // (Python and JavaScript are loaded without theirs: see languages.ts).
    EditorState.languageData.of(() => [{ autocomplete: keywordCompletionSource }, { autocomplete: source }]),
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
