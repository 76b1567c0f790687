import type { afterHandleMessagePayload, afterLoadDocumentPayload, beforeHandleAwarenessPayload, beforeHandleMessagePayload, Connection, Document, Extension } from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import { CloseCode, CloseReason } from '../../shared/protocol.ts';
import type { Metrics } from '../metrics.ts';
import { filterAwarenessStates, readAwarenessFrame, type AwarenessFrame } from './awareness-guard.ts';
import { trackAwarenessOwners } from './awareness-owners.ts';
import { ClientKeys, type ClientKeyStore } from './client-keys.ts';
import { mayChat } from './chat-permission.ts';
import { ClientOwnership } from './client-ownership.ts';
import type { ConnectionContext } from './connection-context.ts';
import { MessageType } from './hocuspocus-wire.ts';
import { PendingUpdates } from './pending-updates.ts';
import type { RemoteOwners } from './remote-owners.ts';
import { currentRoomBytes } from './room-size.ts';
import { checkUpdate, type UpdateVerdict } from './update-guard.ts';

export { inspectUpdate, measureRoom, type UpdateVerdict } from './update-guard.ts';
export { MAX_AWARENESS_STATE_CHARS } from './awareness-guard.ts';

const SYNC_STEP_1 = 0;

/** Limits of what one connection may send. */
export interface MessageLimits {
  /**
   * Largest size a room may reach, in bytes (`MAX_DOCUMENT_BYTES`): 2 bytes
   * per UTF-16 code unit of the code, every file's text and path, the folders'
   * paths and the `meta` strings (see {@link measureRoom}).
   */
  maxDocumentChars: number;
}

class Refusal {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {}
}

/** An update that passed every local check but writes under client ids connections on other instances claim: accepted only if none of those instances is alive. */
class RemoteClaim {
  constructor(readonly instances: string[]) {}
}

/** An update under client ids this connection was not checked for yet: their key bindings are looked up first ({@link ClientKeys}). */
class KeyLookup {
  constructor(
    readonly clients: number[],
    /** How many client ids the update writes under (one: the connection's own typing). */
    readonly writers: number,
  ) {}
}

const NOT_OWNER = new Refusal(CloseCode.malformedMessage, CloseReason.malformedMessage);
/** The database could not say whether an id is bound: retryable, nothing applied. */
const KEYS_UNAVAILABLE = new Refusal(CloseCode.tryAgainLater, CloseReason.keysUnavailable);

/**
 * Checks every incoming message before Hocuspocus applies it, on `/collab`
 * and `/yjs` alike (the message rate is paced earlier, at the socket:
 * `message-pacing.ts`): updates that do not decode, write outside the document layout or would leave Yjs waiting
 * ({@link inspectUpdate}); updates written under a client id bound to
 * another client key ({@link ClientKeys}, looked up once per connection and
 * id); updates written under a client id another live
 * connection owns, here ({@link ClientOwnership}) or, with Redis, on another
 * live instance ({@link RemoteOwners}), unless the connection holds the key
 * that id is bound to (it takes the id over); updates that would grow the
 * room past `MAX_DOCUMENT_BYTES` ({@link measureRoom}); awareness states
 * ({@link filterAwarenessStates}). A refused message is never applied; the
 * socket is closed with the reason (4400; 4413 for size, and for more than
 * `MAX_FILES` files or `MAX_FOLDERS` folders) and other clients
 * carry on. An update whose dependencies have not arrived yet is held
 * ({@link PendingUpdates}) and handed back to Hocuspocus once they did.
 * Typing costs one decode and a few map lookups.
 */
export class MessageGuardExtension implements Extension {
  extensionName = 'pairpad-message-guard';
  priority = 900;
  /** The awareness frame a connection sent last; the awareness hook runs right after, for that frame. */
  private readonly awarenessFrames = new WeakMap<object, AwarenessFrame>();
  private readonly ownership = new ClientOwnership();
  private readonly keys: ClientKeys;
  private readonly pending: PendingUpdates;
  /**
   * Viewers (read-only connections) whose message being handled is a chat
   * append the guard let through: read-only is lifted for that one message
   * (Hocuspocus applies and acknowledges it) and set back after it.
   */
  private readonly chattingViewers = new WeakSet<Connection>();
  /** Where each held connection may be closed from, when its held updates expire. */
  private readonly contexts = new WeakMap<Connection, { document: Document; context: ConnectionContext | undefined }>();

