import type { Kysely } from 'kysely';
import type { Logger } from '../log.ts';
import type { Database } from '../storage/database.ts';
import { findPreviousVersionId, findVersionToThin, readRenderChain, readVersionsFrom, replaceVersionChanges } from './history.repository.ts';
import type { HistoryWorker } from './history-worker.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Versions thinned per worker task and per transaction: a batch holds the event loop a few milliseconds at most. */
export const THIN_BATCH_VERSIONS = 20;
/** How often the job looks for old detail (ms). */
const THIN_EVERY_MS = 60 * 60 * 1000;
/** The first look after the server starts (ms): not while it is busy loading rooms. */
const FIRST_THIN_MS = 60 * 1000;

/**
 * `HISTORY_RETENTION_DAYS` (docs/history.md): keystroke-level detail older
 * than the retention is thinned into one change per version. A version's
 * merged update and snapshot stay (every version still renders, diffs and
 * restores); only its change index is replaced by the coarse one that the
 * history worker makes (`thin-versions.ts`), so playback across that time
 * steps version by version and blame names the version's author and time.
 * Work goes in batches of {@link THIN_BATCH_VERSIONS} versions, the event loop
 * free between them; several instances may run it at once (a version
 * thinned already is left alone). With 0 days it does nothing.
 */
export class HistoryThinning {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private closed = false;

  /** Versions per batch (a test sets fewer to see several batches). */
  batchVersions = THIN_BATCH_VERSIONS;

  constructor(
    private readonly options: {
      db: Kysely<Database>;
      worker: HistoryWorker;
      log: Logger;
      /** Days of keystroke detail kept; 0 keeps it forever. */
      retentionDays: number;
      /** The job's period (ms); one hour by default. */
      everyMs?: number;
    },
  ) {}

  /** Starts the periodic job (nothing when retention is 0). */
  start(): void {
    if (this.options.retentionDays <= 0 || this.closed) return;
    this.schedule(Math.min(FIRST_THIN_MS, this.options.everyMs ?? THIN_EVERY_MS));
  }

  /**
   * Thins every version older than the retention as of `now` (epoch ms);
   * resolves with how many versions it thinned. One pass at a time: a call
   * during a pass waits for that pass.
   */
  thin(now: number = Date.now()): Promise<number> {
    if (this.options.retentionDays <= 0) return Promise.resolve(0);
    this.running ??= this.thinAll(now - this.options.retentionDays * DAY_MS).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Stops the job; a pass under way stops after its batch. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => {});
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.thin()
        .then((versions) => {
          if (versions > 0) this.options.log.info({ versions }, 'history: old keystrokes thinned into versions');
        })
        .catch((error: unknown) => this.options.log.warn({ err: error }, 'history: thinning old keystrokes failed; trying again later'))
        .finally(() => {
          if (!this.closed) this.schedule(this.options.everyMs ?? THIN_EVERY_MS);
        });
    }, delayMs);
    this.timer.unref();
  }

  private async thinAll(cutoff: number): Promise<number> {
    const { db, worker } = this.options;
    let thinned = 0;
    let after: { roomId: string; id: number } | undefined;
    while (!this.closed) {
      const next = await findVersionToThin(db, cutoff, after);
      if (!next) break;
      const { roomId } = next;
      const rows = await readVersionsFrom(db, roomId, next.id, this.batchVersions);
      // Versions are in time order: stop at the first one inside the retention.
      const end = rows.findIndex((row) => row.at >= cutoff);
      const batch = end < 0 ? rows : rows.slice(0, end);
      const previousId = await findPreviousVersionId(db, roomId, next.id);
      const base: { snapshot?: Uint8Array; updates: Uint8Array[] } = previousId === undefined ? { updates: [] } : await readRenderChain(db, roomId, previousId);
      const bytes = batch.reduce((sum, row) => sum + row.update.length + row.changes.length, 0) + base.updates.reduce((sum, update) => sum + update.length, base.snapshot?.length ?? 0);
      const coarse = await worker.run({ kind: 'thin', base, versions: batch.map(({ update, changes, at }) => ({ update, changes, at })) }, bytes);
      let written = 0;
      await db.transaction().execute(async (trx) => {
        for (const [index, row] of batch.entries()) {
          if (row.changeCount > 1 && (await replaceVersionChanges(trx, roomId, row.id, coarse[index], 1))) written++;
        }
      });
      thinned += written;
      after = { roomId, id: batch.at(-1)!.id };
      // Give the event loop (sockets) its turn between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return thinned;
  }
}
