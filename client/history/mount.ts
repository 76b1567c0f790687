import { h } from '../dom.ts';
import type { HistoryPanel, HistoryPanelOptions } from './history-panel.ts';

/**
 * The header's History button. The panel (and `@codemirror/merge` with it)
 * is loaded on the first click, so opening a room costs nothing more.
 */
export function mountHistoryButton(options: HistoryPanelOptions): { button: HTMLElement; destroy(): void } {
  const button = h('button', { type: 'button', class: 'button history-button', title: 'History: play back, compare and restore versions', 'aria-expanded': 'false' }, 'History');
  let panel: Promise<HistoryPanel> | undefined;
  let destroyed = false;
  button.addEventListener('click', () => {
    panel ??= import('./history-panel.ts').then(({ createHistoryPanel }) => createHistoryPanel({ ...options, button }));
    panel.then(
      (loaded) => {
        if (destroyed) return;
        if (loaded.isOpen) loaded.close();
        else void loaded.open();
      },
      () => {
        panel = undefined;
        options.notify('The history panel could not be loaded. Check the connection and try again.', 'error');
      },
    );
  });
  return {
    button,
    destroy() {
      destroyed = true;
      void panel?.then((loaded) => loaded.destroy());
    },
  };
}
