import type {
  Document,
  Extension,
  Hocuspocus,
  onConfigurePayload,
  afterUnloadDocumentPayload,
  beforeUnloadDocumentPayload,
  onLoadDocumentPayload,
  onStoreDocumentPayload,
} from '@hocuspocus/server';
import * as Y from 'yjs';
import { ENTRY_FILE_ID } from '../../shared/protocol.ts';
import { readRoomContent, readRoomSettings } from '../../shared/room-doc.ts';
import { FileChanges, foldedFiles } from '../files/file-changes.ts';
import { storedFilesOf } from '../files/file-tasks.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { RoomDeletedError, type RoomStore } from '../storage/room-store.ts';
import { RoomNotFoundRefusal } from './refusals.ts';
import { applyWithoutUpdateEvents } from './apply-without-update-events.ts';
import { isFromRedis } from './change-origins.ts';
import type { FoldQueue } from './fold-queue.ts';
import type { FullStateCacheExtension } from './full-state-cache.extension.ts';
import { encodeInWorker, splitForLoad } from './large-room-offload.ts';
import type { RoomReplicas } from './room-replicas.ts';
import type { UpdateJournal } from './update-journal.ts';
import type { HistoryRecorder } from '../history/change-recorder.ts';

/**
 * Origin of the updates this extension applies itself (from the database);
 * they are already stored, so they are neither journaled nor re-stored.
 */
export const STORAGE_ORIGIN = Object.freeze({ source: 'local' as const, skipStoreHooks: true });

const MAX_STORE_RETRY_MS = 5_000;

/** What this process knows about a loaded room's stored form. */
interface LoadedRoom {
  createdAt: string;
  viewId: string;
  /** The edit id since a rotation, and the owner key's hash (`server/owner/`): kept by a restore. */
  editId?: string;
  ownerKeyHash?: string;
  /** The snapshot version our document already contains. */
  stateVersion: number;
  /** Log rows our document already contains (loaded, or written by our journal). */
  knownLogIds: Set<number>;
  /** Set by every accepted change, cleared by a successful fold. */
  dirty: boolean;
  /**
   * Nothing of ours is unstored, but the room folds once more before it
   * leaves memory. Set by:
   * - changes another instance relayed through Redis. That instance journals
   *   them, but if it dies within its group-commit window only our copy is left;
   * - a row of ours that reached the log after the fold that stored its
   *   updates had read the log (on Postgres the write was still in flight),
   *   which would otherwise outlive the room.
   */
  foldBeforeUnload: boolean;
  retryDelayMs: number;
  retryTimer: NodeJS.Timeout | undefined;
  /** Files whose text changed since the last fold (their `room_files` rows are rewritten). */
  fileChanges: FileChanges;
}

/**
 * Durable rooms. Every accepted update goes to the {@link UpdateJournal}
 * (in the database within the group-commit interval); Hocuspocus's debounced
 * store folds the log into the room's snapshot, and load applies the
 * snapshot, then the log. A fold that fails is retried with backoff while
 * the room stays in memory.
 */
export class PersistenceExtension implements Extension {
  extensionName = 'pairpad-persistence';
  private readonly rooms = new Map<string, LoadedRoom>();
  private readonly failingRooms = new Set<string>();
  /** Rooms deleted on purpose (`discardRoom`): never stored or restored again. Ids are never reused; the oldest are forgotten past a bound. */
  private readonly discarded = new Set<string>();
  private instance: Hocuspocus | undefined;

  constructor(
    private readonly store: RoomStore,
    private readonly journal: UpdateJournal,
    private readonly folds: FoldQueue,
    private readonly log: Logger,
    private readonly metrics: Pick<Metrics, 'storeDuration' | 'storeFailures'>,
    private readonly fullStates?: Pick<FullStateCacheExtension, 'seed' | 'offerStoredState' | 'loadEnded'>,
    private readonly replicas?: RoomReplicas,
    /** Chunks of a large room are applied for about this long (ms) before the load yields (see `Config.loadSliceMs`). */
    private readonly loadSliceMs = 8,
    /** Records every change for the room's history (issue 17); none without. */
    private readonly history?: HistoryRecorder,
  ) {}

  /** Rooms whose last fold failed and is being retried. */
  get failingRoomCount(): number {
    return this.failingRooms.size;
  }

  /** Stored facts of a loaded room, or `undefined` when it is not loaded. */
  loadedRoom(roomId: string): { createdAt: string; viewId: string } | undefined {
    return this.rooms.get(roomId);
  }

