import type { Awareness } from 'y-protocols/awareness';
import type { UserIdentity } from './identity.ts';
import { diffPeers, listPeers, type Peer } from './peers.ts';

/** Presence of a room, from the provider's awareness. */
export interface PresenceTracker {
  /** Everyone in the room now, this tab first. */
  readonly peers: readonly Peer[];
  /** Publishes this user's name and colour (awareness field `user`). */
  setUser(user: UserIdentity): void;
  /**
   * Calls `listener` whenever someone joins, leaves or renames. `joined`
   * and `left` are empty when `announce` was false at that moment.
   */
  subscribe(listener: (peers: readonly Peer[], change: { joined: Peer[]; left: Peer[] }) => void): () => void;
  /** Whether join and leave are reported (off while the socket is down, so a reconnect does not announce everyone). */
  setAnnouncing(announce: boolean): void;
  destroy(): void;
}

/** Tracks who is in the room from awareness; names and colours are cleaned by {@link listPeers}. */
export function trackPresence(awareness: Awareness): PresenceTracker {
  const listeners = new Set<(peers: readonly Peer[], change: { joined: Peer[]; left: Peer[] }) => void>();
  let peers = listPeers(awareness.getStates(), awareness.clientID);
  let announcing = false;

  function onChange(): void {
    const next = listPeers(awareness.getStates(), awareness.clientID);
    // Cursor moves also fire `change`; only the list of people matters here.
    if (signature(next) === signature(peers)) return;
    const change = announcing ? diffPeers(peers, next) : { joined: [], left: [] };
    peers = next;
    for (const listener of listeners) listener(peers, change);
  }

  awareness.on('change', onChange);
  return {
    get peers() {
      return peers;
    },
    setUser(user) {
      awareness.setLocalStateField('user', { ...user });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setAnnouncing(announce) {
      announcing = announce;
    },
    destroy() {
      awareness.off('change', onChange);
      listeners.clear();
    },
  };
}

function signature(peers: readonly Peer[]): string {
  return peers.map((peer) => `${peer.clientId}:${peer.color}:${peer.name}`).join('\n');
}
