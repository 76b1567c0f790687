import type { Connection, Document } from '@hocuspocus/server';

/**
 * Which live connection of a room owns a Yjs client id (see the ownership
 * rule in `shared/protocol.ts`): the client ids a connection has written
 * structs under, and the awareness client ids Hocuspocus registered for it.
 * A connection's claims end with it (Hocuspocus drops it from the room),
 * so a client that reconnects takes its id back.
 */
export class ClientOwnership {
  private readonly written = new WeakMap<Connection, Set<number>>();

  /** True when a live connection of `document` other than `connection` owns `client`. */
  ownedByAnother(document: Document, client: number, connection: Connection | undefined): boolean {
    if (connection !== undefined && this.written.get(connection)?.has(client)) return false;
    for (const [other, entry] of document.connections) {
      if (other !== connection && (entry.clients.has(client) || this.written.get(other)?.has(client))) return true;
    }
    return false;
  }

  /** True when `connection` wrote structs under `client`. */
  hasWritten(connection: Connection, client: number): boolean {
    return this.written.get(connection)?.has(client) ?? false;
  }

  /** Records that `connection` writes under `clients` (after its update was accepted). */
  claim(connection: Connection, clients: readonly number[]): void {
    if (clients.length === 0) return;
    let own = this.written.get(connection);
    if (!own) {
      own = new Set();
      this.written.set(connection, own);
    }
    for (const client of clients) own.add(client);
  }
}
