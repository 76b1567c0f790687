import type { beforeHandleAwarenessPayload, Extension, onAuthenticatePayload } from '@hocuspocus/server';
import { isRoomIdFormat } from '../../shared/protocol.ts';
import type { RoomAccessResolver } from '../rooms/room-access.ts';
import type { ConnectionContext } from './connection-context.ts';
import { RoomNotFoundRefusal } from './refusals.ts';

/**
 * Lets a connection into a room only when the room exists: a malformed name
 * is refused before any query, an unknown one after a lookup, and nothing is
 * ever created by connecting. Document names are edit ids only; a socket
 * that reached the room through its view id (see `collab-socket.ts`,
 * `yjs-bridge.ts`) is made read-only, and its awareness is never applied.
 */
export class RoomGateExtension implements Extension {
  extensionName = 'pairpad-room-gate';
  // Runs before every other onAuthenticate hook.
  priority = 1000;

  constructor(private readonly access: RoomAccessResolver) {}

  async onAuthenticate({ documentName, instance, context, connectionConfig }: onAuthenticatePayload<ConnectionContext>): Promise<void> {
    if (!isRoomIdFormat(documentName)) throw new RoomNotFoundRefusal();
    if (!instance.documents.has(documentName)) {
      const grant = await this.access.resolve(documentName);
      if (grant?.access !== 'edit') throw new RoomNotFoundRefusal();
    }
    if (context?.readOnlyRooms?.has(documentName)) connectionConfig.readOnly = true;
  }

  async beforeHandleAwareness({ connection, states }: beforeHandleAwarenessPayload): Promise<void> {
    // A viewer sees everyone's cursor, but nobody sees the viewer's.
    if (connection?.readOnly) states.clear();
  }
}
