import type { Grant } from '../auth/tokens.ts';

/**
 * The Hocuspocus context of one socket. `views` is shared by every document
 * on the socket: rooms it opened through a view id (room id to view id),
 * which the room gate makes read-only. `grant` and `expiryTimer` are added
 * per document by the room gate when tokens are required.
 */
export interface ConnectionContext {
  views: Map<string, string>;
  /**
   * Rooms this socket opened through an edit id the socket resolved itself
   * (room key to edit id): after a rotation the edit id is not the room's
   * key, which is the document name (`docs/owner.md`).
   */
  edits?: Map<string, string>;
  /** Set by the room gate for a document: this connection is the room's owner (owner key or `owner` token). */
  owner?: boolean;
  /** Closes the socket itself (every document on it) with a code from `shared/protocol.ts`. */
  closeSocket(code: number, reason: string): void;
  grant?: Grant;
  expiryTimer?: NodeJS.Timeout;
}
