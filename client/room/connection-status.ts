import type { HocuspocusProvider } from '@hocuspocus/provider';
import { h } from '../dom.ts';
import { describeConnection, describeFailure, SAVING_DELAY_MS, type ConnectionView } from './connection-state.ts';

/**
 * The connection pill in the header: connected, connecting, reconnecting or
 * offline, and whether local edits wait for the server. `onChange` hears
 * every new status (the room page uses it for announcements and the
 * leave-page warning).
 */
export function createConnectionStatus(
  provider: HocuspocusProvider,
  onChange: (view: ConnectionView) => void = () => {},
): {
  element: HTMLElement;
  readonly current: ConnectionView;
  /** Shows, for good, that the server closed for a permanent reason (`detail`, a sentence). */
  fail(detail: string): void;
  destroy(): void;
} {
  const label = h('span', { class: 'status-label' });
  const element = h('span', { class: 'connection-status', role: 'status' }, h('span', { class: 'status-dot', 'aria-hidden': 'true' }), label);
  const socket = provider.configuration.websocketProvider;
  let wasConnected = false;
  let failure: string | undefined;
  // Since when local edits have waited for the server without a break, and
  // the timer that looks again once that is SAVING_DELAY_MS old.
  let unconfirmedSince: number | undefined;
  let overdueTimer: ReturnType<typeof setTimeout> | undefined;
  let current = read();

  function unconfirmedForMs(): number {
    if (provider.unsyncedChanges === 0) {
      unconfirmedSince = undefined;
      clearTimeout(overdueTimer);
      overdueTimer = undefined;
      return 0;
    }
    const now = performance.now();
    if (unconfirmedSince === undefined) {
      unconfirmedSince = now;
      overdueTimer = setTimeout(() => {
        overdueTimer = undefined;
        update();
      }, SAVING_DELAY_MS);
    }
    return now - unconfirmedSince;
  }

  function read(): ConnectionView {
    if (failure !== undefined) return describeFailure(failure, provider.unsyncedChanges);
    const status = socket.status as string;
    if (status === 'connected' && provider.isSynced) wasConnected = true;
    return describeConnection({
      socket: status === 'connected' || status === 'connecting' ? status : 'disconnected',
      synced: provider.isSynced,
      wasConnected,
      online: navigator.onLine,
      unsyncedChanges: provider.unsyncedChanges,
      unconfirmedForMs: unconfirmedForMs(),
    });
  }

  let rendered = false;
  function update(): void {
    const next = read();
    const changed = next.state !== current.state || next.pending !== current.pending || next.label !== current.label;
    current = next;
    // Written only when something changed: a screen reader announces every write to a status region.
    if (rendered && !changed && element.title === next.detail) return;
    rendered = true;
    label.textContent = next.label;
    element.title = next.detail;
    element.setAttribute('aria-label', next.detail);
    element.dataset.state = next.state;
    element.dataset.pending = String(next.pending);
    if (changed) onChange(next);
  }

  const events = ['status', 'synced', 'unsyncedChanges', 'close', 'disconnect'] as const;
  for (const event of events) provider.on(event, update);
  window.addEventListener('online', update);
  window.addEventListener('offline', update);
  update();
  return {
    element,
    get current() {
      return current;
    },
    fail(detail) {
      failure = detail;
      update();
    },
    destroy() {
      clearTimeout(overdueTimer);
      for (const event of events) provider.off(event, update);
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    },
  };
}
