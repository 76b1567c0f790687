import {
  Redis,
  type Configuration as RedisConfiguration,
} from '@hocuspocus/extension-redis';
import {
  MessageType,
  OutgoingMessage,
  type Document,
  type afterLoadDocumentPayload,
  type beforeBroadcastStatelessPayload,
  type onAwarenessUpdatePayload,
  type onChangePayload,
} from '@hocuspocus/server';
import { Redis as IORedis } from 'ioredis';
import * as decoding from 'lib0/decoding';
import { removeAwarenessStates } from 'y-protocols/awareness';
import type { Logger } from '../log.ts';
import { isFromRedis, senderOf } from './change-origins.ts';
import { RemoteOwners } from './remote-owners.ts';

/** How often a room that changed runs a state-vector exchange with its peers, repairing missed updates. */
const REPAIR_INTERVAL_MS = 5_000;
/** An instance's heartbeat key lives this long unless refreshed (every {@link HEARTBEAT_INTERVAL_MS}). */
const HEARTBEAT_TTL_MS = 15_000;
const HEARTBEAT_INTERVAL_MS = 5_000;
/** Longest a write waits for Redis to say whether the instance claiming its client id is alive. */
const LIVENESS_TIMEOUT_MS = 1_000;

/**
 * Scale-out through `@hocuspocus/extension-redis`: edits, awareness and
 * stateless messages reach every instance that has the room open. Pairpad
 * changes these things about it:
 *
 * - A client's edit is published as the update itself, one message. The
 *   extension publishes a state vector instead, which every peer answers
 *   with a diff and a state vector of its own, answered with the diff: three
 *   messages between instances and two diffs per keystroke. A state-vector
 *   exchange still runs for each changed room every few seconds, so an
 *   update a peer missed (while it reconnected) reaches it anyway.
 * - Awareness removals are applied and published where Hocuspocus 4 drops
 *   them (see below).
 * - No Redis lock around stores. A fold already runs under the room row's
 *   lock in Postgres (see `room-store.ts`), and the extension's lock would
 *   make an instance skip its fold, leaving its own changes unfolded.
 * - An instance keeps serving its own clients while Redis is away: nothing
 *   is published then, rooms loaded meanwhile are subscribed once Redis is
 *   back, and every loaded room re-announces its state so the instances
 *   exchange what changed during the outage.
 * - A room loading while another instance has it open waits for that
 *   instance's answer from before it announces itself (see the constructor).
 * - Client-id ownership across instances ({@link RemoteOwners}): an
 *   instance relays only the awareness states of its own connections (the
 *   extension re-relays what it received, and answers a peer's query with
 *   every state it holds), so the instance a state came from is the one
 *   holding that client's connection. Each instance keeps a heartbeat key,
 *   `<prefix>:instance:<id>`, alive.
 * - Errors go to the log, not to the console.
 */
