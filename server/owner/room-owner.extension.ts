import type { afterLoadDocumentPayload, beforeHandleAwarenessPayload, beforeHandleMessagePayload, Connection, connectedPayload, Document, Extension } from '@hocuspocus/server';
import type * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { MessageType, messageTypeOf } from '../collab/hocuspocus-wire.ts';
import { AWARENESS_OWNER, CloseCode, CloseReason, META_LOCKED, META_MAP } from '../../shared/protocol.ts';
import { readRoomSettings } from '../../shared/room-doc.ts';
import type { ConnectionContext } from '../collab/connection-context.ts';
import type { EditorSlots } from './editor-slots.ts';

/**
 * What the owner's settings do to connections (`docs/owner.md`), on
 * `/collab` and `/yjs` alike, read from the document (`meta.locked`,
 * `meta.maxEditors`: only the server writes them, and Redis carries them to
 * every instance that has the room open):
 *
 * - A locked room makes every editor's connection but the owner's read-only,
 *   as a viewer's: Hocuspocus drops its updates and the message guard counts
 *   them (`read_only`). Unlocking gives them their edits back. Their
 *   awareness stays an editor's (see {@link isLockedOut}).
 * - `maxEditors` refuses an editor past that many, in the order they joined,
 *   with 4409 `room full`. Viewers are not counted; the owner counts but is
 *   never refused. With Redis the order is every instance's
 *   ({@link EditorSlots}); without, or while Redis cannot answer, this
 *   instance's.
 */
export class RoomOwnerExtension implements Extension {
  extensionName = 'pairpad-room-owner';
  // After the room gate (1000), which decides who is the owner.
  priority = 950;
  /** Editors' connections the lock made read-only (a viewer's is read-only for good). */
  private readonly lockedOut = new WeakSet<Connection>();
  /** Locked-out connections whose edits were dropped: their client's copy differs from the room. */
  private readonly diverged = new WeakSet<Connection>();
  private joined = 0;

  constructor(private readonly slots?: EditorSlots) {}

  /** True when `connection` is read-only because the room is locked, not because it is a viewer's. */
  isLockedOut = (connection: Connection): boolean => this.lockedOut.has(connection);

  async afterLoadDocument({ document }: afterLoadDocumentPayload): Promise<void> {
    // Whoever changes `meta` (the PATCH here, or another instance through Redis), the lock follows at once.
    document.getMap(META_MAP).observe((event: Y.YMapEvent<unknown>) => {
      if (event.keysChanged.has(META_LOCKED)) this.applyLock(document);
    });
  }

  /**
   * Before the message guard (900) reads `readOnly`: what a client sent
   * before its `connected` hook ran (Hocuspocus hands queued messages over
   * first) is dropped too in a locked room. One map lookup per message.
   */
  async beforeHandleMessage({ connection, document, update: frame }: beforeHandleMessagePayload<ConnectionContext>): Promise<void> {
    if (!connection.readOnly && document.getMap(META_MAP).get(META_LOCKED) === true) this.lock(connection);
    if (this.lockedOut.has(connection) && !this.diverged.has(connection) && carriesEdit(frame)) this.diverged.add(connection);
  }

  /**
   * Who is the owner, for everyone to see: `owner: true` on the awareness
   * states of the owner's connections, and on nobody else's (a client's own
   * claim is dropped). States relayed from another instance (no connection)
   * were stamped there.
   */
  async beforeHandleAwareness({ connection, states }: beforeHandleAwarenessPayload): Promise<void> {
    if (!connection) return;
    const owner = isOwner(connection);
    for (const [clientId, state] of states) {
      if (state === null || typeof state !== 'object') continue;
      const claims = (state as Record<string, unknown>)[AWARENESS_OWNER] !== undefined;
      if (owner) states.set(clientId, { ...state, [AWARENESS_OWNER]: true });
      else if (claims) {
        const { [AWARENESS_OWNER]: _dropped, ...rest } = state as Record<string, unknown>;
        states.set(clientId, rest);
      }
    }
  }

  async connected({ connection }: connectedPayload<ConnectionContext>): Promise<void> {
    const document = connection.document;
    const settings = readRoomSettings(document);
    if (settings.locked) this.lock(connection);
    if (this.isViewer(connection)) return;
    const member = String(++this.joined);
    this.slots?.join(document.name, member);
    connection.onClose(() => this.slots?.leave(document.name, member));
    if (settings.maxEditors === undefined || isOwner(connection)) return;
    const everywhere = await this.slots?.admits(document.name, member, settings.maxEditors);
    if (everywhere ?? this.admits(document, connection, settings.maxEditors)) return;
    const context = connection.context as ConnectionContext | undefined;
    context?.closeSocket?.(CloseCode.roomFull, CloseReason.roomFull);
    connection.close({ code: CloseCode.roomFull, reason: CloseReason.roomFull });
  }

  /**
   * Unlocking, a client whose edits were dropped is asked to reconnect (1013,
   * which every stock client retries): its copy holds structs the room never
   * got, so its next edit would be held and refused (4400, final for
   * y-websocket 3.x). Its sync after the reconnect sends what it typed
   * during the lock (`docs/owner.md`).
   */
  private applyLock(document: Document): void {
    const { locked } = readRoomSettings(document);
    for (const connection of [...document.connections.keys()]) {
      if (locked) this.lock(connection);
      else if (this.lockedOut.delete(connection)) {
        connection.readOnly = false;
        if (!this.diverged.delete(connection)) continue;
        (connection.context as ConnectionContext | undefined)?.closeSocket?.(CloseCode.tryAgainLater, CloseReason.roomUnlocked);
        connection.close({ code: CloseCode.tryAgainLater, reason: CloseReason.roomUnlocked });
      }
    }
  }

  private lock(connection: Connection): void {
    if (isOwner(connection) || connection.readOnly) return;
    connection.readOnly = true;
    this.lockedOut.add(connection);
  }

  /**
   * True when `connection` is among the first `maxEditors` editors of the
   * room on this instance (`document.connections` is in the order they
   * joined). A lower limit set later refuses newcomers; nobody in the room
   * is put out by it.
   */
  private admits(document: Document, connection: Connection, maxEditors: number): boolean {
    let before = 0;
    for (const other of document.connections.keys()) {
      if (other === connection) break;
      if (!this.isViewer(other)) before++;
    }
    return before < maxEditors;
  }

  private isViewer(connection: Connection): boolean {
    return connection.readOnly && !this.lockedOut.has(connection);
  }
}

/** True for a sync frame carrying an update (not a state vector, nor an empty answer). Reads only the headers. */
function carriesEdit(frame: Uint8Array): boolean {
  const type = messageTypeOf(frame);
  if (type !== MessageType.Sync && type !== MessageType.SyncReply) return false;
  try {
    const decoder = decoding.createDecoder(frame);
    decoding.readVarString(decoder);
    decoding.readVarUint(decoder);
    if (decoding.readVarUint(decoder) === 0) return false; // step 1: a state vector
    return decoding.readVarUint8Array(decoder).length > 2;
  } catch {
    return false;
  }
}

function isOwner(connection: Connection): boolean {
  return (connection.context as ConnectionContext | undefined)?.owner === true;
}
