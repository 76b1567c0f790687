import * as Y from 'yjs';
import type { Kysely } from 'kysely';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { Database, Dialect } from '../storage/database.ts';
import { loadRoomState } from '../storage/room.repository.ts';
import {
  deleteHistorySegments,
  findLatestVersion,
  insertHistorySegments,
  insertVersion,
  lockRoomForHistory,
  readHistorySegments,
  readRenderChain,
} from './history.repository.ts';
import { chainBytes, type HistoryWorker } from './history-worker.ts';
import type { BuildOptions } from './build-versions.ts';

/** A pause in editing this long (ms) closes a version. */
export const VERSION_PAUSE_MS = 2_000;
/** A version never spans more than this (ms) of activity. */
export const VERSION_MAX_SPAN_MS = 60_000;
/**
 * A snapshot is taken when the compressed updates since the last one reach
 * this, or 0.625 of the last snapshot's size if larger: a render then
 * replays about half a snapshot's worth of content (a version's update
 * compresses ~25% worse than a whole room), and snapshots of a growing room
 * cost about three times its size in all.
 */
const SNAPSHOT_MIN_BYTES = 40 * 1024;
/** ...and the share of the last snapshot's size. */
const SNAPSHOT_SHARE = 0.625;
/** ...or this many versions since the last snapshot. */
const SNAPSHOT_MAX_VERSIONS = 200;
/** Rooms whose worker build document the builder remembers, at most (the worker keeps 8: more would only miss). */
const CARRIED_ROOMS = 16;
/** After a failed build, the next try (ms). */
const RETRY_MS = 5_000;

/** Two instances built the same versions at once; the later one gives way. */
class VersionConflict extends Error {}

interface RoomSchedule {
  firstAt: number;
  lastAt: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Groups a room's recorded changes (`history_changes` rows) into versions:
 * a version closes after a pause of {@link VERSION_PAUSE_MS} or once it
 * spans {@link VERSION_MAX_SPAN_MS}. Works from what is stored, not from
 * memory, so any instance may build a room's versions: the segments a build
 * turns into a version are deleted in the same transaction, and a build
 * that finds them gone (another instance built them) rolls back, so no
 * version is made twice and none is lost. The merging and compressing run
 * in the history worker.
 */
export class VersionBuilder {
  private readonly schedules = new Map<string, RoomSchedule>();
  private readonly running = new Map<string, Promise<void>>();
  /** Per room, the document its last committed build left in the worker: the newest version it is, and the snapshot counters there. */
  private readonly carried = new Map<string, { versionId: number; token: string; since: Pick<BuildOptions, 'sinceBytes' | 'sinceVersions' | 'snapshotAtBytes'>; chainBytes: number }>();
  private closed = false;

  constructor(
    private readonly options: {
      db: Kysely<Database>;
      dialect: Dialect;
      worker: HistoryWorker;
      log: Logger;
      metrics?: Pick<Metrics, 'historyBuilds'>;
      pauseMs?: number;
      maxSpanMs?: number;
      /** The clock changes are stamped with (the recorder's); `Date.now` by default. */
      now?: () => number;
    },
  ) {}

  private get pauseMs(): number {
    return this.options.pauseMs ?? VERSION_PAUSE_MS;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private get maxSpanMs(): number {
    return this.options.maxSpanMs ?? VERSION_MAX_SPAN_MS;
  }

  /** Notes a change recorded now (the keystroke path: two assignments, and a timer for the first). */
  noteChange(roomId: string, at: number): void {
    const schedule = this.schedules.get(roomId);
    if (schedule) {
      schedule.lastAt = at;
      return;
    }
    const fresh: RoomSchedule = { firstAt: at, lastAt: at, timer: undefined };
    this.schedules.set(roomId, fresh);
    this.arm(roomId, fresh, this.pauseMs + 250);
  }

  /**
   * Builds every closed version of a room now; with `closeOpen`, the open
   * one too (a label closes it). Builds of one room run one at a time.
   */
  build(roomId: string, closeOpen = false): Promise<void> {
    const previous = this.running.get(roomId) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.buildNow(roomId, closeOpen));
    this.running.set(roomId, next);
    void next.finally(() => {
      if (this.running.get(roomId) === next) this.running.delete(roomId);
    }).catch(() => {});
    return next;
  }

