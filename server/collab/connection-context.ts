/**
 * The Hocuspocus context of one socket (shared by every document on it):
 * rooms this socket opened with a view id, which the room gate makes
 * read-only.
 */
export interface ConnectionContext {
  readOnlyRooms: Set<string>;
}