  async onConfigure({ instance }: onConfigurePayload): Promise<void> {
    this.instance = instance;
  }

  /**
   * Stores a loaded room again whose row was deleted under it (by another
   * instance's expiry, or an operator), with everything its document holds,
   * under the same ids: the people in it lose nothing, and their links work.
   * False when the room is not loaded here (then there is nothing to restore).
   */
  async restoreDeletedRoom(roomId: string): Promise<boolean> {
    // Deleted on purpose: what was in flight has nowhere to go, and that is what was asked.
    if (this.discarded.has(roomId)) return true;
    const document = this.instance?.documents.get(roomId);
    const room = this.rooms.get(roomId);
    if (!document || !room) return false;
    // Under the same ids and owner: a rotated room must not get its old edit id back.
    await this.store.createRoom({ id: roomId, viewId: room.viewId, editId: room.editId, ownerKeyHash: room.ownerKeyHash, ...readRoomSettings(document), ...readRoomContent(document), state: Y.encodeStateAsUpdate(document), files: storedFilesOf(document) });
    room.stateVersion = 0;
    room.knownLogIds.clear();
    this.log.warn({ roomId }, 'room was deleted while loaded; stored it again from memory');
    return true;
  }

  /**
   * A room its owner deleted (`server/owner/`): from now on this instance
   * neither stores it, nor restores it when its rows are found gone (as it
   * would for a room deleted under it by expiry), nor loads it again; it
   * unloads as soon as its connections are closed.
   */
  discardRoom(roomId: string): void {
    this.discarded.add(roomId);
    if (this.discarded.size > 10_000) this.discarded.delete(this.discarded.values().next().value!);
    const room = this.rooms.get(roomId);
    if (!room) return;
    clearTimeout(room.retryTimer);
    room.dirty = false;
    room.foldBeforeUnload = false;
    this.failingRooms.delete(roomId);
  }

  /** A rotation gave the room new ids (`server/owner/`): a restore from memory must use them. */
  noteRotated(roomId: string, ids: { editId: string; viewId: string }): void {
    const room = this.rooms.get(roomId);
    if (!room) return;
    room.editId = ids.editId;
    room.viewId = ids.viewId;
  }

  /** Called by the journal once a batch is in the log, so folds know our document holds it. */
  noteAppended(roomId: string, logId: number): void {
    const room = this.rooms.get(roomId);
    if (!room) return;
    room.knownLogIds.add(logId);
    // Not dirty: a fold began after these updates were accepted, and may have read the log before this row.
    if (!room.dirty) room.foldBeforeUnload = true;
  }

  async onLoadDocument(payload: onLoadDocumentPayload): Promise<void> {
    try {
      await this.load(payload);
    } finally {
      // Clients still waiting for the stored state get the sync answer, or the refusal.
      this.fullStates?.loadEnded(payload.documentName);
    }
  }

