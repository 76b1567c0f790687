import { h } from '../dom.ts';
import type { FileTreeActions } from './file-tree.ts';

/** What the form is doing: creating a file or folder, or renaming (moving) `path`. */
export type TreeEdit = { kind: 'file' | 'folder' } | { kind: 'rename'; path: string; isFolder: boolean };

/** The form above the file tree. */
export interface TreeEditForm {
  element: HTMLFormElement;
  /** Opens the form for `edit` with `initial` in the field, and focuses it. */
  start(edit: TreeEdit, initial: string): void;
}

/**
 * The form above the file tree that creates files and folders and renames
 * (or moves, by typing a path) them. A refusal from `actions` shows beside
 * the field and the form stays open; Escape closes it.
 */
export function createTreeEditForm(options: {
  actions: Pick<FileTreeActions, 'createFile' | 'createFolder' | 'move'>;
  /** The form opened: whatever the tree said about an earlier action is stale. */
  onStart(): void;
  /** `path` was created, or is where the renamed item now is. */
  onChanged(path: string): void;
  /** The form closed and the focus goes back to the tree (not after creating a file: the editor takes it). */
  returnFocus(): void;
}): TreeEditForm {
  const { actions } = options;
  let edit: TreeEdit | undefined;

  const labelText = h('span', { class: 'file-edit-text' });
  const input = h('input', { type: 'text', class: 'field-input file-edit-input', spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'file-edit-error' });
  const editError = h('p', { class: 'file-edit-error', id: 'file-edit-error', role: 'alert' });
  const element = h('form', { class: 'file-edit', hidden: true }, h('label', { class: 'file-edit-label' }, labelText, input), editError);

  const start = (next: TreeEdit, initial: string) => {
    edit = next;
    labelText.textContent = next.kind === 'rename' ? `Rename or move ${next.path} to` : next.kind === 'file' ? 'New file path' : 'New folder path';
    input.placeholder = next.kind === 'folder' ? 'src/lib' : 'src/util.py';
    input.value = initial;
    editError.textContent = '';
    input.removeAttribute('aria-invalid');
    element.hidden = false;
    options.onStart();
    input.focus();
    if (next.kind === 'rename') {
      // Select the name without its extension, as editors do.
      const start = initial.lastIndexOf('/') + 1;
      const dot = initial.lastIndexOf('.');
      input.setSelectionRange(start, dot > start && !next.isFolder ? dot : initial.length);
    } else {
      input.setSelectionRange(initial.length, initial.length);
    }
  };
  const close = () => {
    edit = undefined;
    element.hidden = true;
    editError.textContent = '';
  };
  const refuse = (message: string) => {
    editError.textContent = message;
    input.setAttribute('aria-invalid', 'true');
  };

  element.addEventListener('submit', (event) => {
    event.preventDefault();
    const current = edit;
    if (!current) return;
    const value = input.value.trim().replace(/^\/+/, '').replace(/\/+$/, '');
    if (value === '') {
      refuse('Type a name.');
      return;
    }
    const refusal =
      current.kind === 'rename' ? actions.move(current.path, value) : current.kind === 'file' ? actions.createFile(value) : actions.createFolder(value);
    if (refusal !== undefined) {
      refuse(refusal);
      input.focus();
      return;
    }
    options.onChanged(value);
    // A new file opens in the editor, which takes the focus: the person types into it next.
    if (current.kind === 'file') {
      edit = undefined;
      element.hidden = true;
    } else {
      close();
      options.returnFocus();
    }
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close();
      options.returnFocus();
    }
  });

  return { element, start };
}
