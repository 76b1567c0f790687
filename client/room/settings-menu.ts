import { h } from '../dom.ts';
import { FONT_SIZES, TAB_SIZES, type EditorSettings } from '../editor/editor-settings.ts';

type Choice<T> = readonly (readonly [T, string])[];

const INDENTS: Choice<EditorSettings['indent']> = [['auto', 'Follow the code'], ['spaces', 'Spaces'], ['tabs', 'Tabs']];
const WRAPS: Choice<EditorSettings['wrap']> = [['auto', 'On narrow screens'], ['on', 'Always'], ['off', 'Never']];
const KEYS: Choice<EditorSettings['keys']> = [['default', 'Standard'], ['vim', 'Vim'], ['emacs', 'Emacs']];

/**
 * The "Editor settings" button of the header and its dialog: font size,
 * tab width, indentation, line wrap and key bindings. Each change applies
 * at once (`onChange`); the caller stores them for this browser.
 */
export function createSettingsMenu(initial: EditorSettings, onChange: (settings: EditorSettings) => void): HTMLElement {
  let settings = { ...initial };
  const select = <T extends string | number>(label: string, name: keyof EditorSettings, choices: Choice<T>, current: T) => {
    const element = h('select', { class: 'field-input', name });
    for (const [value, text] of choices) element.append(h('option', { value: String(value) }, text));
    element.value = String(current);
    element.addEventListener('change', () => {
      const chosen = choices.find(([value]) => String(value) === element.value)?.[0];
      if (chosen === undefined) return;
      settings = { ...settings, [name]: chosen };
      onChange(settings);
    });
    return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), element);
  };
  const done = h('button', { type: 'submit', class: 'button button-primary' }, 'Done');
  const form = h(
    'form',
    { method: 'dialog', class: 'dialog-form settings-form' },
    h('h2', { class: 'dialog-title', id: 'settings-dialog-title' }, 'Editor settings'),
    h('p', { class: 'dialog-text' }, 'Kept in this browser, for every room.'),
    select('Font size', 'fontSize', FONT_SIZES.map((size) => [size, `${size} px`] as const), settings.fontSize),
    select('Tab width', 'tabSize', TAB_SIZES.map((size) => [size, `${size} columns`] as const), settings.tabSize),
    select('Indent with', 'indent', INDENTS, settings.indent),
    select('Wrap long lines', 'wrap', WRAPS, settings.wrap),
    select('Key bindings', 'keys', KEYS, settings.keys),
    h('div', { class: 'dialog-actions' }, done),
  );
  const dialog = h('dialog', { class: 'dialog settings-dialog', 'aria-labelledby': 'settings-dialog-title' }, form);
  const button = h('button', { type: 'button', class: 'button settings-button', title: 'Editor settings', 'aria-label': 'Editor settings' }, h('span', { 'aria-hidden': 'true' }, 'Aa'));
  button.addEventListener('click', () => {
    if (!dialog.isConnected) document.body.append(dialog);
    dialog.showModal();
  });
  return button;
}
