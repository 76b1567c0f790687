import type { RecordedChange } from '../history/change-index.ts';
import type { HistorySegment } from '../history/history.repository.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { describeWriteFailure, isForeignKeyViolation } from '../storage/database-errors.ts';
import { mergeInRounds } from './merge-updates.ts';

/**
 * Writes a batch of merged updates, one per room, and returns their log ids
 * in the same order; a row's `history` (the recorded changes of those
 * updates) is written in the same transaction.
 */
export type AppendUpdates = (rows: { roomId: string; update: Uint8Array; history?: HistorySegment }[]) => Promise<number[]>;

/** Builds the history segment of a room's batch (merged update and its recorded changes). */
export type SegmentOf = (roomId: string, changes: readonly RecordedChange[]) => HistorySegment | undefined;

/** What the journal reports after a batch reached the database. */
export type OnAppended = (roomId: string, logId: number) => void;

/** Called when a room's updates may have become durable: see {@link UpdateJournal.isDurable}. */
export type OnDurable = (roomId: string) => void;

/**
 * Updates of one room waiting together: pending, in a write in flight, or
 * taken by a fold. `firstSeq` is the journal sequence number of the oldest.
 */
interface RoomUpdates {
  updates: Uint8Array[];
  firstSeq: number;
  /** The recorded changes of these updates (history), in order. */
  changes: RecordedChange[];
}

/** A room's pending updates taken by a fold: give them back with `restore`, or mark them stored with `settle`. */
export interface TakenUpdates {
  readonly roomId: string;
  readonly updates: readonly Uint8Array[];
  readonly firstSeq: number;
  readonly changes: readonly RecordedChange[];
}

/**
 * Stores again, from memory, a loaded room whose row was deleted (another
 * instance's expiry, an operator): resolves true once the stored snapshot
 * holds everything the room's document holds, false when it cannot.
 */
export type RestoreDeletedRoom = (roomId: string) => Promise<boolean>;

const MAX_RETRY_DELAY_MS = 5_000;

/**
 * Group commit for accepted Yjs updates. The keystroke path only pushes onto
 * an array; a timer writes everything pending, every room in one statement,
 * at most `flushMs` after the first update arrived. A failed write keeps the
 * updates and retries with backoff, so nothing accepted is dropped while the
 * database is away. A room that is no longer stored (a foreign-key
 * violation) does not hold the other rooms back: the batch is written room by
 * room, and the deleted room is stored again from its document, which holds
 * every update the journal had for it. Nothing accepted is ever dropped.
 *
 * Every update gets a sequence number. An update is durable once its row is
 * in the log, or a fold's snapshot that holds it is committed; until then it
 * is pending, in the write in flight, or taken by a fold, and each of those
 * keeps the sequence number of its oldest update, so "is everything of room
 * R up to number n durable?" costs three map lookups ({@link isDurable}).
 * The acknowledgement stage (`durable-ack.extension.ts`) asks it.
 */
export class UpdateJournal {
  private pending = new Map<string, RoomUpdates>();
  private inFlight = new Map<string, RoomUpdates>();
  private readonly folding = new Map<string, Set<TakenUpdates>>();
  private seq = 0;
  private pendingCount = 0;
  private timer: NodeJS.Timeout | undefined;
  /**
   * The last write queued or in flight (settled whatever its outcome), or
   * `undefined` when there is none: every write starts after the one before it.
   */
  private flushing: Promise<void> | undefined;
  private failures = 0;
  /** Callers of {@link whenDurable} still waiting, per room. */
  private readonly durableWaiters = new Map<string, { seq: number; resolve: () => void }[]>();

  constructor(
    private readonly options: {
      flushMs: number;
      append: AppendUpdates;
      onAppended: OnAppended;
      restoreDeletedRoom: RestoreDeletedRoom;
      /** Called after updates of a room became durable. */
      onDurable?: OnDurable;
      /** Builds the history rows written with each room's log row (none without). */
      segmentOf?: SegmentOf;
      log: Logger;
      metrics: Pick<Metrics, 'journalWriteDuration' | 'journalWriteFailures'>;
    },
  ) {}

  /** Updates accepted but not yet written. */
  get pendingUpdates(): number {
    return this.pendingCount;
  }

  /** True while updates wait and the last attempt to write them failed. */
  get failing(): boolean {
    return this.failures > 0 && this.pendingCount > 0;
  }

  /** True while updates of the room wait for a write. */
  holds(roomId: string): boolean {
    return this.pending.has(roomId);
  }

  /** The sequence number of the last update appended (of any room); 0 before the first. */
  get sequence(): number {
    return this.seq;
  }

