import type { HocuspocusProvider } from '@hocuspocus/provider';
import { showToast } from '../toasts.ts';
import { createRunPanel, type RunPanel } from './run-panel.ts';
import { createRunsApi } from './runs-api.ts';

/** True for Ctrl+Enter (Cmd+Enter on a Mac): the run shortcut. */
export function isRunShortcut(event: KeyboardEvent): boolean {
  return event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey;
}

/**
 * The run panel as the room page mounts it, with Ctrl/Cmd+Enter anywhere
 * on the page. The shortcut is caught before the editor sees it (whose
 * default keymap would insert a blank line).
 */
export function mountRunPanel(options: {
  roomId: string;
  editRoomId: string | undefined;
  provider: HocuspocusProvider;
  userName(): string;
  keyTarget: HTMLElement;
}): RunPanel {
  const panel = createRunPanel({
    api: createRunsApi(),
    roomId: options.roomId,
    editRoomId: options.editRoomId,
    provider: options.provider,
    userName: options.userName,
    notify: (message) => showToast(message, 'error'),
  });
  const onKey = (event: KeyboardEvent) => {
    if (!isRunShortcut(event) || options.editRoomId === undefined) return;
    event.preventDefault();
    event.stopPropagation();
    panel.run();
  };
  options.keyTarget.addEventListener('keydown', onKey, true);
  return {
    ...panel,
    destroy() {
      options.keyTarget.removeEventListener('keydown', onKey, true);
      panel.destroy();
    },
  };
}
