/**
 * WebSocket close codes (4000-4999 are ours by RFC 6455). A Hocuspocus
 * client also receives the reason as the refusal of that document
 * (`onAuthenticationFailed`), since one socket may carry several documents.
 */
export const CloseCode = {
  /** The room id is malformed or no such room exists. Nothing was created. */
  roomNotFound: 4404,
  /** The server is shutting down or restarting; reconnect (1012 "Service Restart"). */
  serviceRestart: 1012,
  /**
   * A message could not be decoded (garbage or truncated bytes), or an
   * update breaks the guard's rules (layout, invariant, ownership, held too
   * long; see "What the server accepts" in `shared/protocol.ts`); the room is untouched.
   */
  malformedMessage: 4400,
  /** No token, or a token that is invalid or expired (also sent when a token expires mid-session). */
  unauthorized: 4401,
  /**
   * The token is valid but not for this room or role, or the page's origin
   * is not allowed; or (reason `removed`) the room's owner removed this
   * participant. Removal is not a ban: the web client does not reconnect
   * by itself after it, a client that does is admitted again.
   */
  forbidden: 4403,
  /** The room's owner removed this participant (same code as {@link CloseCode.forbidden}, reason `removed`). */
  removed: 4403,
  /**
   * The room admits no more editors (the owner's `maxEditors`; viewers are
   * not counted, nor is the owner ever refused). Reason `room full`.
   */
  roomFull: 4409,
  /**
   * The owner rotated the room's links (reason `link rotated`): the edit and
   * view ids this socket used open nothing any more (same code as
   * {@link CloseCode.roomNotFound}). Ask the owner for the new link.
   */
  linkRotated: 4404,
  /** The owner deleted the room and everything in it (reason `room deleted`). */
  roomDeleted: 4410,
  /**
   * An update would make the room larger than the server's limit
   * (`MAX_DOCUMENT_BYTES`, counting every file's text and path), or leave it
   * with more than `MAX_FILES` files or `MAX_FOLDERS` folders (reason
   * `too many files`), or with more than `CHAT_MAX_LIVE` chat messages before
   * the server trims (reason `chat full`; these limits are in
   * `shared/protocol.ts`); it was not applied.
   */
  documentTooLarge: 4413,
  /**
   * A per-socket bound of `/collab` was passed (documents, refusals,
   * authentication attempts, bytes before authentication); the reason says
   * which. A fast sender is slowed down, never closed with this.
   */
  tooManyMessages: 4429,
  /**
   * Neither a message nor a pong for the idle timeout (Hocuspocus's `timeout`,
   * 60 s): the client is gone. A client that answers WebSocket pings is never
   * closed for being idle.
   */
  idleTimeout: 4408,
  /**
   * The client speaks an older protocol the server cannot serve: it sent a
   * document's sync before authenticating (`@hocuspocus/provider` 2.x
   * without a token). Upgrade to `@hocuspocus/provider` 3 or later.
   */
  unsupportedClient: 4426,
  /**
   * 1013 "Try Again Later": the connection kept sending faster than the
   * server reads even while slowed down (see docs/protocol.md), or the
   * database could not say whether a client id is bound to a key (the update
   * was not applied; the client resends it). Every stock client reconnects
   * after it; nothing it sent before was dropped. Also sent, when the owner
   * unlocks a room, to a client whose edits the lock dropped, so that it
   * resynchronises (`docs/owner.md`).
   */
  tryAgainLater: 1013,
} as const;

/** The reason sent with each close code (a Hocuspocus client gets it as the document's refusal). */
export const CloseReason = {
  roomNotFound: 'room not found',
  serviceRestart: 'server restarting',
  malformedMessage: 'malformed message',
  forbidden: 'forbidden',
  removed: 'removed',
  roomFull: 'room full',
  linkRotated: 'link rotated',
  roomDeleted: 'room deleted',
  documentTooLarge: 'document too large',
  tooManyFiles: 'too many files',
  tooManyMessages: 'too many messages',
  unauthorized: 'unauthorized',
  tokenExpired: 'unauthorized: the token has expired',
  idleTimeout: 'idle timeout',
  unsupportedClient: 'unsupported client: authenticate before syncing (@hocuspocus/provider 3 or later)',
  tryAgainLater: 'try again later: sending too fast',
  chatFull: 'chat full',
  keysUnavailable: 'try again later: client keys unavailable',
  roomUnlocked: 'try again later: the room was unlocked, resynchronise',
} as const;
