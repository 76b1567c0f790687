import path from 'node:path';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCollab, type Collab } from './collab/collab.ts';
import { createYjsBridge } from './collab/yjs-bridge.ts';
import { attachWebSockets, type WebSocketGateway } from './collab/websocket-server.ts';
import { YJS_PATH } from '../shared/protocol.ts';
import type { Config } from './config.ts';
import { chooseWorkerCount, createAutocompleter, createEnginePool } from './autocomplete/index.ts';
import { createHttpApp } from './http/app.ts';
import { createAutocompleteRouter } from './http/autocomplete.routes.ts';
import { createMetricsRouter } from './http/metrics.routes.ts';
import { createRestAuth } from './http/auth.ts';
import { limitPerMinute } from './http/rate-limits.ts';
import { createConnectionRateLimit } from './collab/connection-rate.ts';
import { createTokenVerifier } from './auth/tokens.ts';
import { createMetrics } from './metrics.ts';
import type { Logger } from './log.ts';
import { acceptCollabSocket } from './collab/collab-socket.ts';
import { saveRoomsAtShutdown } from './collab/shutdown-save.ts';
import { recoverSpilledRooms } from './collab/spill.ts';
import { createRoomAccessResolver } from './rooms/room-access.ts';
import { startRoomExpiry, type RoomExpiry } from './rooms/room-expiry.ts';
import { createRoomService } from './rooms/room.service.ts';
import { createFileService } from './files/file.service.ts';
import { createFileWorker } from './files/file-worker.ts';
import { openStorageWhenFree } from './storage/database.ts';
import { checkMigrationResult, migrateToLatest } from './storage/migrator.ts';
import { createRoomStore, type RoomStore } from './storage/room-store.ts';
import { version } from './version.ts';
import { createRunsRouter } from './http/runs.routes.ts';
import { createRoomCommands } from './owner/room-commands.ts';
import { deleteRoomData } from './owner/owner.repository.ts';
import { createOwnerRouter } from './owner/owner.routes.ts';
import { createOwnerService } from './owner/owner.service.ts';
import { createRunEvents } from './run/run-events.ts';
import { createRunService, type RunService } from './run/run.service.ts';
import { selectRunner } from './run/select-runner.ts';
import { createHistoryRouter } from './history/history.routes.ts';
import { createHistoryService } from './history/history.service.ts';
import { createHistoryWorker, type HistoryWorker } from './history/history-worker.ts';
import { VersionBuilder } from './history/version-builder.ts';
import { HistoryThinning } from './history/history-thinning.ts';

/** How often, with Redis, runs left by an instance that died are looked for (without Redis: at each start). */
const ORPHAN_SWEEP_MS = 30_000;

/** A running Pairpad server. */
export interface Pairpad {
  httpServer: HttpServer;
  /** The port it listens on (useful with `PORT=0`). */
  port: number;
  collab: Collab;
  store: RoomStore;
  websockets: WebSocketGateway;
  /** The `ROOM_TTL_DAYS` job (idle when the TTL is 0). */
  expiry: RoomExpiry;
  /** Runs of rooms' code (issue 16). */
  runs: RunService;
  /** The `HISTORY_RETENTION_DAYS` job (idle when it is 0). */
  historyThinning: HistoryThinning;
  /** History's worker thread (versions, renders, diffs, blame, playback). */
  historyWorker: HistoryWorker;
  /**
   * Graceful stop: refuse new connections, close sockets (letting in-flight
   * messages land), store every room, flush the log, close the database.
   * Rejects if something could not be stored in time.
   */
  close(): Promise<void>;
}

