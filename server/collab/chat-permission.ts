import type { Document } from '@hocuspocus/server';
import { META_LOCKED, META_MAP } from '../../shared/protocol.ts';
import type { ConnectionContext } from './connection-context.ts';

/**
 * Whether a connection may append to the room's chat (`shared/protocol.ts`,
 * "Chat"): anyone in the room, viewers included, unless the room is locked
 * (`meta.locked === true`), when only the owner may: the connection whose
 * context the room gate marked `owner` (owner key or `owner` token).
 */
export function mayChat(context: ConnectionContext | undefined, document: Document): boolean {
  if (document.share.get(META_MAP) === undefined) return true;
  if (document.getMap(META_MAP).get(META_LOCKED) !== true) return true;
  return context?.owner === true;
}
