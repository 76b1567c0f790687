/** What the provider and the browser report, as {@link describeConnection} reads it. */
export interface ConnectionFacts {
  /** The provider's socket status. */
  socket: 'connecting' | 'connected' | 'disconnected';
  /** Whether the first sync with the server finished since the socket (re)opened. */
  synced: boolean;
  /** Whether the socket was ever connected in this page (first connect vs. reconnect). */
  wasConnected: boolean;
  /** `navigator.onLine`. */
  online: boolean;
  /** Local updates the server has not acknowledged (`provider.unsyncedChanges`). */
  unsyncedChanges: number;
  /** How long (ms) local updates have been unacknowledged without a break: 0 when none are. */
  unconfirmedForMs: number;
}

/**
 * While connected, an edit is normally confirmed within a round trip: only
 * one still unconfirmed after this long (ms) shows as "Saving…", so the
 * label does not blink with every keystroke.
 */
export const SAVING_DELAY_MS = 500;

/** What the status pill shows. */
export interface ConnectionView {
  /** `failed`: the server closed for a reason retrying cannot fix (see {@link describeFailure}); nothing reconnects. */
  state: 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'failed';
  /** Short label, e.g. "Connected". */
  label: string;
  /** A longer explanation for the tooltip and screen readers. */
  detail: string;
  /**
   * True when local edits are not yet confirmed by the server, and it is
   * worth saying: while connected, only past {@link SAVING_DELAY_MS}.
   */
  pending: boolean;
}

/** Turns provider and browser facts into the connection status shown in the header. */
export function describeConnection(facts: ConnectionFacts): ConnectionView {
  // During the handshake the provider counts the sync itself as one
  // unconfirmed change; it is still true that nothing is confirmed yet.
  const pending = facts.unsyncedChanges > 0;
  const edits = pending ? 'Local changes are not yet confirmed by the server' : '';
  if (!facts.online) {
    return {
      state: 'offline',
      label: 'Offline',
      detail: join('You are offline; edits stay in this tab and merge when the connection returns', edits),
      pending,
    };
  }
  if (facts.socket === 'connected') {
    if (!facts.synced) {
      return {
        state: facts.wasConnected ? 'reconnecting' : 'connecting',
        label: 'Syncing…',
        detail: join('Connected; exchanging changes with the server', edits),
        pending,
      };
    }
    // A round trip in progress is not news; an edit that waits is.
    const overdue = pending && facts.unconfirmedForMs >= SAVING_DELAY_MS;
    return {
      state: 'connected',
      label: overdue ? 'Saving…' : 'Connected',
      detail: overdue ? join('Connected', edits) : 'Connected; every edit is confirmed by the server.',
      pending: overdue,
    };
  }
  if (!facts.wasConnected) {
    return { state: 'connecting', label: 'Connecting…', detail: join('Connecting to the server', edits), pending };
  }
  return {
    state: 'reconnecting',
    label: 'Reconnecting…',
    detail: join('Connection lost; reconnecting. Edits made meanwhile merge when it returns', edits),
    pending,
  };
}

function join(sentence: string, edits: string): string {
  return edits === '' ? `${sentence}.` : `${sentence}. ${edits}.`;
}

/** The status shown for good once the server closed for a permanent reason (`detail` says which). */
export function describeFailure(detail: string, unsyncedChanges: number): ConnectionView {
  const pending = unsyncedChanges > 0;
  return {
    state: 'failed',
    label: 'Disconnected',
    detail: join(detail, pending ? 'Local changes were not saved; copy them before reloading' : ''),
    pending,
  };
}
