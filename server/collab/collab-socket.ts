import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Hocuspocus, WebSocketLike } from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { WebSocket } from 'ws';
import { CloseCode, CloseReason, isRoomIdFormat } from '../../shared/protocol.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { RoomAccessResolver } from '../rooms/room-access.ts';
import type { ConnectionContext } from './connection-context.ts';
import { keepAliveWithPings, PING_INTERVAL_MS, toFetchRequest } from './websocket-server.ts';
import { asksForWholeState, syncStep2Frame, type FullStateCacheExtension } from './full-state-cache.extension.ts';
import { AuthAnswer, MAX_UNAUTHENTICATED_BYTES, MessageType } from './hocuspocus-wire.ts';

// A client may send messages for a name that is still being resolved; this
// bounds what is held meanwhile (Hocuspocus bounds its own queue the same way).
const MAX_QUEUED_MESSAGES = 1_000;
/** Documents one socket may have open or opening (a page opens one; a provider shares its socket). */
const MAX_OPEN_DOCUMENTS = 16;
/** Names one socket may have refused (unknown, malformed, no access) before it is closed. */
const MAX_REFUSED_DOCUMENTS = 8;
/** Authentication messages per socket: a burst of this many, then {@link AUTH_PER_SECOND}. */
const AUTH_BURST = 32;
const AUTH_PER_SECOND = 4;
/** A name is remembered by at most this many characters (a malformed one may be 1 MiB long). */
const MAX_NAME_KEY = 100;


/** Why a socket was closed by the bounds above (all with 4429). */
export const SocketLimitReason = {
  documents: 'too many documents on one socket',
  refusals: 'too many refused documents on one socket',
  authentication: 'too many authentication attempts',
  unauthenticatedBytes: 'too much data before the document opened',
} as const;

interface NameCommon {
  /** Hocuspocus answered "authenticated"; until then what is sent counts against the socket's budget. */
  authenticated: boolean;
  refused: boolean;
  /** An authentication for it was sent and Hocuspocus has not answered yet. */
  awaiting: boolean;
  /** An authentication for it was handed on (3.x and later always send one before syncing). */
  authSent: boolean;
  /** The lookup found a room by this name (only then is a sync before authentication told apart from noise). */
  exists?: boolean;
  /** Bytes sent for this name since the last answer. */
  bytes: number;
}

type NameState = NameCommon &
  (
    | { kind: 'resolving'; queue: Uint8Array[] }
    | { kind: 'direct' }
    | { kind: 'view'; roomId: string }
  );

/** Replaces the document name at the start of a Hocuspocus frame, keeping any `\0session` suffix. */
function readdress(frame: Uint8Array, name: string): Uint8Array {
  const decoder = decoding.createDecoder(frame);
  const rawKey = decoding.readVarString(decoder);
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, readdressedName(rawKey, name));
  encoding.writeUint8Array(encoder, frame.subarray(decoder.pos));
  return encoding.toUint8Array(encoder);
}

/** A frame's address (`name` or `name\0session`) with the name replaced, the session kept. */
function readdressedName(rawKey: string, name: string): string {
  const separator = rawKey.indexOf('\0');
  return separator === -1 ? name : name + rawKey.slice(separator);
}

function documentNameOf(frame: Uint8Array): string {
  const rawKey = decoding.readVarString(decoding.createDecoder(frame));
  const separator = rawKey.indexOf('\0');
  return separator === -1 ? rawKey : rawKey.slice(0, separator);
}

/** The address of a frame (`name` or `name\0session`), its document name and the message type after it. */
function readHeader(frame: Uint8Array): { address: string; name: string; type: number; decoder: decoding.Decoder } {
  const decoder = decoding.createDecoder(frame);
  const address = decoding.readVarString(decoder);
  const separator = address.indexOf('\0');
  return { address, name: separator === -1 ? address : address.slice(0, separator), type: decoding.readVarUint(decoder), decoder };
}