  constructor(
    private readonly limits: MessageLimits,
    private readonly metrics: Pick<Metrics, 'updatesRejected' | 'rateLimited'>,
    keyStore: ClientKeyStore,
    private readonly remoteOwners?: RemoteOwners,
  ) {
    this.keys = new ClientKeys(keyStore);
    this.pending = new PendingUpdates((connection) => {
      const where = this.contexts.get(connection);
      if (!where?.document.connections.has(connection)) return;
      this.metrics.updatesRejected.labels('missing_dependencies').inc();
      where.context?.closeSocket?.(CloseCode.malformedMessage, CloseReason.malformedMessage);
    });
  }

  /** See {@link trackAwarenessOwners}: a connection's close removes every awareness state it set. */
  async afterLoadDocument({ document }: afterLoadDocumentPayload): Promise<void> {
    trackAwarenessOwners(document);
    void this.keys.preload(document); // off the load path: writes before it lands ask the database per id
  }

  async beforeHandleMessage({ update: frame, document, connection, context }: beforeHandleMessagePayload<ConnectionContext>): Promise<void> {
    let refusal = this.check(frame, document, connection, context);
    if (refusal instanceof RemoteClaim || refusal instanceof KeyLookup) refusal = await this.settleAndCheckAgain(refusal, frame, document, connection, context);
    if (!refusal) return;
    this.pending.drop(connection);
    context?.closeSocket?.(refusal.code, refusal.reason);
    // Throwing stops Hocuspocus from applying the message.
    throw refusal;
  }

  /**
   * Settles what the check could not decide at once: the key bindings of
   * writers this connection was not checked for ({@link settleKeys}), the
   * claims another instance's connections hold on the writers
   * ({@link settleRemoteClaim}); then checks the update again: the room may
   * have changed while the database or Redis answered. Instances found dead
   * do not count again; a question that keeps turning up is refused.
   */
  private async settleAndCheckAgain(
    first: RemoteClaim | KeyLookup,
    frame: Uint8Array,
    document: Document,
    connection: Connection,
    context: ConnectionContext | undefined,
  ): Promise<Refusal | undefined> {
    const dead = new Set<string>();
    let outcome: Refusal | RemoteClaim | KeyLookup | undefined = first;
    for (let round = 0; outcome instanceof RemoteClaim || outcome instanceof KeyLookup; round++) {
      if (round >= 5) outcome = NOT_OWNER;
      else if (outcome instanceof KeyLookup) outcome = await this.settleKeys(outcome, document, connection);
      else outcome = await this.settleRemoteClaim(outcome, dead);
      if (!outcome) outcome = this.check(frame, document, connection, context, dead);
    }
    return outcome;
  }

  /**
   * Looks up (and binds, see {@link ClientKeys.settle}) the keys of writers
   * this connection was not checked for. What may be bound to the
   * connection's key is its own id: one of its awareness ids, or the single
   * writer of its update when it has none (a client without awareness) —
   * never the other writers of a reconnect's batch, which may be other
   * people's edits it relays, and never an id another live connection owns,
   * here or on another instance (binding it would hand that id over: the
   * key would then take it from its owner).
   */
  private async settleKeys(lookup: KeyLookup, document: Document, connection: Connection): Promise<Refusal | undefined> {
    const awarenessIds = document.connections.get(connection)?.clients;
    const ownWithoutAwareness = lookup.writers === 1 && (awarenessIds === undefined || awarenessIds.size === 0);
    const mayBind = (client: number) =>
      (ownWithoutAwareness || awarenessIds?.has(client) === true) &&
      !this.ownership.ownedByAnother(document, client, connection) &&
      this.remoteOwners?.ownerOf(document, client) === undefined;
    const verdict = await this.keys.settle(document, connection, lookup.clients, mayBind);
    switch (verdict) {
      case 'allowed':
        return undefined;
      case 'refused':
        this.metrics.updatesRejected.labels('not_owner').inc();
        return NOT_OWNER;
      case 'unavailable':
        this.metrics.updatesRejected.labels('client_keys_unavailable').inc();
        return KEYS_UNAVAILABLE;
      default:
        return verdict satisfies never;
    }
  }

  /** Hands held updates whose dependencies the room now holds back to Hocuspocus, in the order they came. */
  async afterHandleMessage({ document, connection }: afterHandleMessagePayload<ConnectionContext>): Promise<void> {
    if (this.chattingViewers.delete(connection)) connection.readOnly = true;
    if (!this.pending.has(connection)) return;
    for (const frame of this.pending.takeReady(connection, document)) connection.handleMessage(frame);
  }

