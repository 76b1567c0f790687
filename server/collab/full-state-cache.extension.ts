import type { afterLoadDocumentPayload, Connection, Document, Extension } from '@hocuspocus/server';
import { MessageReceiver, MessageType, OutgoingMessage } from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { messageYjsSyncStep1, messageYjsSyncStep2 } from 'y-protocols/sync';
import * as Y from 'yjs';
import type { Metrics } from '../metrics.ts';

/** A room's whole state, encoded, while it is unchanged. */
interface CachedRoom {
  state: Uint8Array | undefined;
  answers: Answers;
}

/** `pairpad_full_syncs_total`, bound to its labels once per server. */
interface Answers {
  cached: ReturnType<Metrics['fullSyncs']['labels']>;
  encoded: ReturnType<Metrics['fullSyncs']['labels']>;
  /** Empty answers to clients given the stored state ahead of the load. */
  ahead: ReturnType<Metrics['fullSyncs']['labels']>;
}

const rooms = new WeakMap<Document, CachedRoom>();

/** Sends a room's stored state to one client; false when the client may not have it (not authenticated). */
export type StoredStateSend = (state: Uint8Array) => boolean;

/** The stored state each socket's clients were given ahead of the load, by the address they use (the room, or room and session). */
const givenAhead = new WeakMap<object, Map<string, Uint8Array>>();

/** A client waiting, on `socket`, for the stored state of a room it calls `address`. */
interface Waiter {
  socket: object;
  address: string;
  send: StoredStateSend;
}

/** A Yjs update that holds nothing: the answer to a client that already has the whole room. */
const EMPTY_UPDATE = Y.encodeStateAsUpdate(new Y.Doc());

/**
 * Answers clients that open a room with an empty document (a page load, a
 * new tool) from one encoding of the room's state, kept until the room
 * changes. Hocuspocus encodes the whole state for each such client: a class
 * of 400 joining a 300 KB room at the start of a lesson had it encoded 400
 * times over (5 ms each for the paper, warm). Clients that hold part of the room
 * (a reconnect) get their difference encoded as before.
 */
export class FullStateCacheExtension implements Extension {
  extensionName = 'pairpad-full-state-cache';

  private readonly answers: Answers;
  /** Clients that asked for the whole of a room while it was not loaded, by room. */
  private readonly waiting = new Map<string, Set<Waiter>>();

  /**
   * A client that asks for the whole of a room that is not loaded yet gets
   * the stored state as soon as the load has read it, before the server
   * applies it: the client decodes while the server does, instead of after
   * (after a restart, the server's decode of the paper took 23–69 ms of a
   * cold sync). Its sync answer is then empty, unless the room changed
   * meanwhile: then it is the whole room, as before. Only a room whose
   * stored state is all it has is given ahead (no log rows), and only to
   * clients let in. With Redis, what other instances changed since reaches
   * the client with that answer, or as an update once it is in the room.
   */
  constructor(metrics: Pick<Metrics, 'fullSyncs'>) {
    this.answers = { cached: metrics.fullSyncs.labels('cached'), encoded: metrics.fullSyncs.labels('encoded'), ahead: metrics.fullSyncs.labels('ahead') };
    answerFreshClientsFromCache();
  }

  async afterLoadDocument({ document }: afterLoadDocumentPayload): Promise<void> {
    // Persistence ends the wait after its own load; this catches a client that asked while later hooks ran.
    this.loadEnded(document.name);
    if (!rooms.has(document)) cacheRoom(document, undefined, this.answers);
  }

  /** A load of the room ended (or failed): whoever was not given the stored state gets the sync answer. */
  loadEnded(roomId: string): void {
    this.waiting.delete(roomId);
  }

  /**
   * Notes that the client on `socket` asked for the whole of `roomId`,
   * which is not loaded yet; `send` gives it the stored state when
   * {@link offerStoredState} has it. Returns a cancel (for a closed socket).
   */
  awaitStoredState(roomId: string, socket: object, address: string, send: StoredStateSend): () => void {
    let waiters = this.waiting.get(roomId);
    if (!waiters) this.waiting.set(roomId, (waiters = new Set()));
    const waiter: Waiter = { socket, address, send };
    waiters.add(waiter);
    return () => {
      const current = this.waiting.get(roomId);
      current?.delete(waiter);
      if (current?.size === 0) this.waiting.delete(roomId);
    };
  }

