import { h } from '../dom.ts';
import { SHORTCUTS, shortcutKeys } from './shortcuts.ts';

/**
 * The keyboard-shortcut footer under the editor. The list wraps onto more
 * lines when the window is narrow; on phones (see `styles/responsive.css`)
 * it is folded behind a "?" button so that it does not eat editor rows.
 * `autocompleteToggle` ({@link createAutocompleteToggle}) goes at its end.
 */
export function createShortcutHint(isMac: boolean, autocompleteToggle?: HTMLElement, options: { readOnly?: boolean } = {}): HTMLElement {
  // Someone who only watches can find, nothing else.
  const shortcuts = options.readOnly ? SHORTCUTS.filter((shortcut) => shortcut.keys === 'Mod-f') : SHORTCUTS;
  const list = h(
    'ul',
    { class: 'shortcut-list', id: 'shortcut-list' },
    ...shortcuts.map((shortcut) => h('li', { class: 'shortcut' }, h('kbd', {}, shortcutKeys(shortcut, isMac)), ` ${shortcut.action}`)),
  );
  const toggle = h(
    'button',
    { type: 'button', class: 'button button-small shortcut-toggle', 'aria-expanded': 'false', 'aria-controls': 'shortcut-list', title: 'Keyboard shortcuts' },
    h('span', { 'aria-hidden': 'true' }, '?'),
    h('span', { class: 'shortcut-toggle-text' }, 'Shortcuts'),
  );
  const footer = h('footer', { class: 'shortcut-hint', 'aria-label': 'Keyboard shortcuts', 'data-open': 'false' }, toggle, list, autocompleteToggle ?? null);
  toggle.addEventListener('click', () => {
    const open = footer.dataset.open !== 'true';
    footer.dataset.open = String(open);
    toggle.setAttribute('aria-expanded', String(open));
  });
  return footer;
}

/**
 * The "Suggest as I type" checkbox of the hint bar: turns the automatic
 * completion list and the ghost text on and off (Ctrl+Space still works).
 */
export function createAutocompleteToggle(on: boolean, onChange: (on: boolean) => void): HTMLElement {
  const input = h('input', { type: 'checkbox', class: 'autocomplete-toggle-input' });
  input.checked = on;
  input.addEventListener('change', () => onChange(input.checked));
  return h('label', { class: 'autocomplete-toggle', title: 'Open the suggestion list and grey suggestions by themselves while typing' }, input, ' Suggest as I type');
}
