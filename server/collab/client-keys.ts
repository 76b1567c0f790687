import { createHash } from 'node:crypto';
import type { Connection, Document } from '@hocuspocus/server';
import { CLIENT_KEY_PARAM, isClientKeyFormat } from '../../shared/protocol.ts';
import type { RoomStore } from '../storage/room-store.ts';

/** Where bindings are stored (the database, shared by every instance). */
export type ClientKeyStore = Pick<RoomStore, 'findClientKeys' | 'bindClientKey'>;

/** What {@link ClientKeys.settle} found about the writers of an update. */
export type KeyVerdict = 'allowed' | 'refused' | 'unavailable';

/**
 * Client keys (see "Client keys" in `shared/protocol.ts`): which key's hash
 * each client id of a room is bound to, and whether a connection may write
 * under an id.
 *
 * The keystroke path costs a WeakMap and a Set lookup ({@link unchecked}):
 * a connection's writers are looked up (and, for its own ids, bound) once
 * per connection and id. Bindings never change, so what this instance read
 * or wrote of them is cached for as long as the room is loaded (every
 * binding is read when the room loads); whether an id is unbound is asked
 * of the database, since another instance may have bound it since.
 *
 * While the database does not answer, editing goes on (an outage must not
 * stop anyone typing): what is known here decides, an id not known to be
 * bound counts as unbound, and a keyed connection's new binding is kept
 * here and stored once the database answers again. The gap this leaves is
 * an id bound on another instance, after this one loaded the room, during
 * the outage.
 */
export class ClientKeys {
  /** SHA-256 of a connection's key (base64url), or null without one. */
  private readonly keyHashes = new WeakMap<Connection, string | null>();
  /** Bindings known here, per loaded room. */
  private readonly bindings = new WeakMap<Document, Map<number, string>>();
  /** Client ids a connection's writes were checked for (bound to its key, or unbound when checked). */
  private readonly checked = new WeakMap<Connection, Set<number>>();
  /** Bindings made here while the database did not answer, to be stored when it does. */
  private readonly unstored = new WeakMap<Document, Map<number, string>>();

  constructor(private readonly store: ClientKeyStore) {}

  /** Reads every binding of a room as it loads, so that an outage later finds them here. */
  async preload(document: Document): Promise<void> {
    try {
      const known = this.knownOf(document);
      for (const [client, bound] of await this.store.findClientKeys(document.name)) known.set(client, bound);
    } catch {
      // Read per id at the first write instead.
    }
  }

  /** The writers `connection` has not been checked for yet, or undefined when there are none (the keystroke path). */
  unchecked(connection: Connection, writers: readonly number[]): number[] | undefined {
    const checked = this.checked.get(connection);
    let missing: number[] | undefined;
    for (const client of writers) if (!checked?.has(client)) (missing ??= []).push(client);
    return missing;
  }

  /** True when `connection` has a key and `client` is known here to be bound to it. */
  holdsKey(document: Document, connection: Connection, client: number): boolean {
    const hash = this.keyHashOf(connection);
    return hash !== null && this.bindings.get(document)?.get(client) === hash;
  }

  /**
   * Decides whether `connection` may write under `writers` as far as keys go
   * (reading bindings from the database; binding to its key those that
   * `mayBind` says are the connection's own and that nobody bound yet), and
   * remembers the answer for the life of the connection when allowed.
   * 'unavailable' when the database did not answer.
   */
  async settle(document: Document, connection: Connection, writers: readonly number[], mayBind: (client: number) => boolean): Promise<KeyVerdict> {
    const hash = this.keyHashOf(connection);
    const known = this.knownOf(document);
    let answering = true;
    const unknown = writers.filter((client) => !known.has(client));
    if (unknown.length > 0) {
      try {
        for (const [client, bound] of await this.store.findClientKeys(document.name, unknown)) known.set(client, bound);
      } catch {
        answering = false;
      }
    }
    if (answering) this.storeUnstored(document);
    for (const client of writers) {
      let bound = known.get(client);
      if (bound === undefined && hash !== null && mayBind(client)) {
        if (answering) {
          try {
            bound = await this.store.bindClientKey(document.name, client, hash);
            if (bound === undefined) return 'unavailable'; // the room is gone from storage
          } catch {
            answering = false;
          }
        }
        if (!answering) {
          bound = hash;
          this.unstoredOf(document).set(client, hash);
        }
        known.set(client, bound!);
      }
      if (bound !== undefined && bound !== hash) return 'refused';
    }
    let checked = this.checked.get(connection);
    if (!checked) {
      checked = new Set();
      this.checked.set(connection, checked);
    }
    for (const client of writers) checked.add(client);
    return 'allowed';
  }

  /**
   * Binds `clients` (awareness ids the guard just accepted from `connection`,
   * so ids no other live connection owns) to the connection's key, in the
   * background: a client that goes offline before it ever wrote is
   * protected too. Ids known to be bound are skipped; a failure only leaves
   * the id to be bound at its first write.
   */
  bindInBackground(document: Document, connection: Connection, clients: readonly number[]): void {
    const hash = this.keyHashOf(connection);
    const known = this.bindings.get(document);
    if (hash === null) return;
    const unbound = known === undefined ? clients : clients.filter((client) => !known.has(client));
    if (unbound.length === 0) return;
    void (async () => {
      for (const client of unbound) {
        const bound = await this.store.bindClientKey(document.name, client, hash);
        if (bound === undefined) return;
        let cache = this.bindings.get(document);
        if (!cache) {
          cache = new Map();
          this.bindings.set(document, cache);
        }
        cache.set(client, bound);
      }
    })().catch(() => {});
  }

  private knownOf(document: Document): Map<number, string> {
    let known = this.bindings.get(document);
    if (!known) {
      known = new Map();
      this.bindings.set(document, known);
    }
    return known;
  }

  private unstoredOf(document: Document): Map<number, string> {
    let unstored = this.unstored.get(document);
    if (!unstored) {
      unstored = new Map();
      this.unstored.set(document, unstored);
    }
    return unstored;
  }

  /** Stores, in the background, the bindings made here during an outage; the first binding stored still wins. */
  private storeUnstored(document: Document): void {
    const unstored = this.unstored.get(document);
    if (!unstored || unstored.size === 0) return;
    const pending = [...unstored];
    unstored.clear();
    void (async () => {
      for (const [client, hash] of pending) {
        try {
          const bound = await this.store.bindClientKey(document.name, client, hash);
          if (bound !== undefined) this.knownOf(document).set(client, bound);
        } catch {
          unstored.set(client, hash); // still down: next time
        }
      }
    })();
  }

  /** The hash of the key in `connection`'s socket URL (read once per connection; the upgrade refused malformed ones). */
  private keyHashOf(connection: Connection): string | null {
    let hash = this.keyHashes.get(connection);
    if (hash === undefined) {
      const key = new URL(connection.request.url).searchParams.get(CLIENT_KEY_PARAM);
      hash = isClientKeyFormat(key) ? hashClientKey(key) : null;
      this.keyHashes.set(connection, hash);
    }
    return hash;
  }
}

/** What a binding stores of a key: its SHA-256, base64url (the key itself never leaves the connection). */
export function hashClientKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}