  private async load({ documentName, document }: onLoadDocumentPayload): Promise<void> {
    if (this.discarded.has(documentName)) throw new RoomNotFoundRefusal();
    const stored = await this.store.loadRoomState(documentName);
    if (!stored) throw new RoomNotFoundRefusal();
    // With no log rows the stored state is the whole room: clients waiting for it start decoding while we apply it.
    const storedIsWhole = stored.updates.length === 0;
    if (storedIsWhole) this.fullStates?.offerStoredState(documentName, stored.state);
    const chunks = await splitForLoad(this.replicas, this.log, documentName, stored.state);
    for (let next = 0; next < chunks.length; ) {
      // A few milliseconds of chunks per turn: typing in other rooms goes on while a large room loads.
      if (next > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const sliceEnd = performance.now() + this.loadSliceMs;
      applyWithoutUpdateEvents(document, () => {
        do Y.applyUpdate(document, chunks[next++], STORAGE_ORIGIN);
        while (next < chunks.length && performance.now() < sliceEnd);
      });
    }
    // The snapshot's files are its `room_files` rows; the log's changes to them are not.
    const fileChanges = new FileChanges(document);
    applyWithoutUpdateEvents(document, () => {
      for (const row of stored.updates) Y.applyUpdate(document, row.update, STORAGE_ORIGIN);
    });
    if (storedIsWhole) this.fullStates?.seed(document, stored.state);
    const storedBytes = stored.updates.reduce((sum, row) => sum + row.update.length, stored.state.length);
    if (this.replicas?.isLarge(storedBytes)) this.replicas.seed(documentName, [stored.state, ...stored.updates.map((row) => row.update)]);
    const room: LoadedRoom = {
      createdAt: stored.record.createdAt,
      viewId: stored.record.viewId,
      editId: stored.record.editId,
      ownerKeyHash: stored.record.ownerKeyHash,
      stateVersion: stored.stateVersion,
      knownLogIds: new Set(stored.updates.map((row) => row.id)),
      dirty: false,
      foldBeforeUnload: false,
      retryDelayMs: 0,
      retryTimer: undefined,
      fileChanges,
    };
    this.rooms.set(documentName, room);
    // Noted as the change is applied, not in the onChange hook: Hocuspocus
    // starts a due store in the same turn and runs hooks a few microtasks
    // later, so a hook could mark a room dirty after the fold that already
    // holds the change had cleared it, and the room would never unload.
    this.history?.watch(documentName, document);
    document.on('update', (update: Uint8Array, origin: unknown, _doc: Y.Doc, transaction?: Y.Transaction) => {
      // The replica gets every change, whatever its origin: it must equal the document.
      this.replicas?.feed(documentName, update);
      if (origin === STORAGE_ORIGIN) return;
      if (isFromRedis(origin)) {
        // Journaled by the instance that accepted it; see `foldBeforeUnload`.
        room.foldBeforeUnload = true;
        return;
      }
      room.dirty = true;
      this.journal.append(documentName, update, this.history?.take(documentName, update, transaction, origin));
    });
    this.log.debug({ roomId: documentName, logRows: stored.updates.length }, 'room loaded');
  }

  async onStoreDocument(payload: onStoreDocumentPayload): Promise<void> {
    const { documentName, document, instance } = payload;
    const room = this.rooms.get(documentName);
    if (!room || this.discarded.has(documentName)) return;
    clearTimeout(room.retryTimer);
    try {
      await this.folds.run(async () => {
        const endTimer = this.metrics.storeDuration.startTimer();
        await this.fold(documentName, document, room);
        endTimer();
      });
      room.retryDelayMs = 0;
      if (this.failingRooms.delete(documentName)) this.log.info({ roomId: documentName }, 'room stored again');
    } catch (error) {
      room.retryDelayMs = Math.min(MAX_STORE_RETRY_MS, Math.max(100, room.retryDelayMs * 2));
      this.failingRooms.add(documentName);
      this.metrics.storeFailures.inc();
      this.log.error(
        { err: error, roomId: documentName, retryMs: room.retryDelayMs },
        'storing room failed; keeping it in memory and retrying',
      );
      room.retryTimer = setTimeout(() => {
        if (instance.documents.get(documentName) === document) instance.storeDocumentHooks(document, payload, true);
      }, room.retryDelayMs);
      // Not rethrown: beforeUnloadDocument keeps the room loaded while it is dirty.
    }
  }

  /**
   * How Hocuspocus prints the refusals of {@link beforeUnloadDocument}: they
   * are how a room stays loaded until stored, not errors.
   */
  static readonly unloadRefusals: readonly RegExp[] = [/^\[beforeUnloadDocument\] room \S+ (has unstored changes|holds changes not folded yet)/];

  /**
   * Refuses to unload a room whose changes are not all stored; the retry
   * stores, then unloads it. A room whose changes are stored but not all
   * folded gets one more fold first (Hocuspocus runs no store for these):
   * changes relayed from other instances, a log row that came after its
   * fold, or updates a failed journal write handed back after the fold.
   */
  async beforeUnloadDocument({ documentName, document, instance }: beforeUnloadDocumentPayload): Promise<void> {
    const room = this.rooms.get(documentName);
    if (!room || this.discarded.has(documentName)) return;
    if (room.dirty) throw new Error(`room ${documentName} has unstored changes`);
    // A write in flight may hold updates the last fold already stored: see where they end up.
    await this.journal.writesSettled();
    if (room.dirty) throw new Error(`room ${documentName} has unstored changes`);
    if (room.foldBeforeUnload || this.journal.holds(documentName)) {
      instance.storeDocumentHooks(document, { instance, clientsCount: 0, document, documentName, lastContext: {}, lastTransactionOrigin: STORAGE_ORIGIN }, true);
      throw new Error(`room ${documentName} holds changes not folded yet; folding them first`);
    }
  }

  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
    const room = this.rooms.get(documentName);
    clearTimeout(room?.retryTimer);
    this.replicas?.drop(documentName);
    room?.fileChanges.stop();
    this.history?.unwatch(documentName);
    this.rooms.delete(documentName);
    this.failingRooms.delete(documentName);
    this.log.debug({ roomId: documentName }, 'room unloaded');
  }