  /**
   * True when every update of the room appended up to sequence number `seq`
   * is durable: in the log, or in a committed snapshot.
   */
  isDurable(roomId: string, seq: number): boolean {
    const pending = this.pending.get(roomId);
    if (pending && pending.firstSeq <= seq) return false;
    const inFlight = this.inFlight.get(roomId);
    if (inFlight && inFlight.firstSeq <= seq) return false;
    const folding = this.folding.get(roomId);
    if (folding) for (const taken of folding) if (taken.firstSeq <= seq) return false;
    return true;
  }

  /**
   * Resolves once every update of the room appended up to `seq` is durable
   * ({@link isDurable}); at once when it already is. A REST change answers
   * only then, as a socket's acknowledgement does.
   */
  whenDurable(roomId: string, seq: number): Promise<void> {
    if (this.isDurable(roomId, seq)) return Promise.resolve();
    return new Promise((resolve) => {
      let waiters = this.durableWaiters.get(roomId);
      if (!waiters) this.durableWaiters.set(roomId, (waiters = []));
      waiters.push({ seq, resolve });
    });
  }

  /** Queues an update (and its recorded change, for history) for the next group commit. */
  append(roomId: string, update: Uint8Array, change?: RecordedChange): void {
    const seq = ++this.seq;
    const room = this.pending.get(roomId);
    if (room) {
      room.updates.push(update);
      if (change) room.changes.push(change);
    } else this.pending.set(roomId, { updates: [update], firstSeq: seq, changes: change ? [change] : [] });
    this.pendingCount++;
    this.schedule(this.options.flushMs);
  }

  /**
   * Takes a room's pending updates out of the journal, for a fold that writes
   * them as part of the snapshot instead. Give them back with
   * {@link restore} if that fold fails, or {@link settle} them once it committed.
   */
  take(roomId: string): TakenUpdates {
    const room = this.pending.get(roomId);
    const taken: TakenUpdates = { roomId, updates: room?.updates ?? [], firstSeq: room?.firstSeq ?? Infinity, changes: room?.changes ?? [] };
    this.pending.delete(roomId);
    this.pendingCount -= taken.updates.length;
    if (this.pendingCount === 0) this.failures = 0;
    if (room) this.startFolding(taken);
    return taken;
  }

  /** Puts updates taken by {@link take} back, ahead of any that arrived since. */
  restore(taken: TakenUpdates): void {
    this.stopFolding(taken);
    this.requeue(taken.roomId, taken);
  }

  /** Marks updates taken by {@link take} as stored: the fold that holds them committed. */
  settle(taken: TakenUpdates): void {
    if (this.stopFolding(taken)) this.becameDurable(taken.roomId);
  }

