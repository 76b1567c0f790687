import { AWARENESS_OWNER, AWARENESS_WATCHING } from '../../shared/protocol.ts';
import { sanitizeRemoteUser, type UserIdentity } from './identity.ts';

/** One client in the room, as the presence bar shows it. */
export interface Peer extends UserIdentity {
  /** Awareness client id (one per tab). */
  clientId: number;
  /** True for this tab. */
  isSelf: boolean;
  /** On a view link: watches, cannot edit, has no cursor (awareness `watching`). */
  watching: boolean;
  /** A watcher who gave no name: counted, not listed or announced. */
  anonymous: boolean;
  /** The room's owner (awareness `owner`, which only the server sets). */
  owner: boolean;
}

/**
 * The people in a room from awareness states (`Map<clientId, state>`):
 * clients without a `user` field are still connecting and left out; this tab
 * comes first, then everyone by name.
 */
export function listPeers(states: ReadonlyMap<number, unknown>, selfId: number): Peer[] {
  const peers: Peer[] = [];
  for (const [clientId, state] of states) {
    if (typeof state !== 'object' || state === null) continue;
    const watching = (state as Record<string, unknown>)[AWARENESS_WATCHING] === true;
    const named = 'user' in state;
    if (!named && !watching) continue;
    const user = sanitizeRemoteUser(named ? (state as { user: unknown }).user : {}, clientId);
    const owner = (state as Record<string, unknown>)[AWARENESS_OWNER] === true;
    peers.push({ ...user, clientId, isSelf: clientId === selfId, watching, anonymous: !named, owner });
  }
  return peers.sort((a, b) => {
    if (a.isSelf !== b.isSelf) return a.isSelf ? -1 : 1;
    return a.name.localeCompare(b.name) || a.clientId - b.clientId;
  });
}

/**
 * Who a peer is: its browser id (`user.id`, the same in all its tabs), else
 * its client id (a client that sends none counts as one person per tab).
 */
export function personKey(peer: Pick<Peer, 'clientId' | 'id'>): string {
  return peer.id === undefined ? `client:${peer.clientId}` : `user:${peer.id}`;
}

/**
 * One entry per person from a list of {@link listPeers}: the tabs of one
 * browser collapse into the first of them (this tab when it is one of
 * them, as the list puts this tab first).
 */
export function listPeople(peers: readonly Peer[]): Peer[] {
  const seen = new Set<string>();
  const self = peers.find((peer) => peer.isSelf);
  const selfKey = self ? personKey(self) : undefined;
  return peers.filter((peer) => {
    const key = personKey(peer);
    // My own other tabs are me.
    if (!peer.isSelf && key === selfKey) return false;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Who arrived and who left between two lists from {@link listPeers}, by
 * person: a second tab of someone present is no arrival, and closing one of
 * two tabs no departure. This browser is never reported.
 */
export function diffPeers(before: readonly Peer[], after: readonly Peer[]): { joined: Peer[]; left: Peer[] } {
  const selfKeys = new Set([...before, ...after].filter((peer) => peer.isSelf).map(personKey));
  const beforeKeys = new Set(before.map(personKey));
  const afterKeys = new Set(after.map(personKey));
  const others = (peers: readonly Peer[]) => listPeople(peers).filter((peer) => !peer.isSelf && !peer.anonymous && !selfKeys.has(personKey(peer)));
  return {
    joined: others(after).filter((peer) => !beforeKeys.has(personKey(peer))),
    left: others(before).filter((peer) => !afterKeys.has(personKey(peer))),
  };
}
