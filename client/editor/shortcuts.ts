/** One line of the keyboard-shortcut hint under the editor. */
export interface Shortcut {
  /** CodeMirror key notation, `Mod` = Ctrl (Cmd on macOS). */
  keys: string;
  /** The keys on macOS when they differ. */
  mac?: string;
  action: string;
}

/** The shortcuts the hint lists; all are bound in the editor (`editor/setup.ts`, `editor/ghost-text.ts`). */
export const SHORTCUTS: readonly Shortcut[] = [
  { keys: 'Ctrl-Space', mac: 'Alt-`', action: 'suggestions' },
  { keys: 'Tab', action: 'accept grey suggestion' },
  { keys: 'Escape', action: 'dismiss' },
  { keys: 'Mod-f', action: 'find / replace' },
  { keys: 'Mod-z', action: 'undo your edits' },
  { keys: 'Mod-y', mac: 'Mod-Shift-z', action: 'redo' },
  { keys: 'Mod-Click', action: 'add cursor' },
  { keys: 'Mod-/', action: 'comment' },
] as const;

/** The keys of a shortcut on this platform, formatted with {@link formatKeys}. */
export function shortcutKeys(shortcut: Shortcut, isMac: boolean): string {
  return formatKeys(isMac && shortcut.mac ? shortcut.mac : shortcut.keys, isMac);
}

/** Renders CodeMirror key notation for people: `Mod-Shift-z` → `Ctrl+Shift+Z`, or `⌘⇧Z` on macOS. */
export function formatKeys(keys: string, isMac: boolean): string {
  const parts = keys.split(/-(?!$)/);
  const names = parts.map((part) => {
    switch (part) {
      case 'Mod':
        return isMac ? '⌘' : 'Ctrl';
      case 'Ctrl':
        return isMac ? '⌃' : 'Ctrl';
      case 'Shift':
        return isMac ? '⇧' : 'Shift';
      case 'Alt':
        return isMac ? '⌥' : 'Alt';
      case 'Escape':
        return 'Esc';
      default:
        return part.length === 1 ? part.toUpperCase() : part;
    }
  });
  return names.join(isMac ? '' : '+');
}

/** True on Apple platforms, where `Mod` is Cmd; `platform` is `navigator.platform` or the user agent. */
export function isApplePlatform(platform: string): boolean {
  return /Mac|iPhone|iPad|iPod/i.test(platform);
}