  /** Stops the timers; builds in flight finish. Changes not built yet stay stored, for the next build. */
  async close(): Promise<void> {
    this.closed = true;
    for (const schedule of this.schedules.values()) clearTimeout(schedule.timer);
    this.schedules.clear();
    this.carried.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  private arm(roomId: string, schedule: RoomSchedule, delayMs: number): void {
    if (this.closed) return;
    schedule.timer = setTimeout(() => this.onTimer(roomId, schedule), Math.max(50, delayMs));
    schedule.timer.unref();
  }

  private onTimer(roomId: string, schedule: RoomSchedule): void {
    const now = this.now();
    const quietFor = now - schedule.lastAt;
    // Still typing and the version is young: look again when the pause could have come.
    if (quietFor < this.pauseMs && now - schedule.firstAt < this.maxSpanMs) {
      this.arm(roomId, schedule, this.pauseMs - quietFor + 250);
      return;
    }
    this.schedules.delete(roomId);
    this.build(roomId).then(
      () => {
        // Typing went on past the span limit: the open version is built at its pause or its span.
        if (quietFor < this.pauseMs) this.noteChange(roomId, schedule.lastAt);
      },
      (error: unknown) => {
        this.options.log.warn({ err: error, roomId }, 'building history versions failed; retrying');
        const retry: RoomSchedule = { firstAt: schedule.firstAt, lastAt: schedule.lastAt, timer: undefined };
        if (!this.schedules.has(roomId)) {
          this.schedules.set(roomId, retry);
          this.arm(roomId, retry, RETRY_MS);
        }
      },
    );
  }

  private async buildNow(roomId: string, closeOpen: boolean): Promise<void> {
    const { db, dialect, worker } = this.options;
    // By time: two instances write their segments in whatever order their commits land.
    const segments = (await readHistorySegments(db, roomId)).sort((x, y) => x.firstAt - y.firstAt || x.id - y.id);
    if (segments.length === 0) return;
    const lastAt = Math.max(...segments.map((segment) => segment.lastAt));
    const now = this.now();
    // Nothing closed yet: a pause has not come since the first change, and the span is short.
    if (!closeOpen && now - lastAt < this.pauseMs && lastAt - Math.min(...segments.map((segment) => segment.firstAt)) < this.maxSpanMs) return;
    let latest = await findLatestVersion(db, roomId);
    if (!latest) {
      await this.buildBaseVersion(roomId);
      latest = await findLatestVersion(db, roomId);
      if (!latest) return;
    }
    const latestId = latest.id;
    const segmentBytes = segments.reduce((sum, segment) => sum + segment.update.length + segment.changes.length, 0);
    const run = (from: Pick<BuildOptions, 'base' | 'cached' | 'sinceBytes' | 'sinceVersions' | 'snapshotAtBytes'>, chainSize: number) =>
      worker.run(
        {
          kind: 'build',
          segments: segments.map(({ update, changes }) => ({ update, changes })),
          options: {
            roomId, now, pauseMs: this.pauseMs, maxSpanMs: this.maxSpanMs, closeOpen,
            snapshotShare: SNAPSHOT_SHARE, snapshotAtVersions: SNAPSHOT_MAX_VERSIONS, ...from,
          },
        },
        segmentBytes + chainSize,
      );
    // The room as of the newest version: the worker replays the changes on it to derive their ops. The document the
    // last build left in the worker is that room if the versions it made are still the newest (`build-cache.ts`).
    const carried = this.carried.get(roomId);
    this.carried.delete(roomId);
    let built = carried?.versionId === latestId ? await run({ cached: carried.token, ...carried.since }, carried.chainBytes) : undefined;
    let chainSize = carried?.chainBytes ?? 0;
    if (built && !built.miss) this.options.metrics?.historyBuilds.inc({ from: 'kept' });
    else {
      this.options.metrics?.historyBuilds.inc({ from: 'stored' });
      const base = await readRenderChain(db, roomId);
      chainSize = chainBytes(base);
      const sinceBytes = base.updates.reduce((sum, update) => sum + update.length, 0);
      const snapshotAtBytes = Math.max(SNAPSHOT_MIN_BYTES, (base.snapshot?.length ?? 0) * SNAPSHOT_SHARE);
      built = await run({ base, sinceBytes, sinceVersions: base.updates.length, snapshotAtBytes }, chainSize);
    }
    const keep = (versionId: number) => {
      if (!built.kept) return;
      const { token, ...since } = built.kept;
      this.carried.set(roomId, { versionId, token, since, chainBytes: chainSize });
      for (const oldest of this.carried.keys()) {
        if (this.carried.size <= CARRIED_ROOMS) break;
        this.carried.delete(oldest);
      }
    };
    if (built.versions.length === 0) {
      keep(latestId);
      return;
    }
    try {
      const newestId = await db.transaction().execute(async (trx) => {
        if (!(await lockRoomForHistory(trx, dialect, roomId))) throw new VersionConflict('room deleted');
        if ((await findLatestVersion(trx, roomId))?.id !== latestId) throw new VersionConflict('versions changed');
        const ids = segments.map((segment) => segment.id);
        if ((await deleteHistorySegments(trx, roomId, ids)) !== ids.length) throw new VersionConflict('segments taken');
        let id = latestId;
        for (const version of built.versions) id = await insertVersion(trx, roomId, version);
        if (built.remainder) await insertHistorySegments(trx, [{ roomId, segment: built.remainder }]);
        return id;
      });
      keep(newestId);
    } catch (error) {
      // Another instance built them first: what is left is read again by the next build.
      if (error instanceof VersionConflict) return;
      throw error;
    }
  }

  /**
   * The first version of a room stored before history existed: its stored
   * state (snapshot and log) as it is now.
   */
  private async buildBaseVersion(roomId: string): Promise<void> {
    const { db, dialect, worker } = this.options;
    const stored = await loadRoomState(db, roomId);
    if (!stored) return;
    const state = Y.mergeUpdates([stored.state, ...stored.updates.map((row) => row.update)]);
    const built = await worker.run({ kind: 'build-base', state }, state.length);
    const at = Date.parse(stored.record.createdAt);
    await db.transaction().execute(async (trx) => {
      if (!(await lockRoomForHistory(trx, dialect, roomId))) return;
      if (await findLatestVersion(trx, roomId)) return;
      await insertVersion(trx, roomId, { ...built, startedAt: at, at });
    });
  }
}
