import type { beforeHandleAwarenessPayload, Connection, Document } from '@hocuspocus/server';
import type { Metrics } from '../metrics.ts';
import { isFromRedis } from './change-origins.ts';
import type { ClientOwnership } from './client-ownership.ts';

/** Largest awareness state of one client, as JSON (cursor, selection and user fit in well under 1 KiB). */
export const MAX_AWARENESS_STATE_CHARS = 8 * 1024;
/** Awareness client ids one connection may own, counted within a frame too (a provider has one; a few allow for reconnects). */
export const MAX_CLIENTS_PER_CONNECTION = 4;
/** Awareness states a room may hold, from every instance together (a pair-programming room has a handful). */
export const MAX_AWARENESS_STATES_PER_ROOM = 256;

/**
 * Filters the states of one incoming awareness frame before Hocuspocus
 * applies it (what is dropped is simply not applied; the rest is).
 *
 * From a client connection, a state is dropped when it is over 8 KiB, when
 * its client id is owned by another live connection here, when it is set
 * from another instance (a state the room holds that no connection here
 * owns), when the connection would own more than 4 ids (counting the new
 * ones in this very frame), or when the room is full (256 states).
 *
 * From another instance (Redis), a state is dropped when a connection here
 * owns its client id (only the instance holding a client's connection may
 * set or clear its state), or when it is new and the room is full.
 */
export function filterAwarenessStates(
  { connection, document, states, transactionOrigin }: Pick<beforeHandleAwarenessPayload, 'connection' | 'document' | 'states' | 'transactionOrigin'>,
  frameBytes: number,
  ownership: ClientOwnership,
  metrics: Pick<Metrics, 'updatesRejected'>,
): void {
  if (connection) filterFromConnection(connection, document, states, frameBytes, ownership, metrics);
  else if (isFromRedis(transactionOrigin)) filterFromPeer(document, states, ownership, metrics);
}

function filterFromConnection(
  connection: Connection,
  document: Document,
  states: Map<number, unknown>,
  frameBytes: number,
  ownership: ClientOwnership,
  metrics: Pick<Metrics, 'updatesRejected'>,
): void {
  const own = document.connections.get(connection)?.clients;
  let owned = own?.size ?? 0;
  let roomStates = document.awareness.states.size;
  // A state is JSON inside the frame (UTF-8, never shorter than the UTF-16
  // length); a frame this small cannot hold an oversized one.
  const measure = frameBytes > MAX_AWARENESS_STATE_CHARS;
  for (const [clientId, state] of states) {
    let refused = measure && state !== null && JSON.stringify(state).length > MAX_AWARENESS_STATE_CHARS;
    if (!refused && !own?.has(clientId)) {
      const known = document.awareness.states.has(clientId);
      refused =
        owned >= MAX_CLIENTS_PER_CONNECTION ||
        (!known && roomStates >= MAX_AWARENESS_STATES_PER_ROOM) ||
        ownership.ownedByAnother(document, clientId, connection) ||
        // Held by no connection here, so set from another instance: only that one may change it.
        (known && !ownership.hasWritten(connection, clientId));
      if (!refused) {
        owned++;
        if (!known) roomStates++;
      }
    }
    if (refused) {
      states.delete(clientId);
      metrics.updatesRejected.labels('awareness').inc();
    }
  }
}

function filterFromPeer(document: Document, states: Map<number, unknown>, ownership: ClientOwnership, metrics: Pick<Metrics, 'updatesRejected'>): void {
  let roomStates = document.awareness.states.size;
  for (const clientId of states.keys()) {
    const known = document.awareness.states.has(clientId);
    const refused = ownership.ownedByAnother(document, clientId, undefined) || (!known && roomStates >= MAX_AWARENESS_STATES_PER_ROOM);
    if (refused) {
      states.delete(clientId);
      metrics.updatesRejected.labels('awareness').inc();
    } else if (!known) roomStates++;
  }
}
