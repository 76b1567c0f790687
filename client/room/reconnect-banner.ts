import { h } from '../dom.ts';
import type { ConnectionView } from './connection-state.ts';

/**
 * The bar under the header while the connection is lost: says so in words
 * (the grey pill alone was easy to miss), that edits are kept, and offers
 * "Retry now" instead of waiting for the next attempt. Hidden otherwise.
 */
export function createReconnectBanner(retryNow: () => void): { element: HTMLElement; show(view: ConnectionView): void } {
  const message = h('span', { class: 'reconnect-message' });
  const retry = h('button', { type: 'button', class: 'button button-small reconnect-retry' }, 'Retry now');
  const element = h('div', { class: 'reconnect-banner', role: 'alert', hidden: true }, h('span', { class: 'status-dot', 'aria-hidden': 'true' }), message, retry);
  retry.addEventListener('click', () => {
    retry.disabled = true;
    retryNow();
    // Enabled again shortly: a retry that fails leaves the banner up.
    setTimeout(() => (retry.disabled = false), 1000);
  });
  return {
    element,
    show(view) {
      const lost = view.state === 'reconnecting' || view.state === 'offline';
      element.hidden = !lost;
      element.dataset.state = view.state;
      if (!lost) return;
      retry.hidden = view.state === 'offline';
      message.textContent =
        view.state === 'offline'
          ? 'You are offline. Your edits stay in this tab and merge when the connection returns.'
          : 'Connection lost. Reconnecting… Your edits stay in this tab and merge when it returns.';
    },
  };
}
