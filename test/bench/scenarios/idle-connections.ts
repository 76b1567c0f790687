import { setTimeout as sleep } from 'node:timers/promises';
import type { TargetId } from '../config.ts';
import type { ClientSpec } from '../load/protocol.ts';
import { withLoadWorkers } from '../support/load-workers.ts';
import { round } from '../support/stats.ts';
import { createRooms, withTarget, type TargetContext } from '../support/targets.ts';

/** One step: connections asked for, held, and the server's RSS then. */
export interface IdleStep {
  connections: number;
  open: number;
  failed: number;
  rssMiB: number;
  connectSeconds: number;
}

export interface IdleRow {
  target: TargetId;
  /** Most idle connections held open with the server under the RSS budget. */
  maxHeld: number;
  rssAtMaxMiB: number;
  rssBaselineMiB: number;
  rssPerConnectionKiB: number;
  /** Still open after the final hold. */
  openAfterHold: number;
  stoppedBecause: 'reached max' | 'rss budget' | 'connect failures' | 'error';
  /** Load-generator processes used and their total RSS at the end. */
  clientProcesses: number;
  clientRssMiB: number;
  steps: IdleStep[];
  error?: string;
}

const SETTLE_MS = 2_000;
const HOLD_MS = 10_000;
const ALLOWED_FAILURE_SHARE = 0.005;

/**
 * The most idle connections one server process holds under the RSS budget:
 * real clients (with presence, in rooms of 5, all on the first instance) are
 * added a step at a time, over several load processes, until the budget, the
 * maximum or connect failures stop it.
 */
export async function runIdleScenario(target: TargetId, context: TargetContext): Promise<IdleRow> {
  const { idle, latency } = context.config;
  const workerCount = Math.max(1, Math.ceil(idle.max / idle.perWorker));
  const row: IdleRow = {
    target,
    maxHeld: 0,
    rssAtMaxMiB: 0,
    rssBaselineMiB: 0,
    rssPerConnectionKiB: Number.NaN,
    openAfterHold: 0,
    stoppedBecause: 'reached max',
    clientProcesses: workerCount,
    clientRssMiB: 0,
    steps: [],
  };
  try {
    await withTarget(target, context, (running) =>
      withLoadWorkers(context.registry, workerCount, `${target} idle`, async (workers) => {
        const rss = () => running.serverRssBytes()[0];
        const baseline = rss();
        row.rssBaselineMiB = round(baseline / 2 ** 20, 1);
        const roomIds = await createRooms(running, Math.ceil(idle.max / latency.roomSize));
        const url = running.clientUrl(0); // one process: the first instance
        let asked = 0;
        while (asked < idle.max) {
          const stepSize = Math.min(idle.step, idle.max - asked);
          const batches: ClientSpec[][] = workers.map(() => []);
          for (let index = asked; index < asked + stepSize; index++) {
            const spec = { url, protocol: running.info.protocol, roomId: roomIds[Math.floor(index / latency.roomSize)], typist: false };
            batches[Math.min(workers.length - 1, Math.floor(index / idle.perWorker))].push(spec);
          }
          const started = performance.now();
          const results = await Promise.all(
            workers.map((worker, index) =>
              batches[index].length === 0
                ? { connected: 0, failed: 0, errors: [], elapsedMs: 0 }
                : worker.request({ type: 'connect', clients: batches[index], concurrency: 50, timeoutMs: 60_000, presence: true }, 10 * 60_000),
            ),
          );
          asked += stepSize;
          const failed = results.reduce((sum, result) => sum + result.failed, 0);
          await sleep(SETTLE_MS);
          const census = await Promise.all(workers.map((worker) => worker.request({ type: 'census' }, 60_000)));
          const open = census.reduce((sum, part) => sum + part.open, 0);
          const rssNow = rss();
          row.steps.push({ connections: asked, open, failed, rssMiB: round(rssNow / 2 ** 20, 1), connectSeconds: round((performance.now() - started) / 1000, 1) });
          if (rssNow > idle.rssLimitMiB * 2 ** 20) {
            row.stoppedBecause = 'rss budget';
            break;
          }
          row.maxHeld = open;
          row.rssAtMaxMiB = round(rssNow / 2 ** 20, 1);
          row.rssPerConnectionKiB = round((rssNow - baseline) / 1024 / Math.max(1, open), 1);
          if (failed > stepSize * ALLOWED_FAILURE_SHARE) {
            row.stoppedBecause = 'connect failures';
            break;
          }
        }
        // Held means still there a while later, presence renewals and pings included.
        await sleep(HOLD_MS);
        const census = await Promise.all(workers.map((worker) => worker.request({ type: 'census' }, 60_000)));
        row.openAfterHold = census.reduce((sum, part) => sum + part.open, 0);
        row.clientRssMiB = round(census.reduce((sum, part) => sum + part.rssBytes, 0) / 2 ** 20, 1);
        if (row.stoppedBecause === 'reached max') row.maxHeld = Math.min(row.maxHeld, row.openAfterHold);
      }),
    );
  } catch (error) {
    row.stoppedBecause = 'error';
    row.error = error instanceof Error ? error.message : String(error);
  }
  return row;
}