/** Whether a frame (its decoder past the message type) is a sync step 1, the first thing a provider sends to sync. */
function isSyncStepOne(type: number, decoder: decoding.Decoder): boolean {
  if (type !== MessageType.Sync) return false;
  try {
    return decoding.readVarUint(decoder) === 0;
  } catch {
    return false;
  }
}

/** Hocuspocus's "permission denied" answer to `address`, as a provider reads it (`onAuthenticationFailed`). */
function permissionDeniedFrame(address: string, reason: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, address);
  encoding.writeVarUint(encoder, MessageType.Auth);
  encoding.writeVarUint(encoder, AuthAnswer.permissionDenied);
  encoding.writeVarString(encoder, reason);
  return encoding.toUint8Array(encoder);
}

/** A bounded key for a name: a long (malformed) name is kept as its digest. */
function keyOf(name: string): string {
  return name.length <= MAX_NAME_KEY ? name : `\0${createHash('sha256').update(name).digest('base64')}`;
}

/**
 * Serves one `/collab` socket. A client may name a room by its view id;
 * Hocuspocus knows rooms only by their edit id, so the first message for a
 * name resolves it once. A view id is rewritten to the room id on the way in
 * (and the room is read-only for this socket, see `RoomGateExtension`) and
 * back to the view id on the way out, so the view client never sees the edit
 * id. Frames for edit ids pass as they are; sockets without a view id pay
 * only for reading the name of each frame.
 *
 * What a socket can make the server hold is bounded: at most 16 documents
 * open or opening and 8 refused, 4 MiB sent for documents not yet
 * authenticated, and a rate of authentication attempts; past any of them the
 * socket closes with 4429 and a reason from {@link SocketLimitReason}.
 *
 * A client that syncs a document before authenticating it speaks the
 * protocol of `@hocuspocus/provider` 2.x (without a token), which Hocuspocus
 * 3+ would hold forever waiting for the authentication: it is refused for
 * that document and the socket closed with 4426 and a reason that says so.
 */
