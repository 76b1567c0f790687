import type { connectedPayload, Document, Extension, onDisconnectPayload } from '@hocuspocus/server';

/** How a room's broadcasts are batched, by its number of connections. */
export interface BroadcastWindow {
  /** Rooms with fewer connections send each change at once (the same event-loop turn). */
  fromConnections: number;
  /** Milliseconds of batching window per connection above that, … */
  msPerConnection: number;
  /** … up to this many milliseconds. */
  maxMs: number;
}

export const DEFAULT_BROADCAST_WINDOW: BroadcastWindow = { fromConnections: 24, msPerConnection: 0.05, maxMs: 20 };

/** The batching window (ms) for a room with `connections` connections; 0 = this turn only. */
export function broadcastWindowMs(connections: number, window: BroadcastWindow = DEFAULT_BROADCAST_WINDOW): number {
  if (connections < window.fromConnections) return 0;
  return Math.min(window.maxMs, Math.max(1, Math.round(connections * window.msPerConnection)));
}

/**
 * Widens a busy room's broadcast window. Hocuspocus merges the updates and
 * cursor moves that arrive within one window into one message per
 * connection; by default the window is one event-loop turn. Every message to
 * a room costs one send per connection, so in a room of hundreds (a class, an
 * interview watched by many) typists and their cursors made the server send
 * hundreds of thousands of messages a second and fall behind. A window that
 * grows with the room (1 ms per 20 connections, at most 20 ms) bounds that,
 * while pairs and small groups keep the immediate path.
 */
export class BroadcastWindowExtension implements Extension {
  extensionName = 'pairpad-broadcast-window';

  constructor(private readonly window: BroadcastWindow = DEFAULT_BROADCAST_WINDOW) {}

  async connected({ connection }: connectedPayload): Promise<void> {
    this.resize(connection.document);
  }

  async onDisconnect({ document }: onDisconnectPayload): Promise<void> {
    this.resize(document);
  }

  private resize(document: Document): void {
    // `false` means the document is being destroyed: leave it alone.
    if (document.flushDelay === false) return;
    document.flushDelay = broadcastWindowMs(document.getConnectionsCount(), this.window);
  }
}
