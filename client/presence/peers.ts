import { sanitizeRemoteUser, type UserIdentity } from './identity.ts';

/** One client in the room, as the presence bar shows it. */
export interface Peer extends UserIdentity {
  /** Awareness client id (one per tab). */
  clientId: number;
  /** True for this tab. */
  isSelf: boolean;
}

/**
 * The people in a room from awareness states (`Map<clientId, state>`):
 * clients without a `user` field are still connecting and left out; this tab
 * comes first, then everyone by name.
 */
export function listPeers(states: ReadonlyMap<number, unknown>, selfId: number): Peer[] {
  const peers: Peer[] = [];
  for (const [clientId, state] of states) {
    if (typeof state !== 'object' || state === null || !('user' in state)) continue;
    const user = sanitizeRemoteUser((state as { user: unknown }).user, clientId);
    peers.push({ ...user, clientId, isSelf: clientId === selfId });
  }
  return peers.sort((a, b) => {
    if (a.isSelf !== b.isSelf) return a.isSelf ? -1 : 1;
    return a.name.localeCompare(b.name) || a.clientId - b.clientId;
  });
}

/** Who arrived and who left between two lists from {@link listPeers}; this tab is never reported. */
export function diffPeers(before: readonly Peer[], after: readonly Peer[]): { joined: Peer[]; left: Peer[] } {
  const beforeIds = new Set(before.map((peer) => peer.clientId));
  const afterIds = new Set(after.map((peer) => peer.clientId));
  return {
    joined: after.filter((peer) => !peer.isSelf && !beforeIds.has(peer.clientId)),
    left: before.filter((peer) => !peer.isSelf && !afterIds.has(peer.clientId)),
  };
}