/** Opens storage, runs migrations, and starts HTTP and WebSocket on `config.port`. */
export async function startPairpad({ config, log }: { config: Config; log: Logger }): Promise<Pairpad> {
  const storage = await openStorageWhenFree(config, (message) => log.warn({ path: config.sqlitePath }, message));
  const store = createRoomStore(storage);
  try {
    const migrations = checkMigrationResult(await migrateToLatest(storage.db));
    if (migrations.length > 0) log.info({ migrations }, 'database migrated');
    await recoverSpilledRooms(config.spillDirs, store, log);
  } catch (error) {
    await store.close();
    throw error;
  }

  const metrics = createMetrics();
  const access = createRoomAccessResolver(store);
  const tokens = createTokenVerifier(config.auth);
  const collab = createCollab({ config, store, access, tokens, log, metrics });
  const { hocuspocus, journal, persistence } = collab;
  // History (issue 17): recorded changes become versions after each pause; heavy work runs in its worker thread.
  const historyWorker = createHistoryWorker();
  const versions = new VersionBuilder({ db: storage.db, dialect: storage.dialect, worker: historyWorker, log, metrics, now: () => collab.history.now() });
  collab.history.onRecorded = (roomId, at) => versions.noteChange(roomId, at);
  const history = createHistoryService({ db: storage.db, hocuspocus, journal, access, worker: historyWorker, versions, log });
  const historyThinning = new HistoryThinning({ db: storage.db, worker: historyWorker, log, retentionDays: config.historyRetentionDays });
  historyThinning.start();
  // Large rooms are decoded and encoded for the files API off the event loop, from the size large rooms fold off it.
  const fileWorker = createFileWorker({ minBytes: config.foldWorkerMinBytes });
  const rooms = createRoomService({ store, hocuspocus, persistence, access, fileWorker, maxDocumentBytes: config.maxDocumentChars });
  const files = createFileService({ store, hocuspocus, persistence, journal, access, fileWorker, maxDocumentBytes: config.maxDocumentChars });
  const expiry = startRoomExpiry({ ttlDays: config.roomTtlDays, store, hocuspocus, access, log });
  const engines = createEnginePool({
    threads: config.autocomplete.workers ?? chooseWorkerCount(), budgetMs: config.autocomplete.budgetMs, log,
  });
  const autocompleter = createAutocompleter({ model: config.autocompleteModel, log, engine: engines.complete });
  const auth = createRestAuth(tokens, access);
  // Programs must never see the data directory (the database, spills, anything stored).
  const runner = await selectRunner(config.runs, log, { forbiddenRoots: [path.dirname(config.sqlitePath), ...config.spillDirs] });
  const redis = collab.redis;
  const instanceId = redis?.instanceId ?? 'local';
  const runs = createRunService({
    runner,
    config: config.runs,
    db: storage.db,
    store,
    hocuspocus,
    events: createRunEvents({ hocuspocus, redis: redis && config.redisUrl ? { url: config.redisUrl, prefix: config.redisPrefix, instanceId } : undefined, log }),
    instanceId,
    // While Redis is away nobody can tell; a run is never failed on a guess.
    isInstanceAlive: redis ? (instance) => (redis.reachable ? redis.isInstanceAlive(instance) : Promise.resolve(true)) : undefined,
    log,
  });
  await runs.recoverOrphans().catch((error: unknown) => log.error({ err: error }, 'could not look for runs a stopped server left'));
  const orphanSweep = redis
    ? setInterval(() => runs.recoverOrphans().catch((error: unknown) => log.warn({ err: error }, 'could not look for runs a stopped server left')), ORPHAN_SWEEP_MS)
    : undefined;
  orphanSweep?.unref();
  // The owner's actions (issue 18): what they ask of every instance goes through `commands`.
  const commands = createRoomCommands({
    targets: {
      hocuspocus,
      forget: (ids) => access.forget(...ids),
      discard: (roomId) => persistence.discardRoom(roomId),
      rotated: (roomId, ids) => persistence.noteRotated(roomId, ids),
      // This instance may have stored it again before it heard of the deletion.
      onRemoteDiscard: (roomId) => void deleteRoomData(storage.db, roomId).catch((error: unknown) => log.warn({ err: error, roomId }, 'could not delete a deleted room again')),
    },
    redis: redis && config.redisUrl ? { url: config.redisUrl, prefix: config.redisPrefix, instanceId } : undefined,
    log,
  });
  const owner = createOwnerService({ db: storage.db, hocuspocus, access, rooms, commands, runs, log });
  const app = createHttpApp({
    trustProxy: config.trustProxy,
    rooms,
    files,
    auth,
    roomCreateLimit: limitPerMinute('room_create', config.rateLimits.roomCreate, metrics),
    ownBodyApiRouters: { '/rooms': createOwnerRouter({ owner, tokensRequired: tokens !== undefined }) },
    apiRouters: {
      '/rooms': createHistoryRouter({ history, auth }),
      '/': createRunsRouter({ runs, access, auth, startLimit: limitPerMinute('runs', config.rateLimits.runs, metrics) }),
      '/autocomplete': createAutocompleteRouter({
        autocompleter,
        rooms,
        auth,
        limit: limitPerMinute('autocomplete', config.rateLimits.autocomplete, metrics),
        metrics,
      }) },
    routers: [
      createMetricsRouter({
        metrics,
        token: config.metricsToken,
        refresh: () => {
          metrics.roomsLoaded.set(hocuspocus.getDocumentsCount());
          metrics.connections.labels('collab').set(websockets.socketCount('collab'));
          metrics.connections.labels('yjs').set(websockets.socketCount('yjs'));
        },
      }),
    ],
    health: {
      pingDatabase: () => store.ping(),
      pendingWrites: () => journal.pendingUpdates + persistence.failingRoomCount,
      // Storage as a whole: one room whose fold fails for its own reason is logged and retried, and keeps the others in service.
      writesFailing: () => journal.failing,
      unsavedRooms: () => unsavedRooms,
      redisConnected: () => collab.redis?.reachable,
      rooms: () => hocuspocus.getDocumentsCount(),
      connections: () => hocuspocus.getConnectionsCount(),
    },
    limits: { maxDocumentBytes: config.maxDocumentChars, maxMessageBytes: config.maxMessageBytes },
    corsOrigins: config.corsOrigins,
    clientDir: config.clientDir,
    version,
    log,
  });

  const httpServer = createServer(app);
  const websockets = attachWebSockets({
    httpServer,
    collab: (socket, request) => acceptCollabSocket({ socket, request, hocuspocus, fullStates: collab.fullStates, access, metrics, log }),
    log,
    metrics,
    maxMessageBytes: config.maxMessageBytes,
    maxBufferedBytes: config.maxSocketBufferBytes,
    maxMessagesPerSecond: config.maxMessagesPerSecond,
    allowConnection: createConnectionRateLimit(config.rateLimits.connections),
    trustProxy: config.trustProxy,
    allowedOrigins: config.corsOrigins,
  });
  websockets.route(YJS_PATH, 'yjs', createYjsBridge({ hocuspocus, access, tokens, log, metrics }));
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  log.info({ port, host: config.host, database: storage.dialect }, 'pairpad listening');
  if (config.autocomplete.warmUp) {
    // In the background: the threads load on their own cores while the server already answers.
    const warming = performance.now();
    void engines.start().then(() => log.info({ ms: Math.round(performance.now() - warming) }, 'autocomplete workers ready'));
  }

  /** Rooms a shutdown could neither store nor spill (it then stays up and retries); 0 otherwise. */
  let unsavedRooms = 0;

  /** Re-opens the listener a shutdown closed, so `/health` can say why this process does not exit. */
  const listenForHealth = () =>
    new Promise<void>((resolve) => {
      const failed = (error: Error) => {
        log.error({ err: error, port }, 'shutdown: could not listen again for /health');
        resolve();
      };
      httpServer.once('error', failed);
      httpServer.listen(port, config.host, () => {
        httpServer.off('error', failed);
        resolve();
      });
    });

  let closing: Promise<void> | undefined;
  const close = async () => {
    const deadline = Date.now() + config.shutdownTimeoutMs;
    httpServer.close();
    httpServer.closeIdleConnections();
    // Before the sockets close, so the room hears how its runs ended.
    clearInterval(orphanSweep);
    await runs.close().catch((error: unknown) => log.warn({ err: error }, 'shutdown: could not end the runs'));
    await websockets.close(Math.min(3_000, config.shutdownTimeoutMs));
    // Closing the last connection makes Hocuspocus store and unload each room;
    // wait for that, then store whatever is left (e.g. rooms whose store failed).
    while (hocuspocus.getDocumentsCount() > 0 && Date.now() < deadline - 1_000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (persistence.failingRoomCount > 0) break;
    }
    // Never drops a room: with neither storage nor any spill directory working, this waits (and /health says so).
    const spilled = await saveRoomsAtShutdown({
      documents: () => hocuspocus.documents.values(),
      storeAll: () => collab.storeAll(),
      store,
      spillDirs: config.spillDirs,
      deadline,
      log,
      onStuck: async (rooms) => {
        if (unsavedRooms === 0) await listenForHealth();
        unsavedRooms = Math.max(1, rooms);
      },
    });
    unsavedRooms = 0;
    journal.stop();
    await versions.close();
    await historyThinning.close();
    await historyWorker.close();
    await collab.close();
    expiry.stop();
    autocompleter.close();
    await engines.close();
    await fileWorker.close();
    await collab.redis?.close();
    await commands.close();
    httpServer.close();
    httpServer.closeAllConnections();
    await store.close();
    if (spilled) {
      throw new Error(`shutdown: could not store every room; ${spilled.rooms} room(s) saved to ${spilled.dir}, stored at the next start`, { cause: spilled.cause });
    }
    log.info('pairpad stopped; every room stored');
  };

  return {
    httpServer,
    port,
    collab,
    store,
    websockets,
    expiry,
    runs,
    historyThinning,
    historyWorker,
    close: () => (closing ??= close()),
  };
}
