import type { IncomingMessage } from 'node:http';
import type { Hocuspocus, WebSocketLike } from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { WebSocket } from 'ws';
import * as Y from 'yjs';
import { CloseCode, CloseReason, isRoomIdFormat, YJS_PATH } from '../../shared/protocol.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { RoomAccessResolver } from '../rooms/room-access.ts';
import type { ConnectionContext } from './connection-context.ts';
import { toFetchRequest, type SocketRoute } from './websocket-server.ts';
import { AuthAnswer, MAX_UNAUTHENTICATED_BYTES, MessageType } from './hocuspocus-wire.ts';

/*
 * The standard y-websocket protocol on `/yjs/:roomId`, bridged into the same
 * Hocuspocus instance, so that a stock `WebsocketProvider` shares rooms,
 * hooks, persistence and rules with `/collab` clients.
 *
 * Protocol mapping (one socket = one room):
 *
 *   y-websocket frame                     Hocuspocus frame
 *   [type][payload]                <->    [varString room][type][payload]
 *
 *   client -> server: Sync (0), Awareness (1) and QueryAwareness (3) are
 *   prefixed with the room name. Before the first of them the bridge sends
 *   the Auth frame a Hocuspocus provider would (token from `?token=`).
 *
 *   server -> client: the room prefix is cut off. Sync (0), Awareness (1)
 *   and QueryAwareness (3) pass as they are; SyncReply (4) becomes Sync (0).
 *   Auth (2): "authenticated" is dropped, "permission denied" closes the
 *   socket with the matching code (4404 room not found). CLOSE (7) means
 *   Hocuspocus dropped the connection after a message it could not apply:
 *   4400. Stateless (5, 6), SyncStatus (8) and Ping/Pong (9, 10) have no
 *   y-websocket equivalent and are dropped.
 *
 * Frames are checked before they reach Hocuspocus (known type, lengths that
 * match, an update that decodes); a bad one closes the socket with 4400 and
 * never touches the room.
 */

const YJS_SYNC = 0;
const YJS_AWARENESS = 1;
const YJS_QUERY_AWARENESS = 3;
const MAX_EARLY_FRAMES = 1_000;
/** Why a socket that sends too much before its room is found is closed (4429). */
export const EARLY_LIMIT_REASON = 'too much data before the document opened';

/** True when a y-websocket frame has a known type and its lengths add up. */
export function isWellFormedFrame(data: Uint8Array): boolean {
  try {
    const decoder = decoding.createDecoder(data);
    switch (decoding.readVarUint(decoder)) {
      case YJS_SYNC: {
        const step = decoding.readVarUint(decoder);
        if (step > 2) return false; // step 1, step 2, update
        const payload = decoding.readVarUint8Array(decoder);
        if (decoder.pos !== data.length) return false;
        // y-protocols swallows an update it cannot decode; check it here so the
        // sender learns, instead of the edit silently vanishing.
        return step === 0 || isDecodableUpdate(payload);
      }
      case YJS_AWARENESS: {
        const length = decoding.readVarUint(decoder);
        return decoder.pos + length === data.length;
      }
      case YJS_QUERY_AWARENESS:
        return decoder.pos === data.length;
      default:
        return false;
    }
  } catch {
    return false; // lib0 throws on a truncated varint
  }
}

function isDecodableUpdate(update: Uint8Array): boolean {
  try {
    Y.decodeUpdate(update);
    return true;
  } catch {
    return false;
  }
}

function encodeRoomPrefix(roomId: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, roomId);
  return encoding.toUint8Array(encoder);
}

function encodeAuthFrame(roomId: string, token: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, roomId);
  encoding.writeVarUint(encoder, MessageType.Auth);
  encoding.writeVarUint(encoder, 0); // AuthMessageType.Token
  encoding.writeVarString(encoder, token);
  return encoding.toUint8Array(encoder);
}

/** The close code for a refusal Hocuspocus reported by its reason. */
function closeCodeFor(reason: string): number {
  if (reason === CloseReason.roomNotFound) return CloseCode.roomNotFound;
  if (reason.startsWith(CloseReason.unauthorized)) return CloseCode.unauthorized;
  return CloseCode.forbidden;
}

