import type { Connection } from '@hocuspocus/server';
import { MAX_HELD_UPDATE_BYTES, MAX_HELD_UPDATE_MS } from '../../shared/protocol.ts';
import type * as Y from 'yjs';
import type { Dependency } from './update-guard.ts';

/** Bytes of updates one connection may have held at once (1 MiB). */
const MAX_HELD_BYTES = MAX_HELD_UPDATE_BYTES;
/** How long an update may wait for its dependencies before the connection is refused (10 s). */
const MAX_HELD_MS = MAX_HELD_UPDATE_MS;

interface HeldFrame {
  /** A copy of the frame as the client sent it. */
  frame: Uint8Array;
  waitingFor: Dependency;
  heldAt: number;
}

interface Held {
  frames: HeldFrame[];
  bytes: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Updates that arrived before what they build on, held per connection
 * outside the room until the same connection sends their dependencies
 * (a provider's typing during a reconnect's sync can overtake its sync
 * answer). Bounded by {@link MAX_HELD_BYTES} and {@link MAX_HELD_MS}; what
 * stays unresolved is refused (4400) by the caller's `onExpired`.
 */
export class PendingUpdates {
  private readonly held = new WeakMap<Connection, Held>();
  /** When a frame handed back by {@link takeReady} was first held: its deadline does not restart. */
  private readonly firstHeldAt = new WeakMap<Uint8Array, number>();

  constructor(private readonly onExpired: (connection: Connection) => void) {}

  /**
   * Holds a copy of `frame` until `waitingFor` is in the room. False when the
   * connection's budget is spent (the caller refuses it).
   */
  hold(connection: Connection, frame: Uint8Array, waitingFor: Dependency): boolean {
    let held = this.held.get(connection);
    if (!held) {
      held = { frames: [], bytes: 0, timer: undefined };
      this.held.set(connection, held);
    }
    if (held.bytes + frame.length > MAX_HELD_BYTES) return false;
    const heldAt = this.firstHeldAt.get(frame) ?? performance.now();
    // A copy (not a view: a Buffer's slice shares its bytes), since the caller then blanks the original.
    const copy = new Uint8Array(frame);
    this.firstHeldAt.set(copy, heldAt);
    held.frames.push({ frame: copy, waitingFor, heldAt });
    held.bytes += copy.length;
    if (held.timer === undefined) this.schedule(connection, held);
    return true;
  }

  /** True when `connection` has updates held. */
  has(connection: Connection): boolean {
    return (this.held.get(connection)?.frames.length ?? 0) > 0;
  }

  /** Removes and returns, in arrival order, the held frames whose dependency `doc` now holds. */
  takeReady(connection: Connection, doc: Y.Doc): Uint8Array[] {
    const held = this.held.get(connection);
    if (!held || held.frames.length === 0) return [];
    const ready: Uint8Array[] = [];
    const waiting: HeldFrame[] = [];
    for (const entry of held.frames) {
      const state = doc.store.clients.get(entry.waitingFor.client);
      const end = state === undefined ? 0 : state[state.length - 1].id.clock + state[state.length - 1].length;
      if (end > entry.waitingFor.clock) {
        ready.push(entry.frame);
        held.bytes -= entry.frame.length;
      } else waiting.push(entry);
    }
    held.frames = waiting;
    return ready;
  }

  /** Forgets a connection's held updates (it closed). */
  drop(connection: Connection): void {
    const held = this.held.get(connection);
    if (held?.timer !== undefined) clearTimeout(held.timer);
    this.held.delete(connection);
  }

  private schedule(connection: Connection, held: Held): void {
    // A frame handed back and held again keeps its first time, so the oldest may be anywhere.
    let oldest = Infinity;
    for (const entry of held.frames) oldest = Math.min(oldest, entry.heldAt);
    if (oldest === Infinity) {
      held.timer = undefined;
      return;
    }
    held.timer = setTimeout(() => {
      held.timer = undefined;
      const now = performance.now();
      if (held.frames.some((entry) => now - entry.heldAt >= MAX_HELD_MS)) {
        this.drop(connection);
        this.onExpired(connection);
      } else this.schedule(connection, held);
    }, Math.max(0, oldest + MAX_HELD_MS - performance.now()));
    held.timer.unref();
  }
}
