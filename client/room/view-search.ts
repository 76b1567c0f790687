import { openSearchPanel } from '@codemirror/search';
import type { EditorView } from '@codemirror/view';

/**
 * Ctrl+F / Cmd+F on a read-only page: the editor there cannot take focus
 * (it is not editable), so its own search key never fires; this opens the
 * find panel from anywhere on the page instead of the browser's find bar.
 */
export function installViewSearch(view: EditorView): () => void {
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key.toLowerCase() !== 'f' || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
    // Typing in the find field itself: CodeMirror handles it.
    if (view.dom.contains(document.activeElement)) return;
    event.preventDefault();
    openSearchPanel(view);
  };
  window.addEventListener('keydown', onKeyDown);
  return () => window.removeEventListener('keydown', onKeyDown);
}
