import type { IncomingMessage } from 'node:http';
import type { Hocuspocus, WebSocketLike } from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { WebSocket } from 'ws';
import * as Y from 'yjs';
import { CloseCode, CloseReason, isRoomIdFormat, RUN_EVENTS_PARAM, YJS_PATH, YJS_RUN_EVENT_MESSAGE } from '../../shared/protocol.ts';
import { looksLikeRunEvent } from '../../shared/schemas/run-event.schema.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { TokenVerifier } from '../auth/tokens.ts';
import type { RoomAccessResolver } from '../rooms/room-access.ts';
import type { ConnectionContext } from './connection-context.ts';
import { keepAliveWithPings, PING_INTERVAL_MS, toFetchRequest, type UpgradeGate } from './websocket-server.ts';
import { AuthAnswer, MessageType } from './hocuspocus-wire.ts';

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
 *   y-websocket equivalent and are dropped, except the server's run events
 *   to a socket that asked for them (`?events=runs`): those become message
 *   type 100 (see "Run events" in `shared/protocol.ts`).
 *
 * Frames are checked before they reach Hocuspocus (known type, lengths that
 * match, an update that decodes); a bad one closes the socket with 4400 and
 * never touches the room.
 *
 * The upgrade itself is refused over HTTP when the token is missing or
 * invalid (401, checked before any lookup, so nothing tells which rooms
 * exist) or the room is unknown (404): y-websocket 1.x and 2.x back off
 * only when the socket never opens. The server pings the socket, so an idle
 * client is closed (4408) only when it stops answering.
 */

/** How Hocuspocus ends an idle connection (`ConnectionTimeout` of `@hocuspocus/common`, not a direct dependency). */
const ConnectionTimeout = { code: 4408, reason: 'Connection Timeout' } as const;

const YJS_SYNC = 0;
const YJS_AWARENESS = 1;
const YJS_QUERY_AWARENESS = 3;

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

/** The close code for Hocuspocus dropping the connection (its CLOSE frame), by the reason it gave. */
function closeOfDrop(reason: string): { code: number; reason: string } {
  if (reason.startsWith(CloseReason.unauthorized)) return { code: CloseCode.unauthorized, reason };
  if (reason === ConnectionTimeout.reason) return { code: CloseCode.idleTimeout, reason: CloseReason.idleTimeout };
  // A message it could not apply.
  return { code: CloseCode.malformedMessage, reason: CloseReason.malformedMessage };
}

/** The `/yjs` gate for the WebSocket gateway: refuses bad tokens and unknown rooms over HTTP, bridges the rest. */
export function createYjsBridge({
  hocuspocus,
  access,
  tokens,
  log,
  metrics,
}: {
  hocuspocus: Hocuspocus;
  access: RoomAccessResolver;
  /** Present when tokens are required. */
  tokens: TokenVerifier | undefined;
  log: Logger;
  metrics: Metrics;
}): UpgradeGate {
  return async (request, pathname) => {
    // The token first: without a valid one, nobody learns whether a room exists.
    if (tokens) {
      const token = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token') ?? '';
      try {
        await tokens.verify(token);
      } catch {
        return { status: 401, text: 'Unauthorized' };
      }
    }
    const id = decodeURIComponentSafe(pathname.slice(YJS_PATH.length + 1));
    if (id === undefined || !isRoomIdFormat(id)) return { status: 404, text: 'Not Found' };
    const grant = await access.resolve(id);
    if (!grant) return { status: 404, text: 'Not Found' };
    return (socket: WebSocket) => {
      socket.on('error', (error: Error & { code?: string }) => {
        // `ws` closes with 1009 itself; this only counts it.
        if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') metrics.updatesRejected.labels('too_large').inc();
      });
      const context: ConnectionContext = {
        views: new Map(grant.access === 'view' ? [[grant.roomId, id]] : []),
        edits: new Map(grant.access === 'edit' ? [[grant.roomId, id]] : []),
        closeSocket: (code, reason) => socket.close(code, reason),
      };
      bridgeSocket({ socket, request, roomId: grant.roomId, context, hocuspocus, log, metrics });
    };
  };
}

/** Connects one y-websocket socket to a room in Hocuspocus. */
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
}): void {
  const incoming = metrics.traffic.yjs.in;
  const prefix = encodeRoomPrefix(roomId);
  const wantsRunEvents = new URL(request.url ?? '/', 'http://localhost').searchParams.getAll(RUN_EVENTS_PARAM).some((value) => value.split(',').includes('runs'));
  const close = (code: number, reason: string) => {
    if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close(code, reason);
  };

  // What Hocuspocus writes to this "socket" is translated for the y-websocket client.
  const adapter: WebSocketLike = {
    get readyState() {
      return socket.readyState;
    },
    close: (code, reason) => (code === ConnectionTimeout.code ? close(CloseCode.idleTimeout, CloseReason.idleTimeout) : close(code ?? CloseCode.serviceRestart, reason ?? '')),
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
          const drop = closeOfDrop(decoding.readVarString(decoding.createDecoder(frame.subarray(prefix.length + 1))));
          return close(drop.code, drop.reason);
        }
        case MessageType.Stateless: {
          if (!wantsRunEvents) return;
          const body = frame.subarray(prefix.length + 1);
          if (!looksLikeRunEvent(decoding.readVarString(decoding.createDecoder(body)))) return;
          // [varUint 100][varString payload]: 100 fits in one varUint byte.
          const translated = new Uint8Array(1 + body.length);
          translated[0] = YJS_RUN_EVENT_MESSAGE;
          translated.set(body, 1);
          return socket.send(translated);
        }
        default:
          return; // sync status, ping/pong: nothing a y-websocket client reads
      }
    },
  };

  const connection = hocuspocus.handleConnection(adapter, toFetchRequest(request), context);
  keepAliveWithPings(socket, connection, Math.min(PING_INTERVAL_MS, hocuspocus.configuration.timeout / 2));
  const token = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token') ?? '';
  connection.handleMessage(encodeAuthFrame(roomId, token));

  const receive = (data: Buffer) => {
    incoming.messages++;
    incoming.bytes += data.length;
    if (!isWellFormedFrame(data)) {
      metrics.updatesRejected.labels('malformed').inc();
      // No room id: a viewer's socket must not put the edit id in a log.
      log.debug({ bytes: data.length }, 'malformed y-websocket frame; closing');
      return close(CloseCode.malformedMessage, CloseReason.malformedMessage);
    }
    const framed = new Uint8Array(prefix.length + data.length);
    framed.set(prefix, 0);
    framed.set(data, prefix.length);
    connection.handleMessage(framed);
  };
  socket.on('message', receive);
  socket.on('close', (code, reason) => connection.handleClose({ code, reason: reason.toString() }));
}

function decodeURIComponentSafe(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
