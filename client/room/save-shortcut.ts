import type { ConnectionView } from './connection-state.ts';

/** What Ctrl+S (Cmd+S) says: every edit is stored as it is confirmed, so there is nothing to save. */
export function describeSave(view: ConnectionView): { message: string; tone: 'info' | 'error' } {
  if (view.state === 'connected' && !view.pending) return { message: 'Everything is saved: every edit is stored as you type', tone: 'info' };
  if (view.state === 'connected') return { message: 'Saving: your last edits are on their way to the server', tone: 'info' };
  if (view.state === 'failed') return { message: 'Not saved: the server closed the connection. Copy your edits before reloading', tone: 'error' };
  return { message: 'Not saved yet: your edits stay in this tab and are stored when the connection returns', tone: 'info' };
}

/**
 * Ctrl+S / Cmd+S anywhere on the room page: instead of the browser's "Save
 * page as" dialog, a toast says whether everything is stored. Returns the
 * function that removes the handler.
 */
export function installSaveShortcut(current: () => ConnectionView, notify: (message: string, tone: 'info' | 'error') => void): () => void {
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key.toLowerCase() !== 's' || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
    event.preventDefault();
    if (event.repeat) return;
    const { message, tone } = describeSave(current());
    notify(message, tone);
  };
  // Capture: before the editor's own key handling.
  window.addEventListener('keydown', onKeyDown, true);
  return () => window.removeEventListener('keydown', onKeyDown, true);
}
