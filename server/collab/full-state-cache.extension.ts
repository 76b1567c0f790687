import type { afterLoadDocumentPayload, Connection, Document, Extension } from '@hocuspocus/server';
import { MessageReceiver, OutgoingMessage } from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import type { Metrics } from '../metrics.ts';

const SYNC_STEP_1 = 0;
const SYNC_STEP_2 = 1;

/** A room's whole state, encoded, while it is unchanged. */
interface CachedRoom {
  state: Uint8Array | undefined;
  answers: Answers;
}

/** `pairpad_full_syncs_total`, bound to its labels once per server. */
interface Answers {
  cached: ReturnType<Metrics['fullSyncs']['labels']>;
  encoded: ReturnType<Metrics['fullSyncs']['labels']>;
}

const rooms = new WeakMap<Document, CachedRoom>();

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

  constructor(metrics: Pick<Metrics, 'fullSyncs'>) {
    this.answers = { cached: metrics.fullSyncs.labels('cached'), encoded: metrics.fullSyncs.labels('encoded') };
    answerFreshClientsFromCache();
  }

  async afterLoadDocument({ document }: afterLoadDocumentPayload): Promise<void> {
    if (!rooms.has(document)) cacheRoom(document, undefined, this.answers);
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
    const cached = room.state !== undefined;
    room.state ??= Y.encodeStateAsUpdate(document);
    (cached ? room.answers.cached : room.answers.encoded).inc();
    encoding.writeVarUint(message.encoder, SYNC_STEP_2);
    encoding.writeVarUint8Array(message.encoder, room.state);
    const address = connection?.messageAddress ?? document.name;
    if (reply && requestFirstSync) reply(new OutgoingMessage(address).createSyncReplyMessage().writeFirstSyncStepFor(document).toUint8Array());
    else connection?.send(new OutgoingMessage(address).createSyncMessage().writeFirstSyncStepFor(document).toUint8Array());
    return SYNC_STEP_1;
  };
}

/** The private part of Hocuspocus 4's `Connection` the original calls before answering. */
interface ConnectionInternals {
  callbacks: { beforeSync(connection: Connection, payload: { type: number; payload: Uint8Array }): Promise<unknown> };
}

/** A sync step 1 whose state vector is empty (its client holds nothing yet); reads without consuming. */
function asksForWholeState(decoder: decoding.Decoder): boolean {
  const start = decoder.pos;
  try {
    if (decoding.readVarUint(decoder) !== SYNC_STEP_1) return false;
    const stateVector = decoding.readVarUint8Array(decoder);
    return stateVector.length === 1 && stateVector[0] === 0;
  } catch {
    return false; // the original reports what is wrong with it
  } finally {
    decoder.pos = start;
  }
}
