import { h } from '../dom.ts';
import { icon } from '../icons.ts';
import { showToast } from '../toasts.ts';

/** Options of {@link createCopyLinkButton}. */
export interface CopyLinkOptions {
  /** The link to copy (read when clicked). */
  link: () => string;
  /** `edit` copies the editing link, `view` the read-only one. */
  kind: 'edit' | 'view';
}

/** A "copy link" button: copies a room link to the clipboard (with a fallback for plain-http origins). */
export function createCopyLinkButton(options: CopyLinkOptions): HTMLButtonElement {
  const view = options.kind === 'view';
  const button = h(
    'button',
    {
      type: 'button',
      class: view ? 'button copy-view-link' : 'button copy-link',
      title: view ? 'Copy a read-only link: it shows the code live but cannot edit' : 'Copy the link to this room (anyone with it can edit)',
    },
    icon(view ? 'eye' : 'link'),
    h('span', { class: 'button-text' }, view ? 'View link' : 'Copy link'),
  );
  button.addEventListener('click', async () => {
    const copied = await copyText(options.link());
    const done = view ? 'Read-only link copied. It shows the code live but cannot change it.' : 'Link copied. Anyone with it can edit.';
    showToast(copied ? done : 'Copy failed: select the address bar and copy it from there.', copied ? 'info' : 'error');
  });
  return button;
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // The async clipboard needs a secure context; a self-hosted server on
    // plain http falls back to the selection-based command.
    const area = h('textarea', { readonly: true, class: 'visually-hidden' });
    area.value = text;
    document.body.append(area);
    area.select();
    let copied = false;
    try {
      copied = document.execCommand('copy');
    } catch {
      copied = false;
    }
    area.remove();
    return copied;
  }
}
