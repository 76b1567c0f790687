import type { IncomingMessage } from 'node:http';
import type { Hocuspocus, WebSocketLike } from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { WebSocket } from 'ws';
import { CloseCode, CloseReason } from '../../shared/protocol.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { RoomAccessResolver } from '../rooms/room-access.ts';
import type { ConnectionContext } from './connection-context.ts';
import { toFetchRequest } from './websocket-server.ts';

// A client may send messages for a name that is still being resolved; this
// bounds what is held meanwhile (Hocuspocus bounds its own queue the same way).
const MAX_QUEUED_MESSAGES = 1_000;

type NameState =
  | { kind: 'resolving'; queue: Uint8Array[] }
  | { kind: 'direct' }
  | { kind: 'view'; roomId: string };

/** Replaces the document name at the start of a Hocuspocus frame, keeping any `\0session` suffix. */
function readdress(frame: Uint8Array, name: string): Uint8Array {
  const decoder = decoding.createDecoder(frame);
  const rawKey = decoding.readVarString(decoder);
  const separator = rawKey.indexOf('\0');
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, separator === -1 ? name : name + rawKey.slice(separator));
  encoding.writeUint8Array(encoder, frame.subarray(decoder.pos));
  return encoding.toUint8Array(encoder);
}

function documentNameOf(frame: Uint8Array): string {
  const rawKey = decoding.readVarString(decoding.createDecoder(frame));
  const separator = rawKey.indexOf('\0');
  return separator === -1 ? rawKey : rawKey.slice(0, separator);
}

/**
 * Serves one `/collab` socket. A client may name a room by its view id;
 * Hocuspocus knows rooms only by their edit id, so the first message for a
 * name resolves it once. A view id is rewritten to the room id on the way in
 * (and the room is read-only for this socket, see `RoomGateExtension`) and
 * back to the view id on the way out, so the view client never sees the edit
 * id. Frames for edit ids pass as they are; sockets without a view id pay
 * only for reading the name of each frame.
 */
export function acceptCollabSocket({
  socket,
  request,
  hocuspocus,
  access,
  metrics,
  log,
}: {
  socket: WebSocket;
  request: IncomingMessage;
  hocuspocus: Hocuspocus;
  access: RoomAccessResolver;
  metrics: Metrics;
  log: Logger;
}): void {
  const names = new Map<string, NameState>();
  const viewIdOfRoom = new Map<string, string>();
  const context: ConnectionContext = { views: new Map(), closeSocket: (code, reason) => socket.close(code, reason) };

  const adapter: WebSocketLike = {
    get readyState() {
      return socket.readyState;
    },
    close: (code, reason) => socket.close(code, reason),
    send(data) {
      const frame = data as Uint8Array;
      if (viewIdOfRoom.size === 0) return socket.send(frame);
      const viewId = viewIdOfRoom.get(documentNameOf(frame));
      socket.send(viewId === undefined ? frame : readdress(frame, viewId));
    },
  };
  const connection = hocuspocus.handleConnection(adapter, toFetchRequest(request), context);

  const deliver = (frame: Uint8Array, state: NameState) => {
    if (state.kind === 'direct') connection.handleMessage(frame);
    else if (state.kind === 'view') connection.handleMessage(readdress(frame, state.roomId));
  };

  const resolve = async (name: string, pending: { queue: Uint8Array[] }) => {
    let state: NameState = { kind: 'direct' };
    try {
      const grant = await access.resolve(name);
      // A room already open for editing on this socket stays that way; the view
      // name then reaches the room gate as it is and is refused there.
      if (grant?.access === 'view' && names.get(grant.roomId)?.kind !== 'direct') {
        state = { kind: 'view', roomId: grant.roomId };
        context.views.set(grant.roomId, name);
        viewIdOfRoom.set(grant.roomId, name);
      }
    } catch (error) {
      // The room gate queries again and refuses the name if the database is away.
      log.debug({ err: error }, 'could not resolve a document name');
    }
    names.set(name, state);
    for (const frame of pending.queue) deliver(frame, state);
  };

  const incoming = metrics.traffic.collab.in;
  socket.on('message', (data: Buffer) => {
    incoming.messages.inc();
    incoming.bytes.inc(data.length);
    let name: string;
    try {
      name = documentNameOf(data);
    } catch {
      metrics.updatesRejected.labels('malformed').inc();
      return socket.close(CloseCode.malformedMessage, CloseReason.malformedMessage);
    }
    const state = names.get(name);
    if (state === undefined) {
      const pending = { kind: 'resolving' as const, queue: [data] };
      names.set(name, pending);
      void resolve(name, pending);
    } else if (state.kind === 'resolving') {
      if (state.queue.length >= MAX_QUEUED_MESSAGES) return socket.terminate();
      state.queue.push(data);
    } else {
      deliver(data, state);
    }
  });
  socket.on('close', (code, reason) => connection.handleClose({ code, reason: reason.toString() }));
}
