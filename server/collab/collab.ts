import { Hocuspocus } from '@hocuspocus/server';
import type { Config } from '../config.ts';
import type { TokenVerifier } from '../auth/tokens.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { RoomAccessResolver } from '../rooms/room-access.ts';
import type { RoomStore } from '../storage/room-store.ts';
import { RedisSyncExtension } from './redis-sync.extension.ts';
import { ChatTrimExtension } from './chat-trim.extension.ts';
import { BroadcastWindowExtension } from './broadcast-window.extension.ts';
import { DurableAckExtension } from './durable-ack.extension.ts';
import { FoldQueue } from './fold-queue.ts';
import { FullStateCacheExtension } from './full-state-cache.extension.ts';
import { MessageGuardExtension } from './message-guard.extension.ts';
import { RoomBroadcastExtension } from './room-broadcast.extension.ts';
import { PersistenceExtension } from './persistence.extension.ts';
import { RoomGateExtension } from './room-gate.extension.ts';
import { RoomOwnerExtension } from '../owner/room-owner.extension.ts';
import { createRedisEditorSlots } from '../owner/editor-slots.ts';
import { RoomReplicas } from './room-replicas.ts';
import { StatelessRelayExtension } from './stateless-relay.extension.ts';
import { UpdateJournal } from './update-journal.ts';
import { HistoryRecorder } from '../history/change-recorder.ts';

/** The collaboration core: Hocuspocus with Pairpad's extensions, and the durability machinery behind it. */
export interface Collab {
  hocuspocus: Hocuspocus;
  journal: UpdateJournal;
  persistence: PersistenceExtension;
  /** Present when `REDIS_URL` is set. */
  redis: RedisSyncExtension | undefined;
  /** Copies of large rooms in a worker thread, which folds them off the event loop. */
  replicas: RoomReplicas;
  /** Answers clients that ask for a whole room from a cached or stored encoding. */
  fullStates: FullStateCacheExtension;
  /** Records every change of the loaded rooms for their history (`server/history/`). */
  history: HistoryRecorder;
  /** Stores every changed room and flushes the journal; used on shutdown. */
  storeAll(): Promise<void>;
  /** Stops the fold worker (after `storeAll`). */
  close(): Promise<void>;
}

/** Builds the Hocuspocus instance; sockets are attached separately (see `websocket-server.ts`). */
export function createCollab({
  config,
  store,
  access,
  tokens,
  log,
  metrics,
}: {
  config: Config;
  store: RoomStore;
  access: RoomAccessResolver;
  tokens: TokenVerifier | undefined;
  log: Logger;
  metrics: Metrics;
}): Collab {
  let persistence: PersistenceExtension;
  let durableAcks: DurableAckExtension;
  // Loads and other instances' relays are never journaled, so never recorded: the instance that accepted a change records it.
  const history = new HistoryRecorder();
  const journal = new UpdateJournal({
    flushMs: config.journalFlushMs,
    append: (rows) => store.appendUpdates(rows),
    onAppended: (roomId, logId) => persistence.noteAppended(roomId, logId),
    onDurable: (roomId) => durableAcks.releaseDurable(roomId),
    restoreDeletedRoom: (roomId) => persistence.restoreDeletedRoom(roomId),
    segmentOf: (roomId, changes) => history.segmentOf(roomId, changes),
    log,
    metrics,
  });
  // SQLite folds block the event loop, so one at a time; Postgres folds mostly wait on the network.
  const folds = new FoldQueue(config.databaseUrl ? 4 : 1);
  const fullStates = new FullStateCacheExtension(metrics);
  // Large rooms fold in a worker thread, so their folds do not stall the other rooms.
  const replicas = new RoomReplicas({ minBytes: config.foldWorkerMinBytes, log });
  persistence = new PersistenceExtension(store, journal, folds, log, metrics, fullStates, replicas, config.loadSliceMs, history);
  // Acknowledged means durable: answers to a client's updates wait for the journal's commit.
  durableAcks = new DurableAckExtension(journal);
  const redis = config.redisUrl
    ? new RedisSyncExtension({ url: config.redisUrl, prefix: config.redisPrefix }, log)
    : undefined;

  // The owner's lock and participant limit (issue 18); with Redis the limit counts every instance's editors.
  const slots = redis && config.redisUrl
    ? createRedisEditorSlots({ url: config.redisUrl, prefix: config.redisPrefix, instanceId: () => redis.instanceId, isInstanceAlive: (instance) => redis.isInstanceAlive(instance), log })
    : undefined;
  const owner = new RoomOwnerExtension(slots);
  const hocuspocus = new Hocuspocus({
    name: 'pairpad',
    quiet: true,
    debounce: config.storeDebounceMs,
    maxDebounce: config.storeMaxDebounceMs,
    unloadImmediately: true,
    extensions: [
      new RoomGateExtension(access, tokens, owner.isLockedOut),
      owner,
      new MessageGuardExtension({ maxDocumentChars: config.maxDocumentChars }, metrics, store, redis?.owners),
      new ChatTrimExtension(),
      persistence,
      durableAcks,
      new StatelessRelayExtension(metrics),
      new BroadcastWindowExtension(),
      new RoomBroadcastExtension(),
      fullStates,
      ...(redis ? [redis] : []),
    ],
  });

  return {
    hocuspocus,
    journal,
    persistence,
    redis,
    fullStates,
    replicas,
    history,
    storeAll: () => persistence.storeAll(hocuspocus.documents.values()),
    close: async () => {
      await slots?.close();
      await replicas.close();
    },
  };
}
