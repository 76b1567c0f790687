import { indentUnit } from '@codemirror/language';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next';
import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Language } from '../../shared/protocol.ts';
import type { Theme } from '../theme-preference.ts';
import { remoteCursors } from '../presence/remote-cursors.ts';
import { offscreenCursors } from '../presence/offscreen-cursors.ts';
import { ghostText } from './ghost-text.ts';
import { detectIndentUnit } from './indentation.ts';
import { loadLanguageSupport } from './languages.ts';
import { mergedCompletionSource } from './remote-completions.ts';
import { editorLanguage } from './editor-language.ts';
import { completionList, editorSetup } from './setup.ts';
import type { SuggestionClient } from './suggestion-client.ts';
import { editorTheme } from './themes.ts';
import { createUndoManager, undoSteps } from './undo-steps.ts';

/** Options of {@link createEditor}. */
export interface EditorOptions {
  /** Element the editor fills. */
  parent: HTMLElement;
  /** The text shown first (the entry file's, `doc.getText(CODE_TEXT)`); {@link EditorController.showText} switches. */
  ytext: Y.Text;
  /** Undo history of `ytext` (see `undo-steps.ts`); a new one, destroyed with the editor, when omitted. */
  undoManager?: Y.UndoManager;
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
  /** More extensions, kept across {@link EditorController.showText} (e.g. the size limit). */
  extensions?: Extension;
}

/** A CodeMirror editor bound to a room. */
export interface EditorController {
  readonly view: EditorView;
  /** The text the editor shows now. */
  readonly ytext: Y.Text;
  /**
   * Loads and applies a language mode, with the indentation the code already
   * uses; a later call wins over one still loading.
   */
  setLanguage(language: Language): Promise<void>;
  /**
   * Shows another text (a switch of file) in the same view: a new editor
   * state bound to `ytext` with its own undo history, the theme, settings
   * and extensions kept, and the selection that text had when it was last
   * shown. The language applies at once when its mode was loaded before.
   */
  showText(ytext: Y.Text, undoManager: Y.UndoManager, language: Language): void;
  setTheme(theme: Theme): void;
  /** The extensions of the person's editor settings (font size, tabs, wrap, key bindings), kept across switches of file. */
  setSettings(extension: Extension): void;
  /** The blame gutter when it is on (`history/blame-controller.ts`), else nothing; kept across switches of file. */
  setBlame(extension: Extension): void;
  /** Turns the list opening by itself and the ghost text on or off; Ctrl+Space works either way. */
  setSuggestWhileTyping(on: boolean): void;
  /** Makes the editor read-only while the room's owner has it locked (`meta.locked`), and editable again after. */
  setLocked(locked: boolean): void;
  destroy(): void;
}

/** Language modes loaded so far: a switch to a file of one of them highlights at once. */
const loadedLanguages = new Map<Language, Extension>();

/**
 * Creates the editor: CodeMirror with `yCollab` (shared text) and a
 * `Y.UndoManager` per text that tracks only this editor's edits, so undo
 * never reverts what someone else typed, plus everyone's cursors.
 */
