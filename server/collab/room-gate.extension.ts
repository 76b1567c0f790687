import type { Extension, onAuthenticatePayload } from '@hocuspocus/server';
import { isRoomIdFormat } from '../../shared/protocol.ts';
import type { RoomStore } from '../storage/room-store.ts';
import { RoomNotFoundRefusal } from './refusals.ts';

/**
 * Lets a connection into a room only when the room exists: a malformed name
 * is refused before any query, an unknown one after a lookup, and nothing is
 * ever created by connecting.
 */
export class RoomGateExtension implements Extension {
  extensionName = 'pairpad-room-gate';
  // Runs before every other onAuthenticate hook.
  priority = 1000;

  constructor(private readonly store: RoomStore) {}

  async onAuthenticate({ documentName, instance }: onAuthenticatePayload): Promise<void> {
    if (!isRoomIdFormat(documentName)) throw new RoomNotFoundRefusal();
    if (instance.documents.has(documentName) || instance.loadingDocuments.has(documentName)) return;
    if (!(await this.store.roomExists(documentName))) throw new RoomNotFoundRefusal();
  }
}