  /** Called by the load with the stored state once read and before it is applied, when it is all the room holds. */
  offerStoredState(roomId: string, state: Uint8Array): void {
    const waiters = this.waiting.get(roomId);
    if (!waiters) return;
    this.waiting.delete(roomId);
    for (const { socket, address, send } of waiters) {
      if (!send(state)) continue;
      let given = givenAhead.get(socket);
      if (!given) givenAhead.set(socket, (given = new Map()));
      given.set(address, state);
    }
  }

  /**
   * Starts a loaded room's cache with the state it was loaded from, when
   * that is all it holds: the first client after a restart then gets the
   * stored bytes without an encoding (in a fresh process encoding the paper
   * took 60–80 ms).
   */
  seed(document: Document, state: Uint8Array): void {
    cacheRoom(document, state, this.answers);
  }
}

function cacheRoom(document: Document, state: Uint8Array | undefined, answers: Answers): void {
  const room: CachedRoom = { state, answers };
  rooms.set(document, room);
  document.on('update', () => {
    room.state = undefined;
  });
}

let installed = false;

/**
 * Hocuspocus answers a sync step 1 in `MessageReceiver.readSyncMessage`;
 * for a room with a cache and an empty state vector this answers the same
 * way (the room's own step 1 first, then step 2 in the reply) with the cached
 * state. Installed once per process; rooms without a cache (another
 * Hocuspocus in the process) go the original way.
 */
function answerFreshClientsFromCache(): void {
  if (installed) return;
  installed = true;
  const original = MessageReceiver.prototype.readSyncMessage;
  MessageReceiver.prototype.readSyncMessage = async function (message, document, connection, reply, requestFirstSync = true) {
    const room = rooms.get(document);
    if (room === undefined || !asksForWholeState(message.decoder)) return original.call(this, message, document, connection, reply, requestFirstSync);
    const type = decoding.readVarUint(message.decoder);
    if (connection) await (connection as unknown as ConnectionInternals).callbacks.beforeSync(connection, { type, payload: message.peekVarUint8Array() });
    decoding.readVarUint8Array(message.decoder);
    const ahead = connection ? takeGivenAhead(connection) : undefined;
    let answer: Uint8Array;
    // Given the stored state, and the room has not changed since: it has everything.
    if (ahead !== undefined && ahead === room.state) {
      answer = EMPTY_UPDATE;
      room.answers.ahead.inc();
    } else {
      const cached = room.state !== undefined;
      answer = room.state ??= Y.encodeStateAsUpdate(document);
      (cached ? room.answers.cached : room.answers.encoded).inc();
    }
    encoding.writeVarUint(message.encoder, messageYjsSyncStep2);
    encoding.writeVarUint8Array(message.encoder, answer);
    const address = connection?.messageAddress ?? document.name;
    if (reply && requestFirstSync) reply(new OutgoingMessage(address).createSyncReplyMessage().writeFirstSyncStepFor(document).toUint8Array());
    else connection?.send(new OutgoingMessage(address).createSyncMessage().writeFirstSyncStepFor(document).toUint8Array());
    return messageYjsSyncStep1;
  };
}

/** A sync step 2 to the client that calls the room `address`, carrying `state`. */
export function syncStep2Frame(address: string, state: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, address);
  encoding.writeVarUint(encoder, MessageType.Sync);
  encoding.writeVarUint(encoder, messageYjsSyncStep2);
  encoding.writeVarUint8Array(encoder, state);
  return encoding.toUint8Array(encoder);
}

/** The stored state the client of `connection` was given ahead of the load, if any (once). */
function takeGivenAhead(connection: Connection): Uint8Array | undefined {
  const given = givenAhead.get(connection.webSocket);
  const state = given?.get(connection.messageAddress);
  given?.delete(connection.messageAddress);
  return state;
}

/** The private part of Hocuspocus 4's `Connection` the original calls before answering. */
interface ConnectionInternals {
  callbacks: { beforeSync(connection: Connection, payload: { type: number; payload: Uint8Array }): Promise<unknown> };
}

/** A sync step 1 whose state vector is empty (its client holds nothing yet); reads without consuming. */
export function asksForWholeState(decoder: decoding.Decoder): boolean {
  const start = decoder.pos;
  try {
    if (decoding.readVarUint(decoder) !== messageYjsSyncStep1) return false;
    const stateVector = decoding.readVarUint8Array(decoder);
    return stateVector.length === 1 && stateVector[0] === 0;
  } catch {
    return false; // the original reports what is wrong with it
  } finally {
    decoder.pos = start;
  }
}
