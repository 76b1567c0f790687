import { indentUnit } from '@codemirror/language';
import { EditorState, Prec, type Extension } from '@codemirror/state';
import type { EditorController } from './create-editor.ts';
import { EditorView } from '@codemirror/view';
import type { EditorSettings } from './editor-settings.ts';
import { NARROW_MAX_WIDTH } from './narrow-wrap.ts';

/** Loads the key bindings (their own chunks: most people never turn them on). */
async function loadKeyBindings(keys: EditorSettings['keys']): Promise<Extension> {
  switch (keys) {
    case 'default':
      return [];
    case 'vim':
      // Before every other keymap, as the package asks.
      return Prec.highest((await import('@replit/codemirror-vim')).vim());
    case 'emacs':
      return Prec.highest((await import('@replit/codemirror-emacs')).emacs());
    default:
      keys satisfies never;
      return [];
  }
}

/** The extensions of a set of settings (`narrow`: the window is phone-narrow, for `wrap: auto`). */
export async function settingsExtensions(settings: EditorSettings, narrow: boolean): Promise<Extension> {
  const wrap = settings.wrap === 'on' || (settings.wrap === 'auto' && narrow);
  return [
    EditorState.tabSize.of(settings.tabSize),
    // Over the unit detected from the code (create-editor.ts) when chosen.
    settings.indent === 'auto' ? [] : Prec.high(indentUnit.of(settings.indent === 'tabs' ? '\t' : ' '.repeat(settings.tabSize))),
    wrap ? EditorView.lineWrapping : [],
    EditorView.theme({ '.cm-content, .cm-gutters': { fontSize: `${settings.fontSize}px` } }),
    EditorView.editorAttributes.of({ 'data-keys': settings.keys }),
    await loadKeyBindings(settings.keys),
  ];
}

/**
 * Fills the editor's settings slot and returns `apply`, which changes the
 * settings in place (the document, history and cursors stay; a switch of
 * file keeps them: create-editor.ts holds the slot).
 */
export function attachEditorSettings(editor: Pick<EditorController, 'view' | 'setSettings'>, initial: EditorSettings): { apply(settings: EditorSettings): Promise<void> } {
  let request = 0;
  const apply = async (settings: EditorSettings) => {
    const mine = ++request;
    const narrow = window.matchMedia(`(max-width: ${NARROW_MAX_WIDTH}px)`).matches;
    let extension: Extension;
    try {
      extension = await settingsExtensions(settings, narrow);
    } catch {
      // A key-binding chunk that did not load (offline): the rest still applies.
      extension = await settingsExtensions({ ...settings, keys: 'default' }, narrow);
    }
    if (mine !== request || editor.view.dom.parentNode === null) return;
    editor.setSettings(extension);
  };
  void apply(initial);
  return { apply };
}
