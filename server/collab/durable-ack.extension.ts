import type { beforeHandleMessagePayload, Connection, Extension } from '@hocuspocus/server';
import { MessageType, messageTypeOf } from './hocuspocus-wire.ts';
import type { UpdateJournal } from './update-journal.ts';

/** An acknowledgement held until the room's updates up to `seq` are durable. */
interface HeldAck {
  frame: Uint8Array;
  seq: number;
}

/** The acknowledgements of one connection, in the order Hocuspocus sent them. */
interface AckQueue {
  connection: Connection;
  roomId: string;
  held: HeldAck[];
  /** Hocuspocus's own `send`, which the stage wraps. */
  send: (frame: Uint8Array) => void;
}

/**
 * Acknowledged means durable (see `docs/durability.md`). Hocuspocus answers
 * every update with a `SyncStatus` message right after applying it, and
 * `@hocuspocus/provider` counts those answers to decide `hasUnsyncedChanges`.
 * This stage holds each answer until the journal reports that every update
 * of the room up to that moment is in the update log (or in a committed
 * snapshot), then sends it. Broadcasts to the other clients are not touched:
 * they leave at once.
 *
 * - Order: a connection's answers leave in the order Hocuspocus wrote them
 *   (one FIFO queue per connection; an answer that needs no wait still waits
 *   behind one that does).
 * - A failed write holds the answers; when the retry lands, they leave.
 * - The keystroke path pays one comparison per outgoing frame and, for an
 *   answer, a push onto an array; the journal's commit releases them.
 *
 * The wrap is installed on a connection by its first message
 * (`beforeHandleMessage`), before Hocuspocus can answer anything.
 */
export class DurableAckExtension implements Extension {
  extensionName = 'pairpad-durable-ack';
  private readonly queues = new WeakMap<Connection, AckQueue>();
  /** Per room, the connections with answers held. */
  private readonly waiting = new Map<string, Set<AckQueue>>();

  constructor(private readonly journal: Pick<UpdateJournal, 'sequence' | 'isDurable'>) {}

  async beforeHandleMessage({ connection, documentName }: beforeHandleMessagePayload): Promise<void> {
    if (!this.queues.has(connection)) this.wrap(connection, documentName);
  }

  /** Sends the held answers of a room whose updates became durable; the journal calls it after each commit. */
  releaseDurable(roomId: string): void {
    const queues = this.waiting.get(roomId);
    if (!queues) return;
    for (const queue of queues) {
      this.sendDurable(queue);
      if (queue.held.length === 0) queues.delete(queue);
    }
    if (queues.size === 0) this.waiting.delete(roomId);
  }

  /** Answers held for a room (for tests and metrics). */
  heldCount(roomId: string): number {
    let count = 0;
    for (const queue of this.waiting.get(roomId) ?? []) count += queue.held.length;
    return count;
  }

  private wrap(connection: Connection, roomId: string): void {
    const queue: AckQueue = { connection, roomId, held: [], send: connection.send.bind(connection) };
    this.queues.set(connection, queue);
    connection.send = (frame: Uint8Array) => {
      if (messageTypeOf(frame) !== MessageType.SyncStatus) return queue.send(frame);
      const seq = this.journal.sequence;
      if (queue.held.length === 0 && this.journal.isDurable(roomId, seq)) return queue.send(frame);
      queue.held.push({ frame, seq });
      let queues = this.waiting.get(roomId);
      if (!queues) this.waiting.set(roomId, (queues = new Set()));
      queues.add(queue);
    };
    // An answer for a closed connection reaches no one.
    connection.onClose(() => {
      queue.held.length = 0;
      this.waiting.get(roomId)?.delete(queue);
      if (this.waiting.get(roomId)?.size === 0) this.waiting.delete(roomId);
    });
  }

  private sendDurable(queue: AckQueue): void {
    let sent = 0;
    while (sent < queue.held.length && this.journal.isDurable(queue.roomId, queue.held[sent].seq)) {
      queue.send(queue.held[sent].frame);
      sent++;
    }
    if (sent > 0) queue.held.splice(0, sent);
  }
}
