import { z } from 'zod';
import type { KeyValueStore } from '../storage.ts';

/** localStorage key of the editor settings (one JSON object). */
export const EDITOR_SETTINGS_KEY = 'pairpad.editorSettings';

/** Font sizes offered, in CSS px. */
export const FONT_SIZES = [12, 13, 14, 15, 16, 18, 20, 22] as const;
/** Tab widths offered, in columns. */
export const TAB_SIZES = [2, 4, 8] as const;

/** The editor settings of this browser (every room, every tab). */
export const editorSettings = z.object({
  /** Code font size, CSS px (default 14). */
  fontSize: z.number().int().min(10).max(28),
  /** Columns a tab character takes (default 4). */
  tabSize: z.number().int().min(1).max(16),
  /** What Tab and auto-indent insert: follow the code already there (default), spaces (`tabSize` of them) or a tab. */
  indent: z.enum(['auto', 'spaces', 'tabs']),
  /** Wrap long lines: `auto` (default) on narrow screens only. */
  wrap: z.enum(['auto', 'on', 'off']),
  /** Key bindings: CodeMirror's (default), Vim or Emacs. */
  keys: z.enum(['default', 'vim', 'emacs']),
});
export type EditorSettings = z.infer<typeof editorSettings>;

export const DEFAULT_EDITOR_SETTINGS: EditorSettings = Object.freeze({ fontSize: 14, tabSize: 4, indent: 'auto', wrap: 'auto', keys: 'default' });

/** The stored settings; a missing or damaged field takes its default, never an error. */
export function loadEditorSettings(store: KeyValueStore): EditorSettings {
  let stored: unknown;
  try {
    stored = JSON.parse(store.getItem(EDITOR_SETTINGS_KEY) ?? '{}');
  } catch {
    stored = {};
  }
  const settings: Record<string, unknown> = { ...DEFAULT_EDITOR_SETTINGS };
  if (typeof stored === 'object' && stored !== null) {
    for (const [key, schema] of Object.entries(editorSettings.shape)) {
      const parsed = schema.safeParse((stored as Record<string, unknown>)[key]);
      if (parsed.success) settings[key] = parsed.data;
    }
  }
  return settings as EditorSettings;
}

/** Stores the settings (valid ones only). */
export function saveEditorSettings(store: KeyValueStore, settings: EditorSettings): void {
  store.setItem(EDITOR_SETTINGS_KEY, JSON.stringify(editorSettings.parse(settings)));
}