  private check(
    frame: Uint8Array,
    document: Document,
    connection: Connection,
    context: ConnectionContext | undefined,
    deadInstances?: ReadonlySet<string>,
  ): Refusal | RemoteClaim | KeyLookup | undefined {
    let update: Uint8Array;
    let typeAt: number;
    try {
      const decoder = decoding.createDecoder(frame);
      decoding.readVarString(decoder);
      typeAt = decoder.pos;
      const type = decoding.readVarUint(decoder);
      if (type > MessageType.Pong) throw new Error('unknown message type');
      if (type === MessageType.Awareness) this.awarenessFrames.set(connection, readAwarenessFrame(decoder, frame.length));
      if (type !== MessageType.Sync && type !== MessageType.SyncReply) return undefined;
      if (decoding.readVarUint(decoder) === SYNC_STEP_1) return undefined;
      update = decoding.readVarUint8Array(decoder);
    } catch {
      this.metrics.updatesRejected.labels('malformed').inc();
      return new Refusal(CloseCode.malformedMessage, CloseReason.malformedMessage);
    }
    const viewer = connection.readOnly;
    // A viewer may append to the chat and nothing else (`shared/protocol.ts`, "Chat").
    const verdict: UpdateVerdict = checkUpdate(update, document, { appendOnly: viewer });
    if (viewer && !isViewerChat(verdict, document, context)) {
      // Hocuspocus drops it; a viewer's empty sync reply (two zero bytes) is no edit.
      if (update.length > 2) this.metrics.updatesRejected.labels('read_only').inc();
      return undefined;
    }
    if (!verdict.ok) {
      if (verdict.problem === 'too_many_files') {
        this.metrics.updatesRejected.labels('too_many_files').inc();
        return new Refusal(CloseCode.documentTooLarge, CloseReason.tooManyFiles);
      }
      if (verdict.problem === 'chat_full') {
        this.metrics.updatesRejected.labels('chat_full').inc();
        return new Refusal(CloseCode.documentTooLarge, CloseReason.chatFull);
      }
      if (verdict.problem === 'missing_dependencies' && this.mayHold(verdict, document, connection) && this.pending.hold(connection, frame, verdict.waitingFor)) {
        this.contexts.set(connection, { document, context });
        neutralise(frame, typeAt);
        return undefined;
      }
      this.metrics.updatesRejected.labels(verdict.problem === 'missing_dependencies' ? 'missing_dependencies' : 'malformed').inc();
      return new Refusal(CloseCode.malformedMessage, CloseReason.malformedMessage);
    }
    // The keystroke path: one Set lookup per writer, once each is checked for this connection.
    const unchecked = this.keys.unchecked(connection, verdict.writers);
    if (unchecked !== undefined) return new KeyLookup(unchecked, verdict.writers.length);
    let takeovers: number[] | undefined;
    for (const client of verdict.writers) {
      if (this.ownership.ownedByAnother(document, client, connection)) {
        // Same key, same client: its old socket is still open (a reconnect or a move raced its close).
        if (this.keys.holdsKey(document, connection, client)) {
          (takeovers ??= []).push(client);
          continue;
        }
        this.metrics.updatesRejected.labels('not_owner').inc();
        return NOT_OWNER;
      }
    }
    const limit = this.limits.maxDocumentChars;
    // O(1) while people type: the files' part is kept up to date per transaction.
    if (verdict.addedBytes > 0 && currentRoomBytes(document) + verdict.addedBytes > limit) {
      this.metrics.updatesRejected.labels('document_too_large').inc();
      return new Refusal(CloseCode.documentTooLarge, CloseReason.documentTooLarge);
    }
    const awarenessIds = document.connections.get(connection)?.clients;
    const claimants = this.remoteClaimants(document, verdict.writers, connection, awarenessIds, deadInstances);
    if (claimants !== undefined) return new RemoteClaim(claimants);
    if (takeovers !== undefined) for (const client of takeovers) this.ownership.takeOver(document, client, connection);
    this.ownership.claim(connection, verdict.writers, awarenessIds);
    if (viewer) {
      // Messages of a connection are handled one at a time: afterHandleMessage sets it back.
      this.chattingViewers.add(connection);
      connection.readOnly = false;
    }
    return undefined;
  }

