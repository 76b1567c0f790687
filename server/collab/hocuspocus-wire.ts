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
