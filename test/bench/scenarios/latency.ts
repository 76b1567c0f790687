import { withLoadWorkers } from '../support/load-workers.ts';
import { withTarget, type TargetContext } from '../support/targets.ts';
import type { TargetId } from '../config.ts';
import { runLeastDisturbed, runTypingLoad, type TypingMeasurement } from './typing-load.ts';

/** One step of the latency scenario: `clients` clients in rooms of `roomSize`, one typist per room. */
export interface LatencyRow extends Partial<TypingMeasurement> {
  target: TargetId;
  clients: number;
  rooms: number;
  /** Runs made (a disturbed run is repeated, see `BENCH_RETRIES`). */
  attempts?: number;
  error?: string;
}

/**
 * Edit-to-remote latency at each client count (rooms of 5, one typist per
 * room at 10 keystrokes/s), with server CPU per delivered keystroke and RSS
 * per connection. A fresh server per step, so RSS starts from the same place.
 */
export async function runLatencyScenario(target: TargetId, context: TargetContext): Promise<LatencyRow[]> {
  const { latency } = context.config;
  const rows: LatencyRow[] = [];
  for (const clients of latency.clients) {
    const rooms = Math.max(1, Math.round(clients / latency.roomSize));
    try {
      const measureOnce = () =>
        withTarget(target, context, (running) =>
          withLoadWorkers(context.registry, latency.workers, `${target} latency ${clients}`, (workers) =>
            runTypingLoad(
              running,
              workers,
              { rooms, clientsPerRoom: latency.roomSize, typistsPerRoom: 1, rate: latency.rate, cursor: false, warmupSeconds: latency.warmupSeconds, seconds: latency.seconds },
              context.registry,
            ),
          ),
        );
      const measured = await runLeastDisturbed(measureOnce, context.config.retries, context.config.disturbedPercent);
      rows.push({ ...measured, target, clients, rooms });
    } catch (error) {
      rows.push({ target, clients, rooms, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return rows;
}
