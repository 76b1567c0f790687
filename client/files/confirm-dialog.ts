import { h } from '../dom.ts';

/** Options of {@link confirmAction}. */
export interface ConfirmOptions {
  title: string;
  text: string;
  /** Label of the button that does it (e.g. "Delete"). */
  confirmLabel: string;
}

/**
 * Asks a yes/no question in a modal dialog (Escape and Cancel say no, the
 * safe answer is focused first). Resolves true when confirmed.
 */
export function confirmAction(options: ConfirmOptions): Promise<boolean> {
  const cancel = h('button', { type: 'button', class: 'button', value: 'cancel' }, 'Cancel');
  const confirm = h('button', { type: 'submit', class: 'button button-danger' }, options.confirmLabel);
  const form = h(
    'form',
    { method: 'dialog', class: 'dialog-form' },
    h('h2', { class: 'dialog-title', id: 'confirm-dialog-title' }, options.title),
    h('p', { class: 'dialog-text' }, options.text),
    h('div', { class: 'dialog-actions' }, cancel, confirm),
  );
  const dialog = h('dialog', { class: 'dialog confirm-dialog', 'aria-labelledby': 'confirm-dialog-title' }, form);
  document.body.append(dialog);
  return new Promise((resolve) => {
    const finish = (value: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      finish(true);
    });
    cancel.addEventListener('click', () => finish(false));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(false);
    });
    dialog.showModal();
    cancel.focus();
  });
}
