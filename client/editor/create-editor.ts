import { indentUnit } from '@codemirror/language';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next';
import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Language } from '../../shared/protocol.ts';
import type { Theme } from '../theme-preference.ts';
import { remoteCursors } from '../presence/remote-cursors.ts';
import { ghostText } from './ghost-text.ts';
import { detectIndentUnit } from './indentation.ts';
import { loadLanguageSupport } from './languages.ts';
import { mergedCompletionSource } from './remote-completions.ts';
import { editorLanguage } from './editor-language.ts';
import { completionList, editorSetup } from './setup.ts';
import type { SuggestionClient } from './suggestion-client.ts';
import { editorTheme } from './themes.ts';

/** Options of {@link createEditor}. */
export interface EditorOptions {
  /** Element the editor fills. */
  parent: HTMLElement;
  /** The room's code, `doc.getText(CODE_TEXT)`. */
  ytext: Y.Text;
  /** The provider's awareness: remote cursors and this user's cursor. */
  awareness: Awareness;
  theme: Theme;
  /** Read-only view (`/v/:viewId`): nothing can be typed, no suggestions. */
  readOnly: boolean;
  /** Server suggestions for the completion list and ghost text; none when omitted. */
  suggestions?: SuggestionClient;
  /** Whether the list opens by itself while typing and ghost text shows (`autocomplete-setting.ts`); default true. */
  suggestWhileTyping?: boolean;
  /** Accessible name of the editor. */
  label: string;
  /**
   * Nonce of the page's Content-Security-Policy for CodeMirror's injected
   * `<style>` element (`style-src 'nonce-…'`); omit when styles are not restricted.
   */
  cspNonce?: string;
}

/** A CodeMirror editor bound to a room. */
export interface EditorController {
  readonly view: EditorView;
  /**
   * Loads and applies a language mode, with the indentation the code already
   * uses; a later call wins over one still loading.
   */
  setLanguage(language: Language): Promise<void>;
  setTheme(theme: Theme): void;
  /** Turns the list opening by itself and the ghost text on or off; Ctrl+Space works either way. */
  setSuggestWhileTyping(on: boolean): void;
  destroy(): void;
}

/**
 * Creates the editor: CodeMirror with `yCollab` (shared text) and a
 * `Y.UndoManager` that tracks only this editor's edits, so undo never
 * reverts what someone else typed, plus everyone's cursors.
 */
export function createEditor(options: EditorOptions): EditorController {
  const languageSlot = new Compartment();
  const themeSlot = new Compartment();
  const suggestionSlot = new Compartment();
  const suggestionExtensions = (on: boolean): Extension => [
    // Before the setup: its Escape must run before the completion list's,
    // which would otherwise swallow the key while the list is open.
    on && options.suggestions && !options.readOnly ? ghostText(options.suggestions) : [],
    completionList(on),
  ];
  const undoManager = new Y.UndoManager(options.ytext, { trackedOrigins: new Set() });
  const extensions: Extension[] = [
    keymap.of(yUndoManagerKeymap),
    suggestionSlot.of(suggestionExtensions(options.suggestWhileTyping ?? true)),
    editorSetup({ completionSource: options.suggestions ? mergedCompletionSource(options.suggestions) : undefined }),
    // Awareness is left out of yCollab: remote cursors are drawn by our own plugin.
    yCollab(options.ytext, null, { undoManager }),
    remoteCursors({ awareness: options.awareness, ytext: options.ytext }),
    languageSlot.of([]),
    themeSlot.of(editorTheme(options.theme)),
    EditorView.contentAttributes.of({ 'aria-label': options.label }),
    options.cspNonce ? EditorView.cspNonce.of(options.cspNonce) : [],
    options.readOnly ? [EditorState.readOnly.of(true), EditorView.editable.of(false)] : [],
  ];
  const view = new EditorView({
    parent: options.parent,
    state: EditorState.create({ doc: options.ytext.toString(), extensions }),
  });

  let languageRequest = 0;
  return {
    view,
    async setLanguage(language) {
      const request = ++languageRequest;
      let support: Extension;
      try {
        support = await loadLanguageSupport(language);
      } catch {
        // The chunk could not be fetched (offline): plain text until the next switch.
        support = [];
      }
      if (request !== languageRequest || view.dom.parentNode === null) return;
      const unit = detectIndentUnit(view.state.doc.toString(), language);
      view.dispatch({ effects: languageSlot.reconfigure([
        support,
        indentUnit.of(unit),
        editorLanguage.of(language),
        // Tells tests and styles that the language mode is applied.
        EditorView.editorAttributes.of({ 'data-language': language }),
      ]) });
    },
    setTheme(theme) {
      view.dispatch({ effects: themeSlot.reconfigure(editorTheme(theme)) });
    },
    setSuggestWhileTyping(on) {
      view.dispatch({ effects: suggestionSlot.reconfigure(suggestionExtensions(on)) });
    },
    destroy() {
      view.destroy();
      undoManager.destroy();
    },
  };
}