  /**
   * The other instances whose connections claim a client id among `writers`
   * (usually none: one Map lookup per writer), not counting ids this
   * connection owns already or holds the key of, nor instances found dead.
   */
  private remoteClaimants(
    document: Document,
    writers: readonly number[],
    connection: Connection,
    awarenessIds: ReadonlySet<number> | undefined,
    deadInstances: ReadonlySet<string> | undefined,
  ): string[] | undefined {
    if (this.remoteOwners === undefined) return undefined;
    let claimants: string[] | undefined;
    for (const client of writers) {
      const owner = this.remoteOwners.ownerOf(document, client);
      if (owner === undefined || awarenessIds?.has(client) || this.ownership.hasWritten(connection, client) || deadInstances?.has(owner)) continue;
      if (this.keys.holdsKey(document, connection, client)) continue; // same client, moved here

      (claimants ??= []).push(owner);
    }
    return claimants;
  }

  /**
   * Refuses the update if one of the claiming instances is alive; a claim
   * left by an instance that died (its heartbeat lapsed, or its Redis
   * connection closed) does not count (it is added to `dead`), so a client
   * that fails over keeps its id. Messages of a connection are handled one
   * at a time, so waiting here keeps them in order.
   */
  private async settleRemoteClaim(claim: RemoteClaim, dead: Set<string>): Promise<Refusal | undefined> {
    const alive = await Promise.all(claim.instances.map((instance) => this.remoteOwners!.isAlive(instance)));
    if (alive.includes(true)) {
      this.metrics.updatesRejected.labels('not_owner').inc();
      return NOT_OWNER;
    }
    for (const instance of claim.instances) dead.add(instance);
    return undefined;
  }

  /**
   * Only what may wait for the sender's own structs is held (a client's
   * typing that overtook its own sync answer): not what waits for a client
   * id another live connection owns (here or on another instance), or anyone could park a delete of that
   * person's next typing.
   */
  private mayHold(verdict: { waitingFor: { client: number } }, document: Document, connection: Connection): boolean {
    const { client } = verdict.waitingFor;
    // Unless the connection holds the key that id is bound to: then they are its own.
    if (this.keys.holdsKey(document, connection, client)) return true;
    if (this.ownership.ownedByAnother(document, client, connection)) return false;
    // Nor one another instance's connection claims (alive or not: refusing is safe, holding is not).
    return this.remoteOwners?.ownerOf(document, client) === undefined || document.connections.get(connection)?.clients.has(client) === true;
  }

  /** See {@link filterAwarenessStates}. */
  async beforeHandleAwareness(payload: beforeHandleAwarenessPayload): Promise<void> {
    const { connection, document } = payload;
    const frame = connection ? this.awarenessFrames.get(connection) : undefined;
    const holdsKey = connection ? (client: number) => this.keys.holdsKey(document, connection, client) : () => false;
    filterAwarenessStates(payload, frame, this.ownership, this.metrics, holdsKey);
    if (!connection || connection.readOnly) return;
    // What is left are the connection's own ids: bind them now, not only at its first write.
    let own: number[] | undefined;
    for (const [client, state] of payload.states) if (state !== null) (own ??= []).push(client);
    if (own !== undefined) this.keys.bindInBackground(document, connection, own);
  }
}

/**
 * True when a viewer's update goes on to the checks editors' updates get:
 * a chat append the room allows ({@link mayChat}), or a refusal inside the
 * chat (a bad message, a delete of one: closed like an editor's). Anything
 * else of a viewer's (an edit, a no-op, one that waits for structs) is
 * dropped as before.
 */
function isViewerChat(verdict: UpdateVerdict, document: Document, context: ConnectionContext | undefined): boolean {
  if (verdict.ok) return verdict.chatMessages > 0 && verdict.writers.length > 0 && mayChat(context, document);
  return verdict.problem === 'layout' || verdict.problem === 'malformed' || verdict.problem === 'chat_full';
}

/**
 * Turns a sync frame, in place, into an empty awareness frame: Hocuspocus
 * reads the message from the very bytes it passed to `beforeHandleMessage`,
 * and a hook can only refuse (which closes the connection), not skip. An
 * empty awareness update changes nothing and is not answered, so the client
 * gets no acknowledgement until the held copy is really applied. The frame
 * has at least 3 bytes from `typeAt`: the type, the sync step and the
 * update's length.
 */
function neutralise(frame: Uint8Array, typeAt: number): void {
  frame[typeAt] = MessageType.Awareness;
  frame[typeAt + 1] = 1; // the awareness update is 1 byte long:
  frame[typeAt + 2] = 0; // no states
}