  /** Folds every loaded room that changed since its last fold, then flushes the journal (shutdown). */
  async storeAll(documents: Iterable<Document>): Promise<void> {
    for (const document of documents) {
      const room = this.rooms.get(document.name);
      if ((!room?.dirty && !room?.foldBeforeUnload) || this.discarded.has(document.name)) continue;
      clearTimeout(room.retryTimer);
      await document.saveMutex.runExclusive(() => this.folds.run(() => this.fold(document.name, document, room)));
    }
    await this.journal.flush();
  }

  private async fold(roomId: string, document: Document, room: LoadedRoom): Promise<void> {
    // The journal's pending updates for this room are in the document already;
    // the snapshot written below contains them, so they need no log row. Not
    // so for a room the worker encodes: that fold takes 80–400 ms plus a
    // snapshot of megabytes, and updates taken by it are acknowledged only
    // once it commits. They are written to the log as usual instead (the fold
    // leaves their rows, which were not known when it encoded, for the next one).
    const taken = this.replicas?.has(roomId) ? undefined : this.journal.take(roomId);
    const { foldBeforeUnload } = room;
    room.dirty = false;
    room.foldBeforeUnload = false;
    let replicaSeeded = false;
    let changedFiles = room.fileChanges.take();
    try {
      // A large room is encoded by its replica in the worker, as the document is at this moment:
      // the log rows known now are in it, and so are the files read now.
      const knownAtEncode = new Set(room.knownLogIds);
      let workerTexts: { code: string; fileTexts: Record<string, string> } | undefined;
      const filesAtEncode = this.replicas?.has(roomId)
        ? foldedFiles(document, changedFiles, (fileId) => (fileId === ENTRY_FILE_ID ? workerTexts?.code : workerTexts?.fileTexts[fileId]))
        : undefined;
      const encodedAhead = await encodeInWorker(this.replicas, this.log, roomId, document, [...changedFiles]);
      workerTexts = encodedAhead;
      let applied = false;
      // The history of updates this fold stores without a log row goes in its transaction.
      const history = taken && taken.changes.length > 0 ? this.history?.segmentOf(roomId, taken.changes) : undefined;
      const result = await this.store.foldRoom(roomId, room.stateVersion, room.knownLogIds, {
        // Runs inside the fold transaction: anything another instance stored that
        // we have not seen goes into our document first, so the snapshot holds it.
        apply: (update) => {
          applied = true;
          Y.applyUpdate(document, update, STORAGE_ORIGIN);
        },
        encode: () => {
          // Log rows that landed after the worker's encoding are not in it: they stay in the log.
          if (encodedAhead && !applied) {
            const { stateVector: _checked, fileTexts: _read, ...encoded } = encodedAhead;
            return { ...encoded, coveredLogIds: knownAtEncode, files: filesAtEncode };
          }
          const encodedHere = Y.encodeStateAsUpdate(document);
          // A room that grew large while loaded (or whose replica failed) gets one from this encoding,
          // now: the updates applied while the snapshot is written and committed must reach it.
          if (this.replicas?.isLarge(encodedHere.length) && !this.replicas.has(roomId)) {
            this.replicas.seed(roomId, [encodedHere]);
            replicaSeeded = true;
          }
          changedFiles = new Set([...changedFiles, ...room.fileChanges.take()]);
          return { state: encodedHere, ...readRoomContent(document), files: foldedFiles(document, changedFiles) };
        },
      }, history);
      room.stateVersion = result.stateVersion;
      for (const id of result.foldedLogIds) room.knownLogIds.delete(id);
      if (taken) this.journal.settle(taken);
    } catch (error) {
      // A copy seeded from an encoding whose transaction failed is not trusted: the next fold makes one again.
      if (replicaSeeded) this.replicas?.drop(roomId);
      room.fileChanges.restore(changedFiles);
      // The snapshot written by the restore holds everything the fold would have.
      if (error instanceof RoomDeletedError && (await this.restoreDeletedRoom(roomId).catch(() => false))) {
        if (taken) this.journal.settle(taken);
        return;
      }
      room.dirty = true;
      room.foldBeforeUnload ||= foldBeforeUnload;
      if (taken) this.journal.restore(taken);
      throw error;
    }
  }
}
