import type { Document } from '@hocuspocus/server';

/** How long an answer about an instance's liveness is reused. */
const LIVENESS_CACHE_MS = 1_000;

/** Asks Redis whether an instance is alive (see `RedisSyncExtension.isInstanceAlive`). */
export type LivenessCheck = (instance: string) => Promise<boolean>;

/**
 * Which client ids of a room connections on OTHER instances own, with
 * Redis: the instance that relayed a client id's awareness state last
 * (an instance relays only the states of its own connections, see
 * `redis-sync.extension.ts`). A claim ends when that instance relays the
 * state's removal, when the state leaves the room (its 30 s awareness
 * timeout), or when the instance is no longer alive: its heartbeat key has
 * expired (15 s after it stopped refreshing it) or its Redis subscriber is
 * gone (at once when its process dies, since the OS closes its sockets).
 *
 * The keystroke path costs one Map lookup ({@link ownerOf}); liveness is
 * asked only when a claim stands in the way of a write, and cached for a
 * second.
 */
export class RemoteOwners {
  private readonly owners = new WeakMap<Document, Map<number, string>>();
  private readonly liveness = new Map<string, { alive: Promise<boolean>; at: number }>();

  constructor(private readonly check: LivenessCheck) {}

  /** Another instance relayed a (non-null) state of `client`: its connection owns that id. */
  record(document: Document, client: number, instance: string): void {
    let owners = this.owners.get(document);
    if (!owners) {
      owners = new Map();
      this.owners.set(document, owners);
    }
    owners.set(client, instance);
  }

  /** `instance` relayed the removal of `client`'s state: its connection is gone. */
  release(document: Document, client: number, instance: string): void {
    const owners = this.owners.get(document);
    if (owners?.get(client) === instance) owners.delete(client);
  }

  /** The instance whose connection claims `client` in `document`, if any (alive or not). */
  ownerOf(document: Document, client: number): string | undefined {
    const owner = this.owners.get(document)?.get(client);
    if (owner === undefined) return undefined;
    // The state timed out here (no renewal for 30 s): the claim went with it.
    if (!document.awareness.states.has(client)) {
      this.owners.get(document)!.delete(client);
      return undefined;
    }
    return owner;
  }

  /** True when `instance` is alive (asked at most once a second per instance). */
  isAlive(instance: string): Promise<boolean> {
    const now = Date.now();
    const cached = this.liveness.get(instance);
    if (cached && now - cached.at < LIVENESS_CACHE_MS) return cached.alive;
    // An unanswerable question (Redis away) counts as not alive: see docs/security.md.
    const alive = this.check(instance).catch(() => false);
    this.liveness.set(instance, { alive, at: now });
    if (this.liveness.size > 1_000) this.pruneLiveness(now);
    return alive;
  }

  private pruneLiveness(now: number): void {
    for (const [instance, { at }] of this.liveness) if (now - at >= LIVENESS_CACHE_MS) this.liveness.delete(instance);
  }
}
