import type {
  beforeHandleAwarenessPayload,
  Connection,
  connectedPayload,
  Extension,
  onAuthenticatePayload,
  onDisconnectPayload,
} from '@hocuspocus/server';
import { AWARENESS_FOLLOWING, AWARENESS_WATCHING, CloseCode, MAX_FOLLOWING_LENGTH, CloseReason, isRoomIdFormat } from '../../shared/protocol.ts';
import { grantAllows, TokenRefusal, type TokenVerifier } from '../auth/tokens.ts';
import type { RoomAccessResolver } from '../rooms/room-access.ts';
import { ownerKeyMatches } from '../owner/owner-key.ts';
import type { ConnectionContext } from './connection-context.ts';
import { ForbiddenRefusal, RoomNotFoundRefusal, UnauthorizedRefusal } from './refusals.ts';

// The longest delay setTimeout honours (a longer one fires at once).
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Who may open which room. A malformed name is refused before any query, an
 * unknown one after a lookup, and nothing is ever created by connecting.
 * Document names are edit ids only; a socket that reached the room through
 * its view id (`collab-socket.ts`, `yjs-bridge.ts`) is read-only and its
 * awareness is never applied. When tokens are required, the token must be
 * valid (else 4401) and for this room and role (else 4403); a view token
 * makes the connection read-only, and the socket closes with 4401 when it
 * expires. The token is checked before the room is looked up, so a client
 * without a valid one learns nothing about which rooms exist.
 */
export class RoomGateExtension implements Extension {
  extensionName = 'pairpad-room-gate';
  // Runs before every other onAuthenticate hook.
  priority = 1000;

  constructor(
    private readonly access: RoomAccessResolver,
    private readonly tokens: TokenVerifier | undefined,
    /** True for an editor's connection a locked room made read-only (`server/owner/room-owner.extension.ts`): its awareness stays an editor's. */
    private readonly isLockedOut: (connection: Connection) => boolean = () => false,
  ) {}

  async onAuthenticate({ documentName, instance, context, connectionConfig, token }: onAuthenticatePayload<ConnectionContext>) {
    if (!isRoomIdFormat(documentName)) throw new RoomNotFoundRefusal();
    // The token first: without one, nobody learns whether a room exists.
    let grant;
    if (this.tokens) {
      try {
        grant = await this.tokens.verify(token);
      } catch (error) {
        throw new UnauthorizedRefusal(error instanceof TokenRefusal ? error.message : 'the token is invalid');
      }
    }
    const viewId = context?.views?.get(documentName);
    // A name the socket resolved itself (a view id, or an edit id since a rotation) arrives as the room's key.
    const editId = context?.edits?.get(documentName) ?? (viewId === undefined ? documentName : undefined);
    const byKey = viewId !== undefined || context?.edits?.has(documentName) === true;
    if (!instance.documents.has(documentName)) {
      // A claim, not a lookup: the room expiry job must not delete it while it loads.
      const access = await this.access.claim(documentName, { byKey });
      if (access?.access !== 'edit') throw new RoomNotFoundRefusal();
    } else if (!byKey) {
      // Loaded, and named directly: the name must still be the edit id (not one a rotation retired). Cached.
      const access = await this.access.resolve(documentName);
      if (access?.access !== 'edit' || access.roomId !== documentName) throw new RoomNotFoundRefusal();
    }
    if (viewId !== undefined) connectionConfig.readOnly = true;
    if (!grant) {
      // Without tokens the owner proves itself with the owner key as its token.
      if (viewId !== undefined || !token || editId === undefined) return;
      const room = await this.access.resolve(editId);
      return room?.access === 'edit' && room.roomId === documentName && ownerKeyMatches(token, room.ownerKeyHash) ? { owner: true } : undefined;
    }

    const room = { roomId: editId ?? documentName, viewId };
    if (!grantAllows(grant, 'view', room)) throw new ForbiddenRefusal('the token is not for this room or role');
    if (!grantAllows(grant, 'edit', room)) connectionConfig.readOnly = true;
    // Hocuspocus merges what this hook returns into the document's context.
    return { grant, owner: viewId === undefined && grantAllows(grant, 'owner', room) };
  }

  async connected({ context, connection }: connectedPayload<ConnectionContext>): Promise<void> {
    const expiresAt = context?.grant?.expiresAt;
    if (expiresAt === undefined) return;
    const expire = () => {
      const remaining = expiresAt - Date.now();
      if (remaining > 0) {
        // setTimeout fires at once past ~24.8 days; wait in steps instead.
        context.expiryTimer = setTimeout(expire, Math.min(remaining, MAX_TIMER_MS));
        return;
      }
      // The socket goes (4401), not only this document; closing the document
      // too stops anything still in flight on the socket from being applied.
      context.closeSocket?.(CloseCode.unauthorized, CloseReason.tokenExpired);
      connection.close({ code: CloseCode.unauthorized, reason: CloseReason.tokenExpired });
    };
    expire();
  }

  async onDisconnect({ context }: onDisconnectPayload<ConnectionContext>): Promise<void> {
    clearTimeout(context?.expiryTimer);
  }

  async beforeHandleAwareness({ connection, states }: beforeHandleAwarenessPayload): Promise<void> {
    // A viewer sees everyone's cursor; the others see only that someone
    // watches, and the name the viewer chose to give, never a cursor.
    if (!connection?.readOnly || this.isLockedOut(connection)) return;
    for (const [clientId, state] of states) {
      if (state !== null && typeof state === 'object') states.set(clientId, toWatcherState(state));
    }
  }
}

/**
 * What a viewer's awareness state may carry (`shared/protocol.ts`):
 * `watching: true`, `following` (whom the viewer follows, a short string)
 * and, when the viewer gave a name, `user` (name, colour, browser id as
 * strings, cleaned again by every client). Cursor, selection, open file and
 * anything else are dropped.
 */
export function toWatcherState(state: Record<string, unknown>): Record<string, unknown> {
  const following = state[AWARENESS_FOLLOWING];
  const watcher: Record<string, unknown> = { [AWARENESS_WATCHING]: true };
  if (typeof following === 'string' && following.length <= MAX_FOLLOWING_LENGTH) watcher[AWARENESS_FOLLOWING] = following;
  const user = state.user;
  if (typeof user !== 'object' || user === null) return watcher;
  const picked: Record<string, string> = {};
  for (const field of ['name', 'color', 'colorLight', 'id'] as const) {
    const value = (user as Record<string, unknown>)[field];
    if (typeof value === 'string') picked[field] = value;
  }
  return { ...watcher, user: picked };
}