  /**
   * Writes everything pending once the write in flight (if any) is over, and
   * waits for it; rejects if the write fails. Writes are chained, one at a
   * time: two at once (the timer's and a shutdown's) would share `inFlight`,
   * and the first to land would report the other's updates durable.
   */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const previous = this.flushing;
    if (!previous && this.pendingCount === 0) return;
    // With none in flight the write starts in this turn: on SQLite it is then
    // over before any fold's transaction can begin (Kysely's SQLite transactions run in microtasks).
    const done = previous ? previous.then(() => (this.pendingCount > 0 ? this.write() : undefined)) : this.write();
    // Waiters only need to know the write is over; its failure goes to our caller.
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    this.flushing = settled;
    void settled.then(() => {
      if (this.flushing === settled) this.flushing = undefined;
    });
    await done;
  }

  /**
   * Resolves once no write is in flight, whatever its outcome (a failed
   * write's updates are pending again, for {@link take}).
   */
  async writesSettled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** Stops the timer; pending updates stay for a final {@link flush}. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private startFolding(taken: TakenUpdates): void {
    const folding = this.folding.get(taken.roomId);
    if (folding) folding.add(taken);
    else this.folding.set(taken.roomId, new Set([taken]));
  }

  private stopFolding(taken: TakenUpdates): boolean {
    const folding = this.folding.get(taken.roomId);
    if (!folding?.delete(taken)) return false;
    if (folding.size === 0) this.folding.delete(taken.roomId);
    return true;
  }

  /** Puts older updates (a failed write's, a failed fold's) back ahead of the pending ones. */
  private requeue(roomId: string, older: { updates: readonly Uint8Array[]; firstSeq: number; changes: readonly RecordedChange[] }): void {
    if (older.updates.length === 0) return;
    const newer = this.pending.get(roomId);
    this.pending.set(roomId, {
      updates: newer ? [...older.updates, ...newer.updates] : [...older.updates],
      firstSeq: Math.min(older.firstSeq, newer?.firstSeq ?? Infinity),
      changes: newer ? [...older.changes, ...newer.changes] : [...older.changes],
    });
    this.pendingCount += older.updates.length;
    this.schedule(this.options.flushMs);
  }

  /** The write in flight is over for a room: its updates are stored, or back in `pending`. */
  private landed(roomId: string, stored: boolean): void {
    this.inFlight.delete(roomId);
    if (stored) this.becameDurable(roomId);
  }

  private becameDurable(roomId: string): void {
    this.options.onDurable?.(roomId);
    const waiters = this.durableWaiters.get(roomId);
    if (!waiters) return;
    const still = waiters.filter((waiter) => !this.isDurable(roomId, waiter.seq));
    for (const waiter of waiters) if (!still.includes(waiter)) waiter.resolve();
    if (still.length > 0) this.durableWaiters.set(roomId, still);
    else this.durableWaiters.delete(roomId);
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.flushing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(() => {
        // write() already logged and rescheduled.
      });
    }, delayMs);
  }

  private async write(): Promise<void> {
    const batch = this.pending;
    const count = this.pendingCount;
    this.pending = new Map();
    this.pendingCount = 0;
    this.inFlight = batch;
    const rows = [...batch].map(([roomId, room]) => {
      const update = mergeInRounds(room.updates);
      const history = room.changes.length > 0 ? this.options.segmentOf?.(roomId, room.changes) : undefined;
      return history ? { roomId, update, history } : { roomId, update };
    });
    const endTimer = this.options.metrics.journalWriteDuration.startTimer();
    try {
      let ids: number[];
      try {
        ids = await this.options.append(rows);
      } catch (error) {
        // One deleted room (a foreign-key violation) fails the whole statement; the others must not wait on it forever.
        if (!isForeignKeyViolation(error)) {
          for (const [roomId, room] of batch) {
            this.landed(roomId, false);
            this.requeue(roomId, room);
          }
          this.noteFailure(error, rows.map((row) => row.roomId), count);
          throw error;
        }
        const failed = await this.writeEachRoom(rows, batch);
        endTimer();
        if (failed) throw failed;
        return;
      }
      endTimer();
      rows.forEach((row, index) => {
        this.options.onAppended(row.roomId, ids[index]);
        this.landed(row.roomId, true);
      });
      if (this.failures > 0) this.options.log.info({ updates: count }, 'update log writable again');
      this.failures = 0;
    } finally {
      if (this.pendingCount > 0 && this.failures === 0) setImmediate(() => this.schedule(this.options.flushMs));
    }
  }

  /**
   * After a batch failed on a deleted room: each room on its own. A deleted
   * room is stored again from memory (its snapshot then holds these updates);
   * any room that still fails keeps its updates for a retry, as after any
   * failure. Returns the error of a room kept, if any.
   */
  private async writeEachRoom(rows: { roomId: string; update: Uint8Array; history?: HistorySegment }[], batch: Map<string, RoomUpdates>): Promise<unknown> {
    let failed: unknown;
    const failedRooms: string[] = [];
    for (const row of rows) {
      const room = batch.get(row.roomId)!;
      try {
        const [id] = await this.options.append([row]);
        this.options.onAppended(row.roomId, id);
        this.landed(row.roomId, true);
      } catch (error) {
        if (isForeignKeyViolation(error) && (await this.restoreDeletedRoom(row.roomId, room.updates.length, error))) {
          this.landed(row.roomId, true);
          continue;
        }
        this.landed(row.roomId, false);
        this.requeue(row.roomId, room);
        failedRooms.push(row.roomId);
        failed = error;
      }
    }
    if (failedRooms.length === 0) {
      this.failures = 0;
      return undefined;
    }
    this.noteFailure(failed, failedRooms, failedRooms.reduce((sum, roomId) => sum + (this.pending.get(roomId)?.updates.length ?? 0), 0));
    return failed ?? new Error('writing the update log failed');
  }

  private async restoreDeletedRoom(roomId: string, updates: number, error: unknown): Promise<boolean> {
    this.options.log.warn({ err: error, roomId, updates }, 'room deleted while loaded; storing it again from memory');
    try {
      return await this.options.restoreDeletedRoom(roomId);
    } catch (restoreError) {
      this.options.log.error({ err: restoreError, roomId }, 'could not store a deleted room again; keeping its updates');
      return false;
    }
  }

  private noteFailure(error: unknown, rooms: string[], updates: number): void {
    this.failures++;
    this.options.metrics.journalWriteFailures.inc();
    const retryMs = Math.min(MAX_RETRY_DELAY_MS, 50 * 2 ** this.failures);
    const cause = describeWriteFailure(error);
    this.options.log.error(
      { err: error, rooms, updates, retryMs, ...(cause ? { cause } : {}) },
      `writing the update log failed${cause ? ` (${cause})` : ''}; keeping updates in memory and retrying`,
    );
    clearTimeout(this.timer);
    this.timer = undefined;
    // restore() could not schedule while this write was in flight.
    setImmediate(() => this.schedule(retryMs));
  }
}
