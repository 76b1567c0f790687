import type { beforeHandleAwarenessPayload, Connection, Document } from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import { MAX_AWARENESS_CLIENTS_PER_CONNECTION, MAX_AWARENESS_STATES_PER_ROOM } from '../../shared/protocol.ts';
import type { Metrics } from '../metrics.ts';
import { isFromRedis } from './change-origins.ts';
import type { ClientOwnership } from './client-ownership.ts';

/** Largest awareness state of one client, as JSON (cursor, selection and user fit in well under 1 KiB). */
export const MAX_AWARENESS_STATE_CHARS = 8 * 1024;
/** Awareness client ids one connection may own, counted within a frame too (a provider has one; a few allow for reconnects). */
export const MAX_CLIENTS_PER_CONNECTION = MAX_AWARENESS_CLIENTS_PER_CONNECTION;
/**
 * Awareness states a room may hold, from every instance together: 64
 * connections' worth at 4 each (a pair-programming room has a handful, and
 * each state costs every client a copy per awareness frame).
 */
export { MAX_AWARENESS_STATES_PER_ROOM };

/** What the guard read of a client's awareness frame before Hocuspocus applies it. */
export interface AwarenessFrame {
  bytes: number;
  /** The client ids the frame sets or clears. */
  clientIds: Set<number>;
}

/** Reads the client ids of an awareness update (`decoder` at its length prefix). Throws when it does not decode. */
export function readAwarenessFrame(decoder: decoding.Decoder, bytes: number): AwarenessFrame {
  const update = decoding.createDecoder(decoding.readVarUint8Array(decoder));
  const clientIds = new Set<number>();
  for (let count = decoding.readVarUint(update); count > 0; count--) {
    clientIds.add(decoding.readVarUint(update));
    decoding.readVarUint(update); // clock
    const length = decoding.readVarUint(update);
    update.pos += length; // the state's JSON, unread
    if (update.pos > update.arr.length) throw new Error('truncated awareness update');
  }
  return { bytes, clientIds };
}

/**
 * Filters the states of one incoming awareness frame before Hocuspocus
 * applies it (what is dropped is simply not applied; the rest is).
 *
 * From a client connection, only the ids the frame itself carries pass
 * (Hocuspocus 4 reads the frame into a scratch Awareness, whose own local
 * state, under a random id, comes along). A state is dropped when it is
 * over 8 KiB; when its client id is owned by another live connection here,
 * or it is set from another instance (a state the room holds that no
 * connection here owns), unless the connection holds the key that id is
 * bound to (then it takes the id over); when the connection would own more
 * than 4 ids (counting the new ones in this very frame); or when the room
 * is full (256 states).
 *
 * From another instance (Redis), a state is dropped when a connection here
 * owns its client id (only the instance holding a client's connection may
 * set or clear its state), or when it is new and the room is full.
 */
export function filterAwarenessStates(
  { connection, document, states, transactionOrigin }: Pick<beforeHandleAwarenessPayload, 'connection' | 'document' | 'states' | 'transactionOrigin'>,
  frame: AwarenessFrame | undefined,
  ownership: ClientOwnership,
  metrics: Pick<Metrics, 'updatesRejected'>,
  /** True when the connection holds the key `client` is bound to: it may take that id over (`client-keys.ts`). */
  holdsKey: (client: number) => boolean = () => false,
): void {
  if (connection) filterFromConnection(connection, document, states, frame, ownership, metrics, holdsKey);
  else if (isFromRedis(transactionOrigin)) filterFromPeer(document, states, ownership, metrics);
}

function filterFromConnection(
  connection: Connection,
  document: Document,
  states: Map<number, unknown>,
  frame: AwarenessFrame | undefined,
  ownership: ClientOwnership,
  metrics: Pick<Metrics, 'updatesRejected'>,
  holdsKey: (client: number) => boolean,
): void {
  const own = document.connections.get(connection)?.clients;
  let owned = own?.size ?? 0;
  let roomStates = document.awareness.states.size;
  // A state is JSON inside the frame (UTF-8, never shorter than the UTF-16
  // length); a frame this small cannot hold an oversized one.
  const measure = (frame?.bytes ?? Infinity) > MAX_AWARENESS_STATE_CHARS;
  for (const [clientId, state] of states) {
    // No frame read (a held update's blanked frame, with none before it): only the scratch Awareness's own id can be here.
    if (frame === undefined || !frame.clientIds.has(clientId)) {
      states.delete(clientId);
      continue;
    }
    let refused = measure && state !== null && JSON.stringify(state).length > MAX_AWARENESS_STATE_CHARS;
    if (!refused && !own?.has(clientId)) {
      const known = document.awareness.states.has(clientId);
      // The same client whose old socket lingers (here or on another instance) takes its id over.
      const takesOver = holdsKey(clientId);
      refused =
        owned >= MAX_CLIENTS_PER_CONNECTION ||
        (!known && roomStates >= MAX_AWARENESS_STATES_PER_ROOM) ||
        (!takesOver &&
          (ownership.ownedByAnother(document, clientId, connection) ||
            // Held by no connection here, so set from another instance: only that one may change it.
            (known && !ownership.hasWritten(connection, clientId))));
      if (!refused) {
        if (takesOver) ownership.takeOver(document, clientId, connection);
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
