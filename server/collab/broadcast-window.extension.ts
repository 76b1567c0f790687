import type { connectedPayload, Document, Extension, onDisconnectPayload } from '@hocuspocus/server';

/** How a room's broadcasts are batched, by its number of connections. */
export interface BroadcastWindow {
  /** Rooms with fewer connections send each change at once (the same event-loop turn). */
  fromConnections: number;
  /** Milliseconds of batching window per connection above that, … */
  msPerConnection: number;
  /** … up to this many milliseconds. */
  maxMs: number;
  /** Milliseconds between two awareness broadcasts (cursors, selections, names) per connection in such rooms, … */
  awarenessMsPerConnection: number;
  /** … up to this many milliseconds. */
  awarenessMaxMs: number;
}

export const DEFAULT_BROADCAST_WINDOW: BroadcastWindow = {
  fromConnections: 24,
  msPerConnection: 0.05,
  maxMs: 20,
  awarenessMsPerConnection: 0.125,
  awarenessMaxMs: 100,
};

/** The batching window (ms) for a room with `connections` connections; 0 = this turn only. */
export function broadcastWindowMs(connections: number, window: BroadcastWindow = DEFAULT_BROADCAST_WINDOW): number {
  if (connections < window.fromConnections) return 0;
  return Math.min(window.maxMs, Math.max(1, Math.round(connections * window.msPerConnection)));
}

/** The least time (ms) between two awareness broadcasts in a room with `connections` connections; 0 = with the changes. */
export function awarenessWindowMs(connections: number, window: BroadcastWindow = DEFAULT_BROADCAST_WINDOW): number {
  if (connections < window.fromConnections) return 0;
  return Math.min(window.awarenessMaxMs, Math.max(1, Math.round(connections * window.awarenessMsPerConnection)));
}

/** The private member of Hocuspocus 4's `Document` that sends awareness; {@link pace} wraps it. */
interface AwarenessInternals {
  broadcastAwarenessUpdate(changedClients: number[]): void;
}

/** A room's awareness pacing: the current window, what waits for it, and when awareness last went out. */
interface Pacing {
  windowMs: number;
  waiting: Set<number>;
  timer: NodeJS.Timeout | undefined;
  sentAt: number;
}

/**
 * Widens a busy room's broadcast windows. Hocuspocus merges the updates and
 * cursor moves that arrive within one window into one message per
 * connection; by default the window is one event-loop turn. Every message to
 * a room costs one send per connection, so in a room of hundreds (a class, an
 * interview watched by many) typists and their cursors made the server send
 * hundreds of thousands of messages a second and fall behind. A window that
 * grows with the room (1 ms per 20 connections, at most 20 ms) bounds that,
 * while pairs and small groups keep the immediate path.
 *
 * Awareness gets a wider window of its own (1 ms per 8 connections, at most
 * 100 ms: 20 cursor frames a second in a room of 400), without delaying
 * edits. Each awareness frame costs every client work in proportion to the
 * room: HocuspocusProvider copies all of the room's states into an array
 * twice per frame, and an editor redraws every remote cursor. In a room of
 * 400 that was a third of a client's CPU; the frames a client gets per
 * second now shrink as the room grows, so that work stays flat. Each frame
 * carries the latest state of every client that changed, so no cursor is lost.
 */
export class BroadcastWindowExtension implements Extension {
  extensionName = 'pairpad-broadcast-window';
  private readonly pacing = new WeakMap<Document, Pacing>();

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
    const connections = document.getConnectionsCount();
    document.flushDelay = broadcastWindowMs(connections, this.window);
    const pacing = this.pacing.get(document) ?? this.pace(document);
    if (pacing) pacing.windowMs = awarenessWindowMs(connections, this.window);
  }

  /** Routes the document's awareness broadcasts through its own window. */
  private pace(document: Document): Pacing | undefined {
    const internals = document as unknown as AwarenessInternals;
    // A Hocuspocus without this member sends awareness with the changes, as it always did (the tests notice).
    if (typeof internals.broadcastAwarenessUpdate !== 'function') return undefined;
    const send = internals.broadcastAwarenessUpdate.bind(document);
    const pacing: Pacing = { windowMs: 0, waiting: new Set(), timer: undefined, sentAt: Number.NEGATIVE_INFINITY };
    const sendWaiting = () => {
      clearTimeout(pacing.timer);
      pacing.timer = undefined;
      if (pacing.waiting.size === 0 || document.isDestroyed) return;
      const clients = [...pacing.waiting];
      pacing.waiting.clear();
      pacing.sentAt = performance.now();
      // Encoded now, from the awareness as it is: the latest state of each client (or its removal).
      send(clients);
    };
    internals.broadcastAwarenessUpdate = (changedClients) => {
      if (pacing.windowMs === 0 && pacing.waiting.size === 0) return send(changedClients);
      for (const client of changedClients) pacing.waiting.add(client);
      if (pacing.timer) return;
      // The first change after a quiet spell goes at once; later ones wait out the window.
      const wait = pacing.sentAt + pacing.windowMs - performance.now();
      // A document being destroyed (flushDelay false) sends what it has now.
      if (wait <= 0 || document.flushDelay === false) return sendWaiting();
      pacing.timer = setTimeout(sendWaiting, wait);
    };
    this.pacing.set(document, pacing);
    return pacing;
  }
}