export function acceptCollabSocket({
  socket,
  request,
  hocuspocus,
  fullStates,
  access,
  metrics,
  log,
}: {
  socket: WebSocket;
  request: IncomingMessage;
  hocuspocus: Hocuspocus;
  fullStates: Pick<FullStateCacheExtension, 'awaitStoredState'>;
  access: RoomAccessResolver;
  metrics: Metrics;
  log: Logger;
}): void {
  const names = new Map<string, NameState>();
  const viewIdOfRoom = new Map<string, string>();
  let openCount = 0;
  let refusedCount = 0;
  /** Names Hocuspocus has not answered yet; while there are any, outgoing frames are read for the answer. */
  let unanswered = 0;
  let unauthenticatedBytes = 0;
  let authTokens = AUTH_BURST;
  let authRefilledAt = performance.now();
  let closed = false;

  const closeOverLimit = (reason: string) => {
    if (closed) return;
    closed = true;
    metrics.rateLimited.labels('socket').inc();
    log.info({ reason, documents: names.size }, 'closing a /collab socket over its limits');
    socket.close(CloseCode.tooManyMessages, reason);
  };
  const context: ConnectionContext = { views: new Map(), edits: new Map(), closeSocket: (code, reason) => socket.close(code, reason) };

  // Hocuspocus's answer to an authentication: frees the name's budget, counts a refusal.
  const noteAnswer = (frame: Uint8Array) => {
    let header;
    try {
      header = readHeader(frame);
    } catch {
      return;
    }
    if (header.type !== MessageType.Auth) return;
    const state = names.get(keyOf(viewIdOfRoom.get(header.name) ?? header.name));
    if (!state) return;
    const answer = decoding.readVarUint(header.decoder);
    if (answer !== AuthAnswer.authenticated && answer !== AuthAnswer.permissionDenied) return;
    if (state.awaiting) {
      state.awaiting = false;
      unanswered--;
    }
    unauthenticatedBytes -= state.bytes;
    state.bytes = 0;
    if (answer === AuthAnswer.authenticated) {
      state.authenticated = true;
      return;
    }
    if (!state.refused) {
      state.refused = true;
      openCount--;
      refusedCount++;
    }
    // Closed after this frame is sent, so that the client reads why.
    if (refusedCount > MAX_REFUSED_DOCUMENTS) setImmediate(() => closeOverLimit(SocketLimitReason.refusals));
  };

  const adapter: WebSocketLike = {
    get readyState() {
      return socket.readyState;
    },
    close: (code, reason) => socket.close(code, reason),
    send(data) {
      const frame = data as Uint8Array;
      if (unanswered > 0) noteAnswer(frame);
      if (viewIdOfRoom.size === 0) return socket.send(frame);
      const viewId = viewIdOfRoom.get(documentNameOf(frame));
      socket.send(viewId === undefined ? frame : readdress(frame, viewId));
    },
  };
  const connection = hocuspocus.handleConnection(adapter, toFetchRequest(request), context);
  keepAliveWithPings(socket, connection, Math.min(PING_INTERVAL_MS, hocuspocus.configuration.timeout / 2));

  /** Cancels of the stored-state waits of this socket (see `awaitStoredState`). */
  const storedStateWaits: (() => void)[] = [];
  // A client asking for the whole of a room that is not loaded yet gets its stored state as soon as the load has read it.
  const awaitStoredState = (frame: Uint8Array, state: NameState & { kind: 'direct' | 'view' }) => {
    const header = readHeader(frame);
    const roomId = state.kind === 'view' ? state.roomId : header.name;
    if (hocuspocus.documents.has(roomId) || header.type !== MessageType.Sync || !asksForWholeState(header.decoder)) return;
    // Hocuspocus addresses the connection as the frame reaches it: a view id readdressed to the room.
    const connectionAddress = state.kind === 'view' ? readdressedName(header.address, roomId) : header.address;
    storedStateWaits.push(
      fullStates.awaitStoredState(roomId, adapter, connectionAddress, (stored) => {
        if (closed || !state.authenticated || state.refused) return false;
        socket.send(syncStep2Frame(header.address, stored));
        return true;
      }),
    );
  };

  // A sync before any authentication is the protocol of @hocuspocus/provider
  // 2.x without a token; Hocuspocus would hold it forever. Refused, for a room
  // that exists (unknown names are refused by the room gate as usual).
  const refuseUnauthenticatedSync = (frame: Uint8Array, state: NameState): boolean => {
    const header = readHeader(frame);
    if (header.type === MessageType.Auth) {
      state.authSent = true;
      return false;
    }
    if (!state.exists || !isSyncStepOne(header.type, header.decoder)) return false;
    closed = true;
    metrics.updatesRejected.labels('unsupported_client').inc();
    log.info('refusing a /collab client that syncs before authenticating (@hocuspocus/provider 2.x)');
    socket.send(permissionDeniedFrame(header.address, CloseReason.unsupportedClient));
    socket.close(CloseCode.unsupportedClient, CloseReason.unsupportedClient);
    return true;
  };

  const deliver = (frame: Uint8Array, state: NameState) => {
    if (state.kind === 'resolving' || closed) return;
    if (!state.authSent && refuseUnauthenticatedSync(frame, state)) return;
    // Only before this name's authentication: a name let in once is not checked again here.
    if (!state.authenticated) awaitStoredState(frame, state);
    if (state.kind === 'direct') connection.handleMessage(frame);
    else connection.handleMessage(readdress(frame, state.roomId));
  };

  const resolve = async (name: string, pending: NameState & { kind: 'resolving' }) => {
    let resolved: { kind: 'direct' } | { kind: 'view'; roomId: string } = { kind: 'direct' };
    try {
      const grant = await access.resolve(name);
      pending.exists = grant !== undefined;
      // A room already open for editing on this socket stays that way; the view
      // name then reaches the room gate as it is and is refused there.
      if (grant?.access === 'view' && names.get(grant.roomId)?.kind !== 'direct') {
        resolved = { kind: 'view', roomId: grant.roomId };
        context.views.set(grant.roomId, name);
        viewIdOfRoom.set(grant.roomId, name);
      } else if (grant?.access === 'edit' && grant.roomId !== name && names.get(grant.roomId)?.kind !== 'direct') {
        // An edit id a rotation gave the room (`docs/owner.md`): readdressed like a view id, not read-only.
        resolved = { kind: 'view', roomId: grant.roomId };
        context.edits!.set(grant.roomId, name);
        viewIdOfRoom.set(grant.roomId, name);
      }
    } catch (error) {
      // The room gate queries again and refuses the name if the database is away.
      log.debug({ err: error }, 'could not resolve a document name');
    }
    if (closed) return;
    // The same object stays in the map, so the counts above keep pointing at it.
    const state = Object.assign(pending, resolved) as NameState;
    for (const frame of pending.queue) deliver(frame, state);
    pending.queue = [];
  };

  const takeAuthToken = () => {
    const now = performance.now();
    authTokens = Math.min(AUTH_BURST, authTokens + ((now - authRefilledAt) / 1000) * AUTH_PER_SECOND);
    authRefilledAt = now;
    if (authTokens < 1) return false;
    authTokens -= 1;
    return true;
  };

  const incoming = metrics.traffic.collab.in;
  socket.on('message', (data: Buffer) => {
    incoming.messages++;
    incoming.bytes += data.length;
    if (closed) return;
    let header;
    try {
      header = readHeader(data);
    } catch {
      metrics.updatesRejected.labels('malformed').inc();
      return socket.close(CloseCode.malformedMessage, CloseReason.malformedMessage);
    }
    if (header.type === MessageType.Auth && !takeAuthToken()) {
      metrics.updatesRejected.labels('rate_limited').inc();
      return closeOverLimit(SocketLimitReason.authentication);
    }
    const key = keyOf(header.name);
    let state = names.get(key);
    if (state === undefined) {
      if (openCount >= MAX_OPEN_DOCUMENTS) return closeOverLimit(SocketLimitReason.documents);
      openCount++;
      // A malformed name needs no lookup; the room gate refuses it (4404).
      if (!isRoomIdFormat(header.name)) state = { kind: 'direct', authenticated: false, refused: false, awaiting: false, authSent: false, bytes: 0 };
      else {
        const pending = { kind: 'resolving' as const, queue: [] as Uint8Array[], authenticated: false, refused: false, awaiting: false, authSent: false, bytes: 0 };
        state = pending;
        void resolve(header.name, pending);
      }
      names.set(key, state);
    }
    if (!state.authenticated) {
      if (header.type === MessageType.Auth && !state.awaiting) {
        state.awaiting = true;
        unanswered++;
      }
      state.bytes += data.length;
      unauthenticatedBytes += data.length;
      if (unauthenticatedBytes > MAX_UNAUTHENTICATED_BYTES) return closeOverLimit(SocketLimitReason.unauthenticatedBytes);
    }
    if (state.kind === 'resolving') {
      if (state.queue.length >= MAX_QUEUED_MESSAGES) return closeOverLimit(SocketLimitReason.unauthenticatedBytes);
      state.queue.push(data);
    } else {
      deliver(data, state);
    }
  });
  socket.on('error', (error: Error & { code?: string }) => {
    // `ws` closes with 1009 itself; this only counts it.
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') metrics.updatesRejected.labels('too_large').inc();
  });
  socket.on('close', (code, reason) => {
    closed = true;
    storedStateWaits.forEach((cancel) => cancel());
    connection.handleClose({ code, reason: reason.toString() });
  });
}
