import type * as Y from 'yjs';
import { type Language } from '../../shared/protocol.ts';
import { readFileTree } from '../../shared/room-files.ts';
import { h } from '../dom.ts';
import { icon } from '../icons.ts';
import { showToast } from '../toasts.ts';
import { downloadName, extensionOf } from './download-name.ts';

/** Options of {@link createDownloadButton}. */
export interface DownloadButtonOptions {
  doc: Y.Doc;
  /** `GET /api/rooms/:roomId/archive` of this room (edit or view id). */
  archiveUrl: string;
  title(): string;
  /** The room's language (the entry file's). */
  language(): Language;
}

/**
 * "Download": a room of one file saves that file, from the live document
 * (edits not yet stored included, and nothing to ask the server); a room of
 * several saves the zip of `GET /api/rooms/:roomId/archive`. Either way the
 * name is chosen here ({@link downloadName}), never the server's, so the
 * room id cannot end up in it.
 */
export function createDownloadButton(options: DownloadButtonOptions): HTMLButtonElement {
  const button = h(
    'button',
    { type: 'button', class: 'button download', title: 'Download the code: the file, or a zip of every file' },
    icon('download'),
    h('span', { class: 'button-text' }, 'Download'),
  );
  button.addEventListener('click', async () => {
    const tree = readFileTree(options.doc);
    const language = options.language();
    if (tree.files.length === 1) {
      const file = tree.files[0]!;
      saveBlob(new Blob([file.text.toString()], { type: 'text/plain;charset=utf-8' }), downloadName(options.title(), language, extensionOf(file.path)));
      return;
    }
    button.disabled = true;
    try {
      const response = await fetch(options.archiveUrl);
      if (!response.ok) throw new Error(`status ${response.status}`);
      saveBlob(await response.blob(), downloadName(options.title(), language, 'zip'));
    } catch {
      showToast('The zip of the files could not be downloaded. Try again in a moment.', 'error');
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: name, class: 'visually-hidden' });
  document.body.append(link);
  link.click();
  link.remove();
  // After the click has started the download.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