export function createEditor(options: EditorOptions): EditorController {
  const languageSlot = new Compartment();
  const themeSlot = new Compartment();
  const suggestionSlot = new Compartment();
  const settingsSlot = new Compartment();
  const blameSlot = new Compartment();
  const lockSlot = new Compartment();
  let locked = false;
  const lockExtensions = (on: boolean) => (on ? [EditorState.readOnly.of(true), EditorView.editable.of(false)] : []);
  let settings: Extension = [];
  let blame: Extension = [];
  let suggestWhileTyping = options.suggestWhileTyping ?? true;
  let theme = options.theme;
  let language: Language = 'plaintext';
  const suggestionExtensions = (on: boolean): Extension => [
    // Before the setup: its Escape must run before the completion list's,
    // which would otherwise swallow the key while the list is open.
    on && options.suggestions && !options.readOnly ? ghostText(options.suggestions) : [],
    completionList(on),
  ];
  const languageExtensions = (doc: string): Extension => {
    const support = loadedLanguages.get(language);
    if (support === undefined) return [];
    return [
      support,
      indentUnit.of(detectIndentUnit(doc, language)),
      editorLanguage.of(language),
      // Tells tests and styles that the language mode is applied.
      EditorView.editorAttributes.of({ 'data-language': language }),
    ];
  };
  const ownUndoManager = options.undoManager ? undefined : createUndoManager(options.ytext);
  // Where the selection was in each text, kept across switches (relative, so edits meanwhile move it).
  const selections = new WeakMap<Y.Text, { anchor: Y.RelativePosition; head: Y.RelativePosition }>();
  let ytext = options.ytext;

  const createState = (text: Y.Text, undoManager: Y.UndoManager): EditorState => {
    const doc = text.toString();
    const extensions: Extension[] = [
      keymap.of(yUndoManagerKeymap),
      suggestionSlot.of(suggestionExtensions(suggestWhileTyping)),
      editorSetup({ completionSource: options.suggestions ? mergedCompletionSource(options.suggestions) : undefined }),
      undoSteps(undoManager),
      // Awareness is left out of yCollab: remote cursors are drawn by our own plugin.
      yCollab(text, null, { undoManager }),
      remoteCursors({ awareness: options.awareness, ytext: text }),
      offscreenCursors({ awareness: options.awareness, ytext: text }),
      languageSlot.of(languageExtensions(doc)),
      themeSlot.of(editorTheme(theme)),
      settingsSlot.of(settings),
      blameSlot.of(blame),
      EditorView.contentAttributes.of({ 'aria-label': options.label }),
      options.cspNonce ? EditorView.cspNonce.of(options.cspNonce) : [],
      options.readOnly ? [EditorState.readOnly.of(true), EditorView.editable.of(false)] : [],
      lockSlot.of(lockExtensions(locked)),
      options.extensions ?? [],
    ];
    const saved = selections.get(text);
    const ydoc = text.doc;
    const anchor = saved && ydoc ? Y.createAbsolutePositionFromRelativePosition(saved.anchor, ydoc) : null;
    const head = saved && ydoc ? Y.createAbsolutePositionFromRelativePosition(saved.head, ydoc) : null;
    const selection = anchor && head && anchor.type === text && head.type === text ? { anchor: Math.min(anchor.index, doc.length), head: Math.min(head.index, doc.length) } : undefined;
    return EditorState.create({ doc, selection, extensions });
  };

  const view = new EditorView({ parent: options.parent, state: createState(ytext, options.undoManager ?? ownUndoManager!) });

  let languageRequest = 0;
  const controller: EditorController = {
    view,
    get ytext() {
      return ytext;
    },
    async setLanguage(next) {
      const request = ++languageRequest;
      let support = loadedLanguages.get(next);
      if (support === undefined) {
        try {
          support = await loadLanguageSupport(next);
          loadedLanguages.set(next, support);
        } catch {
          // The chunk could not be fetched (offline): plain text until the next switch.
          support = [];
        }
      }
      if (request !== languageRequest || view.dom.parentNode === null) return;
      language = next;
      const unit = detectIndentUnit(view.state.doc.toString(), next);
      view.dispatch({ effects: languageSlot.reconfigure([
        support,
        indentUnit.of(unit),
        editorLanguage.of(next),
        // Tells tests and styles that the language mode is applied.
        EditorView.editorAttributes.of({ 'data-language': next }),
      ]) });
    },
    showText(text, undoManager, nextLanguage) {
      if (text === ytext) return;
      const doc = ytext.doc;
      const main = view.state.selection.main;
      if (doc && !ytext._item?.deleted) {
        selections.set(ytext, {
          anchor: Y.createRelativePositionFromTypeIndex(ytext, main.anchor),
          head: Y.createRelativePositionFromTypeIndex(ytext, main.head),
        });
      }
      ytext = text;
      // A language still loading for the previous file must not land on this one.
      languageRequest++;
      language = loadedLanguages.has(nextLanguage) ? nextLanguage : 'plaintext';
      view.setState(createState(text, undoManager));
      if (language !== nextLanguage) void controller.setLanguage(nextLanguage);
    },
    setTheme(next) {
      theme = next;
      view.dispatch({ effects: themeSlot.reconfigure(editorTheme(next)) });
    },
    setSettings(extension) {
      settings = extension;
      view.dispatch({ effects: settingsSlot.reconfigure(extension) });
    },
    setBlame(extension) {
      blame = extension;
      view.dispatch({ effects: blameSlot.reconfigure(extension) });
    },
    setSuggestWhileTyping(on) {
      suggestWhileTyping = on;
      view.dispatch({ effects: suggestionSlot.reconfigure(suggestionExtensions(on)) });
    },
    setLocked(on) {
      if (on === locked) return;
      locked = on;
      view.dispatch({ effects: lockSlot.reconfigure(lockExtensions(on)) });
    },
    destroy() {
      view.destroy();
      ownUndoManager?.destroy();
    },
  };
  return controller;
}
