import { describe, expect, it } from 'vitest';
import { SHORTCUTS, formatKeys, isApplePlatform, shortcutKeys } from '../../../client/editor/shortcuts.ts';

describe('shortcut hint', () => {
  it('formats keys for Linux and Windows', () => {
    expect(formatKeys('Mod-Shift-z', false)).toBe('Ctrl+Shift+Z');
    expect(formatKeys('Escape', false)).toBe('Esc');
    expect(formatKeys('Mod-/', false)).toBe('Ctrl+/');
    expect(formatKeys('Mod--', false)).toBe('Ctrl+-');
  });

  it('formats keys for macOS', () => {
    expect(formatKeys('Mod-Shift-z', true)).toBe('⌘⇧Z');
    expect(formatKeys('Alt-`', true)).toBe('⌥`');
  });

  it('uses the macOS binding where one differs', () => {
    const suggest = SHORTCUTS.find((s) => s.action === 'suggestions');
    expect(suggest && shortcutKeys(suggest, false)).toBe('Ctrl+Space');
    expect(suggest && shortcutKeys(suggest, true)).toBe('⌥`');
  });

  it('detects Apple platforms', () => {
    expect(isApplePlatform('MacIntel')).toBe(true);
    expect(isApplePlatform('iPhone')).toBe(true);
    expect(isApplePlatform('Linux x86_64')).toBe(false);
  });

  it('lists the undo that only undoes your edits, search and ghost text', () => {
    const actions = SHORTCUTS.map((s) => s.action).join(' | ');
    expect(actions).toMatch(/undo your edits/);
    expect(actions).toMatch(/find/);
    expect(actions).toMatch(/accept/);
  });
});
