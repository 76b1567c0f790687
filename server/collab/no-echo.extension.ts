import type { afterLoadDocumentPayload, Connection, Document, Extension } from '@hocuspocus/server';
import { isTransactionOrigin, OutgoingMessage } from '@hocuspocus/server';

/** The private members of Hocuspocus 4's `Document` this replaces or calls. */
interface DocumentInternals {
  broadcastUpdate(update: Uint8Array): void;
  broadcast(encode: (address: string) => Uint8Array, filter?: (connection: Connection) => boolean): void;
}

/**
 * Stops a room from sending a change back to the connection it came from.
 * Hocuspocus broadcasts every change to all of a room's connections, the
 * sender included, which already holds it (and gets its acknowledgement
 * anyway): in a pair that is every other update message, in a room of five
 * one send in six per keystroke, and a send's syscall is most of what a
 * delivery costs. A window's changes merged from several connections still
 * go to all of them.
 */
export class NoEchoExtension implements Extension {
  extensionName = 'pairpad-no-echo';

  async afterLoadDocument({ document }: afterLoadDocumentPayload): Promise<void> {
    skipEchoes(document);
  }
}

/** Wraps the document's update callback and broadcast; see {@link NoEchoExtension}. */
export function skipEchoes(document: Document): void {
  const internals = document as unknown as DocumentInternals;
  // A Hocuspocus without these members broadcasts as it always did (the tests notice).
  if (typeof internals.broadcastUpdate !== 'function' || typeof internals.broadcast !== 'function') return;
  const onUpdate = document.callbacks.onUpdate;
  /** Changes are waiting for the next broadcast (Hocuspocus batches each event-loop turn or window). */
  let pending = false;
  /** The one connection all of them came from; null when several, or not from a connection. */
  let sender: Connection | null = null;
  // Hocuspocus calls this for each change, then buffers or broadcasts it.
  document.callbacks.onUpdate = (doc, origin, update) => {
    const from = isTransactionOrigin(origin) && origin.source === 'connection' ? origin.connection : null;
    sender = !pending || sender === from ? from : null;
    pending = true;
    onUpdate(doc, origin, update);
  };
  internals.broadcastUpdate = (update) => {
    const skip = sender;
    pending = false;
    sender = null;
    internals.broadcast(
      (address) => new OutgoingMessage(address).createSyncMessage().writeUpdate(update).toUint8Array(),
      skip === null ? undefined : (connection) => connection !== skip,
    );
  };
}
