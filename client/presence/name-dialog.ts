import { h } from '../dom.ts';
import { MAX_NAME_LENGTH, normalizeDisplayName } from './identity.ts';

/** Options of {@link askDisplayName}. */
export interface NameDialogOptions {
  /** Text the field starts with. */
  initial: string;
  /** Whether the dialog can be closed without choosing (editing a name later). */
  cancellable: boolean;
  /** The sentence under the title (default: where the name is shown). */
  text?: string;
  /** The label of the button that closes a cancellable dialog without a name (default "Cancel"). */
  cancelLabel?: string;
}

/**
 * Asks for a display name in a modal dialog. Resolves with the cleaned name,
 * or `undefined` when a cancellable dialog was closed.
 */
export function askDisplayName(options: NameDialogOptions): Promise<string | undefined> {
  const input = h('input', {
    type: 'text',
    name: 'name',
    class: 'field-input',
    required: true,
    maxlength: MAX_NAME_LENGTH,
    autocomplete: 'nickname',
    spellcheck: 'false',
  });
  input.value = options.initial;
  const error = h('p', { class: 'field-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, 'Continue');
  const cancel = options.cancellable ? h('button', { type: 'button', class: 'button', value: 'cancel' }, options.cancelLabel ?? 'Cancel') : null;
  const form = h(
    'form',
    { method: 'dialog', class: 'dialog-form' },
    h('h2', { class: 'dialog-title', id: 'name-dialog-title' }, 'What should others call you?'),
    h('p', { class: 'dialog-text' }, options.text ?? 'Your name is shown next to your cursor and in the room. It is stored in this browser only.'),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Display name'), input),
    error,
    h('div', { class: 'dialog-actions' }, cancel, submit),
  );
  const dialog = h('dialog', { class: 'dialog name-dialog', 'aria-labelledby': 'name-dialog-title' }, form);
  document.body.append(dialog);

  return new Promise((resolve) => {
    const finish = (value: string | undefined) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const name = normalizeDisplayName(input.value);
      if (name === '') {
        error.textContent = 'Please enter a name.';
        input.focus();
        return;
      }
      finish(name);
    });
    cancel?.addEventListener('click', () => finish(undefined));
    dialog.addEventListener('cancel', (event) => {
      // Escape: a first-visit dialog needs an answer.
      if (!options.cancellable) event.preventDefault();
      else finish(undefined);
    });
    dialog.showModal();
    input.select();
  });
}
