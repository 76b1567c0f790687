/**
 * What Pairpad reads of Hocuspocus's wire format, in one place: the message
 * types (Hocuspocus's own `MessageType`) and the answers to an
 * authentication message, which it does not export.
 */
export { MessageType } from '@hocuspocus/server';

/** The second field of an `Auth` message from the server. */
export const AuthAnswer = { permissionDenied: 1, authenticated: 2 } as const;

/** Bytes one socket may send for rooms not yet open to it: before authentication on `/collab`, before the room is found on `/yjs`. */
export const MAX_UNAUTHENTICATED_BYTES = 4 * 1024 * 1024;

/**
 * The message type of a Hocuspocus frame (after its address, a var string),
 * or -1 for a frame too short to hold one. Reads the bytes in place, with no
 * decoder: it runs for every frame sent to every connection.
 */
export function messageTypeOf(frame: Uint8Array): number {
  let position = 0;
  let length = 0;
  let factor = 1;
  let byte: number | undefined;
  do {
    byte = frame[position++];
    if (byte === undefined) return -1;
    length += (byte & 0x7f) * factor;
    factor *= 128;
  } while (byte >= 0x80);
  const type = frame[position + length];
  // Every message type is below 128, so one byte.
  return type === undefined || type >= 0x80 ? -1 : type;
}
