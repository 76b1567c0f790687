/**
 * A new client key (see "Client keys" in `shared/protocol.ts`): 16 random
 * bytes in base64url. One per `Y.Doc`, kept in memory for that document's
 * life, so that nobody else can write under its client id while it is
 * offline, and its reconnects are never refused for racing the old socket.
 */
export function newClientKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
