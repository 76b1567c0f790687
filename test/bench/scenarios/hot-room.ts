import type { TargetId } from '../config.ts';
import { withLoadWorkers } from '../support/load-workers.ts';
import { withTarget, type TargetContext } from '../support/targets.ts';
import { runLeastDisturbed, runTypingLoad, type TypingMeasurement } from './typing-load.ts';

/** One room size of the hot-room scenario. */
export interface HotRoomRow extends Partial<TypingMeasurement> {
  target: TargetId;
  size: number;
  /** Runs made (a disturbed run is repeated, see `BENCH_RETRIES`). */
  attempts?: number;
  error?: string;
}

/** The largest room in `rows` whose p99 stayed under `budgetMs` (0 when none did). */
export function largestRoomUnder(rows: HotRoomRow[], budgetMs: number): number {
  return rows.reduce((best, row) => (row.latency && row.latency.p99 < budgetMs && row.size > best ? row.size : best), 0);
}

/**
 * A class or an interview watched by many: one room of N clients, 10% of
 * them typing at 5 keystrokes/s with an awareness cursor after each
 * keystroke. The room's clients are dealt over `BENCH_HOT_WORKERS` load
 * processes: one process alone used its whole core at 400 clients, and then
 * its own event loop, not the server, set the latency.
 */
export async function runHotRoomScenario(target: TargetId, context: TargetContext): Promise<HotRoomRow[]> {
  const { hotRoom, latency } = context.config;
  const rows: HotRoomRow[] = [];
  for (const size of hotRoom.sizes) {
    try {
      const layout = {
        rooms: 1,
        clientsPerRoom: size,
        typistsPerRoom: Math.max(1, Math.round(size * hotRoom.typingShare)),
        rate: hotRoom.rate,
        cursor: true,
        warmupSeconds: latency.warmupSeconds,
        seconds: hotRoom.seconds,
        splitRooms: true,
      };
      const measureOnce = () =>
        withTarget(target, context, (running) =>
          withLoadWorkers(context.registry, hotRoom.workers, `${target} hot room ${size}`, (workers) => runTypingLoad(running, workers, layout, context.registry)),
        );
      const measured = await runLeastDisturbed(measureOnce, context.config.retries, context.config.disturbedPercent);
      rows.push({ ...measured, target, size });
    } catch (error) {
      rows.push({ target, size, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return rows;
}