/** The `/yjs` route for the WebSocket gateway. */
export function createYjsBridge({
  hocuspocus,
  access,
  log,
  metrics,
}: {
  hocuspocus: Hocuspocus;
  access: RoomAccessResolver;
  log: Logger;
  metrics: Metrics;
}): SocketRoute {
  return (socket: WebSocket, request: IncomingMessage, pathname: string) => {
    const id = decodeURIComponentSafe(pathname.slice(YJS_PATH.length + 1));
    if (id === undefined || !isRoomIdFormat(id)) {
      socket.close(CloseCode.roomNotFound, CloseReason.roomNotFound);
      return;
    }
    socket.on('error', (error: Error & { code?: string }) => {
      // `ws` closes with 1009 itself; this only counts it.
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') metrics.updatesRejected.labels('too_large').inc();
    });
    // Frames that arrive while the id is looked up wait, in order, within a budget.
    const early: Buffer[] = [];
    let earlyBytes = 0;
    let overLimit = false;
    const queue = (data: Buffer) => {
      if (overLimit) return;
      earlyBytes += data.length;
      if (early.length < MAX_EARLY_FRAMES && earlyBytes <= MAX_UNAUTHENTICATED_BYTES) return void early.push(data);
      overLimit = true;
      early.length = 0;
      metrics.rateLimited.labels('socket').inc();
      socket.close(CloseCode.tooManyMessages, EARLY_LIMIT_REASON);
    };
    socket.on('message', queue);
    access.resolve(id).then(
      (grant) => {
        socket.off('message', queue);
        if (overLimit || socket.readyState !== socket.OPEN) return;
        if (!grant) return socket.close(CloseCode.roomNotFound, CloseReason.roomNotFound);
        const context: ConnectionContext = {
          views: new Map(grant.access === 'view' ? [[grant.roomId, id]] : []),
          closeSocket: (code, reason) => socket.close(code, reason),
        };
        const receive = bridgeSocket({ socket, request, roomId: grant.roomId, context, hocuspocus, log, metrics });
        early.forEach(receive);
      },
      (error) => {
        log.warn({ err: error }, 'could not resolve a room id for /yjs');
        socket.close(CloseCode.serviceRestart, 'try again');
      },
    );
  };
}

/** Connects one y-websocket socket to a room in Hocuspocus; returns the frame handler. */
function bridgeSocket({
  socket,
  request,
  roomId,
  context,
  hocuspocus,
  log,
  metrics,
}: {
  socket: WebSocket;
  request: IncomingMessage;
  roomId: string;
  context: ConnectionContext;
  hocuspocus: Hocuspocus;
  log: Logger;
  metrics: Metrics;
}): (data: Buffer) => void {
  const incoming = metrics.traffic.yjs.in;
  const prefix = encodeRoomPrefix(roomId);
  const close = (code: number, reason: string) => {
    if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close(code, reason);
  };

  // What Hocuspocus writes to this "socket" is translated for the y-websocket client.
  const adapter: WebSocketLike = {
    get readyState() {
      return socket.readyState;
    },
    close: (code, reason) => close(code ?? CloseCode.serviceRestart, reason ?? ''),
    send(data) {
      const frame = data as Uint8Array;
      const type = frame[prefix.length];
      switch (type) {
        case YJS_SYNC:
        case YJS_AWARENESS:
        case YJS_QUERY_AWARENESS:
          return socket.send(frame.subarray(prefix.length));
        case MessageType.SyncReply: {
          const copy = frame.slice(prefix.length);
          copy[0] = YJS_SYNC;
          return socket.send(copy);
        }
        case MessageType.Auth: {
          const decoder = decoding.createDecoder(frame.subarray(prefix.length + 1));
          if (decoding.readVarUint(decoder) !== AuthAnswer.permissionDenied) return;
          const reason = decoding.readVarString(decoder);
          return close(closeCodeFor(reason), reason);
        }
        case MessageType.CLOSE: {
          // Hocuspocus drops a connection after a message it could not apply, or
          // when we end it (an expired token); the reason tells which.
          const reason = decoding.readVarString(decoding.createDecoder(frame.subarray(prefix.length + 1)));
          return reason.startsWith(CloseReason.unauthorized)
            ? close(CloseCode.unauthorized, reason)
            : close(CloseCode.malformedMessage, CloseReason.malformedMessage);
        }
        default:
          return; // stateless, sync status, ping/pong: nothing a y-websocket client reads
      }
    },
  };

  const connection = hocuspocus.handleConnection(adapter, toFetchRequest(request), context);
  const token = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token') ?? '';
  connection.handleMessage(encodeAuthFrame(roomId, token));

  const receive = (data: Buffer) => {
    incoming.messages++;
    incoming.bytes += data.length;
    if (!isWellFormedFrame(data)) {
      metrics.updatesRejected.labels('malformed').inc();
      log.debug({ roomId, bytes: data.length }, 'malformed y-websocket frame; closing');
      return close(CloseCode.malformedMessage, CloseReason.malformedMessage);
    }
    const framed = new Uint8Array(prefix.length + data.length);
    framed.set(prefix, 0);
    framed.set(data, prefix.length);
    connection.handleMessage(framed);
  };
  socket.on('message', receive);
  socket.on('close', (code, reason) => connection.handleClose({ code, reason: reason.toString() }));
  return receive;
}

function decodeURIComponentSafe(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
