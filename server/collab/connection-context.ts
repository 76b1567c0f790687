import type { Grant } from '../auth/tokens.ts';

/**
 * The Hocuspocus context of one socket. `views` is shared by every document
 * on the socket: rooms it opened through a view id (room id to view id),
 * which the room gate makes read-only. `grant` and `expiryTimer` are added
 * per document by the room gate when tokens are required.
 */
export interface ConnectionContext {
  views: Map<string, string>;
  /** Closes the socket itself (every document on it) with a code from `shared/protocol.ts`. */
  closeSocket(code: number, reason: string): void;
  grant?: Grant;
  expiryTimer?: NodeJS.Timeout;
}
