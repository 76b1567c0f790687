import { setTimeout as sleep } from 'node:timers/promises';
import { readCpuMs, readMachineBusyMs } from './process-usage.ts';
import type { ProcessRegistry } from './processes.ts';
import { round } from './stats.ts';

/** CPU (ms) of this process and every child the registry knows. */
function readOurCpuMs(registry: ProcessRegistry): number {
  let total = readCpuMs(process.pid);
  for (const pid of registry.pids) {
    try {
      total += readCpuMs(pid);
    } catch {
      // ended meanwhile
    }
  }
  return total;
}

/** A reading of machine-wide and own CPU, to tell how much other programs used during a window. */
export interface LoadReading {
  at: number;
  machineMs: number;
  oursMs: number;
}

export function readLoad(registry: ProcessRegistry): LoadReading {
  return { at: performance.now(), machineMs: readMachineBusyMs(), oursMs: readOurCpuMs(registry) };
}

/**
 * CPU other programs on the machine used since `before`, in % of one core
 * (`extraOursMs`: CPU of outside processes working for us, e.g. database backends).
 */
export function otherLoadPercent(registry: ProcessRegistry, before: LoadReading, extraOursMs = 0): number {
  const after = readLoad(registry);
  const others = after.machineMs - before.machineMs - (after.oursMs - before.oursMs) - extraOursMs;
  return round(Math.max(0, (others / (after.at - before.at)) * 100), 1);
}

/**
 * Waits (at most `maxWaitMs`) until the whole machine is nearly idle, so a
 * measurement does not start on top of a burst from us or anyone else.
 * Returns the busy share seen last, in % of one core.
 */
export async function waitForQuietMachine(maxWaitMs = 30_000, thresholdPercent = 30): Promise<number> {
  const deadline = performance.now() + maxWaitMs;
  let busy = Number.POSITIVE_INFINITY;
  do {
    const start = readMachineBusyMs();
    const started = performance.now();
    await sleep(1_000);
    busy = ((readMachineBusyMs() - start) / (performance.now() - started)) * 100;
  } while (busy > thresholdPercent && performance.now() < deadline);
  return round(busy, 1);
}