export class RedisSyncExtension extends Redis {
  extensionName = 'pairpad-redis';
  private readonly unsubscribed = new Map<string, afterLoadDocumentPayload>();
  /** Rooms whose repairing state-vector exchange is due, by name. */
  private readonly repairs = new Map<string, NodeJS.Timeout>();
  /** The client ids connections on other instances own. */
  readonly owners = new RemoteOwners((instance) => this.isInstanceAlive(instance));
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    options: { url: string; prefix: string; identifier?: string },
    private readonly log: Logger,
  ) {
    const createClient = () => {
      // Retry forever: while Redis is away we issue no commands, so nothing piles up.
      const client = new IORedis(options.url, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(times * 200, 2_000) });
      client.on('error', (error) => log.debug({ err: error }, 'redis connection error'));
      return client;
    };
    const configuration: Partial<RedisConfiguration> = {
      createClient: createClient as RedisConfiguration['createClient'],
      prefix: options.prefix,
      disconnectDelay: 500,
      ...(options.identifier ? { identifier: options.identifier } : {}),
    };
    super(configuration);
    // Hocuspocus 4 applies an awareness message through a scratch Awareness
    // and re-encodes only the states that holds, so a removal (a null state)
    // relayed from another instance never arrives: apply removals first.
    const relay = this['handleIncomingMessage'];
    this.sub.off('messageBuffer', relay);
    this.sub.on('messageBuffer', (channel: Buffer, data: Buffer) => {
      if (this.readRelayedAwareness(data)) return;
      return relay(channel, data);
    });
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_INTERVAL_MS);
    this.heartbeat.unref();
    // Hocuspocus 4.7 registers its wait for a peer's answer to a loading
    // room only once its own publishes are acknowledged. When two instances
    // load a room at once, an answer often came first (on the other
    // connection), found no one waiting, and the load sat out the whole
    // timeout (1 s) with the answer long applied.
    this['syncInitialStateFromPeers'] = (documentName: string, document: Document) => this.syncInitialState(documentName, document);
    let wasConnected = false;
    // Resynchronise once both connections are back: the subscriber must be
    // listening before peers answer, or their replies are lost.
    const onReady = () => {
      if (!this.reachable) return;
      if (wasConnected) log.info('redis reachable again; resynchronising rooms');
      wasConnected = true;
      this.beat();
      void this.resynchronise();
    };
    this.pub.on('ready', onReady);
    this.sub.on('ready', onReady);
    this.pub.on('end', () => log.warn('redis connection ended'));
    this.pub.on('close', () => {
      if (wasConnected) log.warn('redis unreachable; serving local clients only until it returns');
    });
  }

  /** True while both Redis connections are up. */
  get reachable(): boolean {
    return this.pub.status === 'ready' && this.sub.status === 'ready';
  }

  override async afterLoadDocument(payload: afterLoadDocumentPayload): Promise<void> {
    if (!this.reachable) {
      this.unsubscribed.set(payload.documentName, payload);
      return;
    }
    try {
      await super.afterLoadDocument(payload);
    } catch (error) {
      this.log.warn({ err: error, roomId: payload.documentName }, 'could not join the room on redis; will retry when redis is back');
      this.unsubscribed.set(payload.documentName, payload);
    }
  }

  override async onChange(payload: onChangePayload): Promise<void> {
    if (!this.reachable) return;
    const { documentName, document, update, transactionOrigin } = payload;
    if (senderOf(transactionOrigin) === undefined) {
      // Loads, folds and relays: rare, possibly large; the exchange sends only what peers lack.
      return super.onChange(payload);
    }
    this.publish(documentName, new OutgoingMessage(documentName).createSyncMessage().writeUpdate(update).toUint8Array());
    if (!this.repairs.has(documentName)) {
      const timer = setTimeout(() => {
        this.repairs.delete(documentName);
        if (this.reachable && this.instance?.documents.get(documentName) === document) void this.announceState(document);
      }, REPAIR_INTERVAL_MS);
      timer.unref();
      this.repairs.set(documentName, timer);
    }
  }

  override async onAwarenessUpdate(payload: onAwarenessUpdatePayload): Promise<void> {
    if (!this.reachable) return;
    const { document, documentName, awareness, removed, transactionOrigin } = payload;
    if (removed.length > 0 && !isFromRedis(transactionOrigin) && document.connections.size <= 1) {
      // The extension publishes on the next turn, and only while the room has
      // connections: the last local client's leaving would never reach the
      // other instances, and its cursor would linger there for 30 s. Publish now.
      this.publish(documentName, new OutgoingMessage(documentName).createAwarenessUpdateMessage(awareness, removed).toUint8Array());
    }
    // What another instance relayed, it relayed to every instance: relaying
    // it again would only make this instance look like its owner.
    if (isFromRedis(transactionOrigin)) return;
    await super.onAwarenessUpdate(payload);
  }

  override async beforeBroadcastStateless(payload: beforeBroadcastStatelessPayload): Promise<number> {
    if (!this.reachable) return 0;
    // As in `publish`: nothing upstream catches a rejection here.
    return super.beforeBroadcastStateless(payload).catch((error: unknown) => {
      this.log.debug({ err: error, roomId: payload.documentName }, 'could not publish a stateless message to redis');
      return 0;
    });
  }

  override async onStoreDocument(): Promise<void> {}

  override async afterStoreDocument(): Promise<void> {}

  override async afterUnloadDocument(payload: Parameters<Redis['afterUnloadDocument']>[0]): Promise<void> {
    this.unsubscribed.delete(payload.documentName);
    clearTimeout(this.repairs.get(payload.documentName));
    this.repairs.delete(payload.documentName);
    if (this.reachable) await super.afterUnloadDocument(payload);
  }

  /** Closes both Redis connections. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const timer of this.repairs.values()) clearTimeout(timer);
    this.repairs.clear();
    this.pub.disconnect(false);
    this.sub.disconnect(false);
  }

  /**
   * Publishes a message to the room's other instances. Not awaited by the
   * hooks: Hocuspocus does not catch what its change hooks reject, and Redis
   * may go away between the check and the write; the missed message is
   * repaired by the next state-vector exchange.
   */
  private publish(documentName: string, message: Uint8Array): void {
    this.pub.publish(this['pubKey'](documentName), this['encodeMessage'](message)).catch((error: unknown) => {
      this.log.debug({ err: error, roomId: documentName }, 'could not publish to redis; the next exchange repairs it');
    });
  }

  /**
   * Announces a room just loaded to the other instances and, when another
   * has it open, waits (at most `awaitInitialSyncTimeout`) for its answer,
   * registered before anything is published.
   */
  private async syncInitialState(documentName: string, document: Document): Promise<void> {
    const timeout: number = this['configuration'].awaitInitialSyncTimeout;
    const waiting: Map<string, () => void> = this['pendingInitialSyncResolves'];
    let answered: Promise<void> | undefined;
    if (timeout > 0 && (await this['hasOtherSubscribers'](documentName))) {
      answered = new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          if (waiting.get(documentName) === done) waiting.delete(documentName);
          resolve();
        };
        const timer = setTimeout(done, timeout);
        waiting.set(documentName, done);
      });
    }
    try {
      await Promise.all([this['publishFirstSyncStep'](documentName, document), this['requestAwarenessFromOtherInstances'](documentName)]);
    } catch (error) {
      waiting.get(documentName)?.();
      throw error;
    }
    await answered;
  }

  /** Publishes the room's state vector: every peer sends what we miss and asks for what it misses. */
  private announceState(document: Document): Promise<void> {
    return super.onChange({ documentName: document.name, document, transactionOrigin: undefined } as onChangePayload);
  }

  /** This instance's identifier among its peers (what {@link isInstanceAlive} takes). */
  get instanceId(): string {
    return this['configuration'].identifier;
  }

  /** True while this instance's heartbeat key exists and its reply channel has a subscriber (its Redis connection is open). */
  async isInstanceAlive(instance: string): Promise<boolean> {
    if (instance === this['configuration'].identifier) return true;
    // ioredis queues commands while Redis is away: never let a client's messages wait on that.
    if (!this.reachable) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('redis did not answer whether an instance is alive')), LIVENESS_TIMEOUT_MS);
    });
    const asked = this.pub.pipeline().exists(this.heartbeatKey(instance)).call('PUBSUB', 'NUMSUB', this['replyKey'](instance)).exec();
    const results = await Promise.race([asked, timeout]).finally(() => clearTimeout(timer));
    if (!results || results.some(([error]: [Error | null, unknown]) => error)) throw new Error('could not ask redis whether an instance is alive');
    const [[, exists], [, numsub]] = results as [[null, number], [null, [string, number]]];
    return exists === 1 && Number(numsub[1]) > 0;
  }

  private heartbeatKey(instance: string): string {
    return `${this['configuration'].prefix}:instance:${instance}`;
  }

  /** Refreshes this instance's heartbeat key (while Redis is there; a lapse while it is away is what the key is for). */
  private beat(): void {
    if (!this.reachable) return;
    this.pub.set(this.heartbeatKey(this['configuration'].identifier), '1', 'PX', HEARTBEAT_TTL_MS).catch((error: unknown) => {
      this.log.debug({ err: error }, 'could not refresh the instance heartbeat in redis');
    });
  }

  /**
   * Reads an awareness message or query from another instance before the
   * extension applies it: records which client ids that instance's
   * connections own ({@link RemoteOwners}), applies removals (see the
   * constructor), and answers a query with this instance's own states only.
   * Returns true when the message is handled (a query).
   */
  private readRelayedAwareness(data: Buffer): boolean {
    try {
      const [identifier, body] = this['decodeMessage'](data);
      if (identifier === this['configuration'].identifier) return false;
      const message = decoding.createDecoder(body);
      const name = decoding.readVarString(message);
      // A room still loading is only in the extension's own map (the answers to its query arrive then).
      const document: Document | undefined = this['documents'].get(name) ?? this.instance?.documents.get(name);
      if (!document) return false;
      const type = decoding.readVarUint(message);
      if (type === MessageType.QueryAwareness) {
        this.answerAwarenessQuery(document, identifier);
        return true;
      }
      if (type !== MessageType.Awareness) return false;
      const update = decoding.createDecoder(decoding.readVarUint8Array(message));
      const removed: number[] = [];
      for (let count = decoding.readVarUint(update); count > 0; count--) {
        const clientId = decoding.readVarUint(update);
        const clock = decoding.readVarUint(update);
        if (decoding.readVarString(update) !== 'null') {
          this.owners.record(document, clientId, identifier);
          continue;
        }
        this.owners.release(document, clientId, identifier);
        const known = document.awareness.meta.get(clientId);
        // Only the instance holding a client's connection may clear its state.
        if (known && known.clock <= clock && document.awareness.states.has(clientId) && !isHeldHere(document, clientId)) removed.push(clientId);
      }
      if (removed.length > 0) removeAwarenessStates(document.awareness, removed, this['redisTransactionOrigin']);
    } catch {
      // Not an awareness message we can read; the extension's own handler deals with it.
    }
    return false;
  }

  /** Sends a peer that loaded the room the awareness states of this instance's connections (the extension would send every state it holds). */
  private answerAwarenessQuery(document: Document, asker: string): void {
    const own: number[] = [];
    for (const entry of document.connections.values()) for (const clientId of entry.clients) if (document.awareness.states.has(clientId)) own.push(clientId);
    if (own.length === 0) return;
    const answer = new OutgoingMessage(document.name).createAwarenessUpdateMessage(document.awareness, own).toUint8Array();
    this.pub.publish(this['replyKey'](asker), this['encodeMessage'](answer)).catch((error: unknown) => {
      this.log.debug({ err: error, roomId: document.name }, 'could not answer an awareness query');
    });
  }

  private async resynchronise(): Promise<void> {
    // ioredis re-subscribes right after 'ready'; Redis answers a subscriber's
    // commands in order, so once this one is confirmed, so are those, and
    // the peers' replies to what we publish below will reach us.
    try {
      await this.sub.subscribe(this['replyKey'](this['configuration'].identifier));
    } catch (error) {
      this.log.warn({ err: error }, 'redis went away again while resynchronising');
      return;
    }
    for (const [name, payload] of [...this.unsubscribed]) {
      this.unsubscribed.delete(name);
      if (this.instance?.documents.get(name) === payload.document) await this.afterLoadDocument(payload);
    }
    for (const document of this.instance?.documents.values() ?? []) {
      await this.announceState(document);
    }
  }
}

/** True when a connection to this instance owns the awareness client id. */
function isHeldHere(document: Document, clientId: number): boolean {
  for (const entry of document.connections.values()) if (entry.clients.has(clientId)) return true;
  return false;
}
