import type {
  beforeHandleAwarenessPayload,
  connectedPayload,
  Extension,
  onAuthenticatePayload,
  onDisconnectPayload,
} from '@hocuspocus/server';
import { CloseCode, CloseReason, isRoomIdFormat } from '../../shared/protocol.ts';
import { grantAllows, TokenRefusal, type TokenVerifier } from '../auth/tokens.ts';
import type { RoomAccessResolver } from '../rooms/room-access.ts';
import type { ConnectionContext } from './connection-context.ts';
import { ForbiddenRefusal, RoomNotFoundRefusal, UnauthorizedRefusal } from './refusals.ts';

// setTimeout cannot wait longer than this; a token valid for longer is not timed.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Who may open which room. A malformed name is refused before any query, an
 * unknown one after a lookup, and nothing is ever created by connecting.
 * Document names are edit ids only; a socket that reached the room through
 * its view id (`collab-socket.ts`, `yjs-bridge.ts`) is read-only and its
 * awareness is never applied. When tokens are required, the token must be
 * valid (else 4401) and for this room and role (else 4403); a view token
 * makes the connection read-only, and the connection ends when it expires.
 */
export class RoomGateExtension implements Extension {
  extensionName = 'pairpad-room-gate';
  // Runs before every other onAuthenticate hook.
  priority = 1000;

  constructor(
    private readonly access: RoomAccessResolver,
    private readonly tokens: TokenVerifier | undefined,
  ) {}

  async onAuthenticate({ documentName, instance, context, connectionConfig, token }: onAuthenticatePayload<ConnectionContext>) {
    if (!isRoomIdFormat(documentName)) throw new RoomNotFoundRefusal();
    if (!instance.documents.has(documentName)) {
      const grant = await this.access.resolve(documentName);
      if (grant?.access !== 'edit') throw new RoomNotFoundRefusal();
    }
    const viewId = context?.views?.get(documentName);
    if (viewId !== undefined) connectionConfig.readOnly = true;
    if (!this.tokens) return;

    let grant;
    try {
      grant = await this.tokens.verify(token);
    } catch (error) {
      throw new UnauthorizedRefusal(error instanceof TokenRefusal ? error.message : 'the token is invalid');
    }
    const room = { roomId: documentName, viewId };
    if (!grantAllows(grant, 'view', room)) throw new ForbiddenRefusal('the token is not for this room or role');
    if (!grantAllows(grant, 'edit', room)) connectionConfig.readOnly = true;
    // Hocuspocus merges what this hook returns into the document's context.
    return { grant };
  }

  async connected({ context, connection }: connectedPayload<ConnectionContext>): Promise<void> {
    const expiresAt = context?.grant?.expiresAt;
    if (expiresAt === undefined) return;
    const remaining = expiresAt - Date.now();
    if (remaining > MAX_TIMER_MS) return;
    context.expiryTimer = setTimeout(
      () => connection.close({ code: CloseCode.unauthorized, reason: CloseReason.tokenExpired }),
      Math.max(0, remaining),
    );
  }

  async onDisconnect({ context }: onDisconnectPayload<ConnectionContext>): Promise<void> {
    clearTimeout(context?.expiryTimer);
  }

  async beforeHandleAwareness({ connection, states }: beforeHandleAwarenessPayload): Promise<void> {
    // A viewer sees everyone's cursor, but nobody sees the viewer's.
    if (connection?.readOnly) states.clear();
  }
}
