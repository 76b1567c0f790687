import type { Document } from '@hocuspocus/server';
import { META_MAP } from '../../shared/protocol.ts';
import type { ConnectionContext } from './connection-context.ts';

/** `meta.locked` (issue 18): a locked room takes edits, chat included, from its owner only. */
const META_LOCKED = 'locked';

/**
 * Whether a connection may append to the room's chat (`shared/protocol.ts`,
 * "Chat"): anyone in the room, viewers included, unless the room is locked
 * (`meta.locked === true`), when only the owner may. The one place that
 * decides it, so that the owner controls plug in here: a connection is the
 * owner when its context says so (`owner: true`, set by whatever proves the
 * owner key; until that exists no connection is, and a locked room takes
 * no chat but the server's).
 */
export function mayChat(context: ConnectionContext | undefined, document: Document): boolean {
  if (document.share.get(META_MAP) === undefined) return true;
  if (document.getMap(META_MAP).get(META_LOCKED) !== true) return true;
  return (context as { owner?: unknown } | undefined)?.owner === true;
}
