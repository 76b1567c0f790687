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

  /**
   * Gives `client` to `connection` (it holds the key the id is bound to, see
   * `client-keys.ts`): every other connection of `document` loses its claim,
   * and its awareness id too, so that when that old socket is finally
   * noticed its close does not remove the new connection's cursor.
   */
  takeOver(document: Document, client: number, connection: Connection): void {
    for (const [other, entry] of document.connections) {
      if (other === connection) continue;
      this.written.get(other)?.delete(client);
      entry.clients.delete(client);
    }
    let own = this.written.get(connection);
    if (!own) {
      own = new Set();
      this.written.set(connection, own);
    }
    own.add(client);
  }

  /**
   * Records that `connection` wrote new structs under `writers` (its update
   * was accepted). An update under one client id is that client's typing; a
   * batch under several (a reconnect's sync) may carry other people's edits
   * this room has not seen yet (another instance had them), so of a batch
   * only the connection's awareness ids are claimed.
   */
  claim(connection: Connection, writers: readonly number[], awarenessIds: ReadonlySet<number> | undefined): void {
    if (writers.length === 0) return;
    let own = this.written.get(connection);
    for (const client of writers) {
      if (writers.length > 1 && !awarenessIds?.has(client)) continue;
      if (!own) {
        own = new Set();
        this.written.set(connection, own);
      }
      own.add(client);
    }
  }
}
