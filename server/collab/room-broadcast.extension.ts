import type { afterLoadDocumentPayload, Connection, Document, Extension } from '@hocuspocus/server';
import { OutgoingMessage } from '@hocuspocus/server';
import { senderOf } from './change-origins.ts';

/**
 * Changes one broadcast window may gather. Hocuspocus merges a window's
 * changes with `Y.mergeUpdates`, which is quadratic in their number; a
 * window bounded only by bytes (1 MiB) held tens of thousands of keystrokes
 * when a client sent fast (a paste of a typed history, a reconnect's queue),
 * and merging them took the server's whole core for minutes.
 */
export const MAX_CHANGES_PER_BROADCAST = 64;

/** The private members of Hocuspocus 4's `Document` this replaces or calls. */
interface DocumentInternals {
  broadcastUpdate(update: Uint8Array): void;
  broadcast(encode: (address: string) => Uint8Array, filter?: (connection: Connection) => boolean): void;
}

/**
 * How a room's changes reach its connections: Hocuspocus's broadcast, with
 * two changes.
 * - Not back to the sender. Hocuspocus sends every change to all of a
 *   room's connections, the one it came from included, which holds it
 *   already (and gets its acknowledgement anyway): in a room of five that
 *   is one send in six per keystroke, and a send's syscall is most of what
 *   a delivery costs. Changes merged from several connections go to all.
 * - At most {@link MAX_CHANGES_PER_BROADCAST} changes per broadcast: a
 *   fuller window is sent at once.
 */
export class RoomBroadcastExtension implements Extension {
  extensionName = 'pairpad-room-broadcast';

  async afterLoadDocument({ document }: afterLoadDocumentPayload): Promise<void> {
    adjustBroadcast(document);
  }
}

/** Wraps the document's update callback and broadcast; see {@link RoomBroadcastExtension}. */
export function adjustBroadcast(document: Document): void {
  const internals = document as unknown as DocumentInternals;
  // A Hocuspocus without these members broadcasts as it always did (the tests notice).
  if (typeof internals.broadcastUpdate !== 'function' || typeof internals.broadcast !== 'function') return;
  const onUpdate = document.callbacks.onUpdate;
  /** Changes waiting for the next broadcast (Hocuspocus batches each event-loop turn, or a wider window). */
  let pending = 0;
  /** The one connection all of them came from; null when several, or not from a connection. */
  let sender: Connection | null = null;
  // Hocuspocus calls this for each change, then buffers or broadcasts it.
  document.callbacks.onUpdate = (doc, origin, update) => {
    if (pending >= MAX_CHANGES_PER_BROADCAST) document.flush();
    const from = senderOf(origin) ?? null;
    sender = pending === 0 || sender === from ? from : null;
    pending++;
    onUpdate(doc, origin, update);
  };
  internals.broadcastUpdate = (update) => {
    const skip = sender;
    pending = 0;
    sender = null;
    internals.broadcast(
      (address) => new OutgoingMessage(address).createSyncMessage().writeUpdate(update).toUint8Array(),
      skip === null ? undefined : (connection) => connection !== skip,
    );
  };
}
