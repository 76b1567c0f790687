import type { Document } from '@hocuspocus/server';
import { senderOf } from './change-origins.ts';

/**
 * Keeps the awareness client ids Hocuspocus registers per connection
 * complete, so that closing a connection removes (and broadcasts the
 * removal of, here and through Redis) every state it set.
 *
 * Hocuspocus 4 adds an id to the set of the connection that sent it only
 * when the state is `added`, that is when the room never held that id. A
 * room remembers an id after its state is removed (y-protocols keeps its
 * clock), so a client that reconnects, after its old socket closed or
 * taking its id over from a lingering one with its key, sets its state as
 * `updated`: no connection's set held the id. When that client's network
 * dropped again its state stayed with everyone until the clients' own 30 s
 * awareness timeout (issue 14, item 4); and until then the awareness guard,
 * finding a state that no connection here owns, took it for another
 * instance's and refused every change to it (a cursor that stopped moving
 * for the others until the client typed).
 *
 * What reaches the room from a connection has passed the awareness guard
 * (`awareness-guard.ts`), which lets a connection set only ids no other
 * live connection owns, or that it just took over; so each id set here is
 * the sender's own.
 */
export function trackAwarenessOwners(document: Document): void {
  document.awareness.on('update', ({ updated }: { updated: number[] }, origin: unknown) => {
    if (updated.length === 0) return;
    const connection = senderOf(origin);
    const entry = connection === undefined ? undefined : document.connections.get(connection);
    if (!entry) return;
    for (const client of updated) if (document.awareness.states.has(client)) entry.clients.add(client);
  });
}
