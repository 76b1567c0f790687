import * as Y from 'yjs';
import type { Logger } from '../log.ts';
import type { EncodedRoom, RoomReplicas } from './room-replicas.ts';

/**
 * Structs per chunk when a large room loads in pieces. In a room of two
 * million characters (40,000 structs) a chunk of 250 integrated in 0–13 ms
 * (`npm run bench:load-chunks`), the whole state at once in 70–120 ms.
 */
const LOAD_CHUNK_STRUCTS = 100;

/**
 * A large room's stored state as chunks to apply one per turn, split in the
 * worker; a small room's (or when the worker fails) as the one update.
 * Clients see the room only once every chunk is applied: Hocuspocus awaits this load.
 */
export async function splitForLoad(replicas: RoomReplicas | undefined, log: Logger, roomId: string, state: Uint8Array): Promise<Uint8Array[]> {
  if (!replicas?.isLarge(state.length)) return [state];
  try {
    return await replicas.split(state, LOAD_CHUNK_STRUCTS);
  } catch (error) {
    log.warn({ err: error, roomId }, 'fold worker could not split the room; loading it in one piece');
    return [state];
  }
}

/**
 * The room encoded off the main thread, or `undefined` to encode it here
 * (small room, no replica, worker failed, or a copy that does not hold what
 * the document held when the encoding was asked for: then it is dropped, and
 * the encoding here seeds a new one).
 */
export async function encodeInWorker(replicas: RoomReplicas | undefined, log: Logger, roomId: string, document: Y.Doc, fileIds: string[]): Promise<EncodedRoom | undefined> {
  if (!replicas?.has(roomId)) return undefined;
  // What the copy must hold: the document as it is when the request is posted (in this same turn).
  const expected = Y.encodeStateVector(document);
  let encoded: EncodedRoom;
  try {
    encoded = await replicas.encode(roomId, fileIds);
  } catch (error) {
    log.warn({ err: error, roomId }, 'fold worker could not encode the room; encoding it on the main thread');
    return undefined;
  }
  if (sameStateVector(encoded.stateVector, expected)) return encoded;
  log.error({ roomId }, "the fold worker's copy of the room differs from the room; encoding it on the main thread and copying it again");
  replicas.drop(roomId);
  return undefined;
}

/** True when two encoded state vectors name the same clocks (whatever the order of their entries). */
function sameStateVector(a: Uint8Array, b: Uint8Array): boolean {
  const left = Y.decodeStateVector(a);
  const right = Y.decodeStateVector(b);
  if (left.size !== right.size) return false;
  for (const [client, clock] of left) if (right.get(client) !== clock) return false;
  return true;
}
