import { setTimeout as sleep } from 'node:timers/promises';
import { joinLatencies } from '../load/latency.ts';
import type { AwaitedClock, ClientSpec } from '../load/protocol.ts';
import type { LoadWorker } from '../support/load-workers.ts';
import { otherLoadPercent, readLoad, waitForQuietMachine } from '../support/machine.ts';
import type { ProcessRegistry } from '../support/processes.ts';
import { round, summarizeLatencies, type LatencySummary } from '../support/stats.ts';
import { createRooms, sidecarCpuDelta, type RunningTarget } from '../support/targets.ts';

/** How the clients of one typing load are laid out. */
export interface TypingLayout {
  rooms: number;
  clientsPerRoom: number;
  typistsPerRoom: number;
  /** Keystrokes per second of each typist. */
  rate: number;
  /** Send an awareness cursor after each keystroke. */
  cursor: boolean;
  warmupSeconds: number;
  seconds: number;
  /**
   * Deal each room's clients over the workers instead of whole rooms per
   * worker: for a room larger than one load process can drive (latency is
   * joined across processes by Yjs item id, on the shared monotonic clock).
   */
  splitRooms?: boolean;
}

/** What one typing load measured, server and client side. */
export interface TypingMeasurement {
  clients: number;
  connected: number;
  failedConnects: number;
  connectErrors: string[];
  connectSeconds: number;
  typists: number;
  keystrokes: number;
  /** Keystrokes per second per typist actually sent while measuring. */
  achievedRate: number;
  expectedDeliveries: number;
  latency: LatencySummary;
  /** Server processes (all instances): CPU share of one core while measuring, and CPU per delivered keystroke. */
  serverCpuPercent: number;
  serverCpuUsPerDelivery: number;
  /** Postgres backends of the server's database and the whole redis-server, per delivered keystroke. */
  databaseCpuUsPerDelivery?: number;
  redisCpuUsPerDelivery?: number;
  serverRssMiB: number;
  serverRssBaselineMiB: number;
  rssPerConnectionKiB: number;
  /** Load generators: CPU share of one core, and their event-loop delay p99 (a busy client inflates latency). */
  clientCpuPercent: number;
  clientEventLoopP99Ms: number;
  /** Payload bytes per keystroke: sent by the typist, received by each watcher per delivery. */
  upBytesPerKeystroke: number;
  downBytesPerDelivery: number;
  disconnects: number;
  /** Machine busy share (% of one core) just before typing started, and CPU other programs used while measuring. */
  machineBusyBeforePercent: number;
  otherLoadPercent: number;
  /** The measurement window on the machine's monotonic clock, in µs (as V8 CPU profiles time their samples). */
  windowUs: [number, number];
}

/** Now on the monotonic clock every process of this machine shares, in µs. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

const DRAIN_MS = 10_000;
const CONNECT_TIMEOUT_MS = 30_000;

/**
 * Connects `rooms × clientsPerRoom` real clients (whole rooms per worker,
 * clients alternating over the target's instances), lets typists type at
 * `rate`, and measures a window after a warm-up.
 */
export async function runTypingLoad(target: RunningTarget, workers: LoadWorker[], layout: TypingLayout, registry: ProcessRegistry): Promise<TypingMeasurement> {
  const total = layout.rooms * layout.clientsPerRoom;
  const roomIds = await createRooms(target, layout.rooms);
  const rssBaseline = target.serverRssBytes().reduce((sum, rss) => sum + rss, 0);
  const perWorker: ClientSpec[][] = workers.map(() => []);
  roomIds.forEach((roomId, room) => {
    for (let member = 0; member < layout.clientsPerRoom; member++) {
      const index = room * layout.clientsPerRoom + member;
      perWorker[(layout.splitRooms ? index : room) % workers.length].push({
        url: target.clientUrl(index),
        protocol: target.info.protocol,
        roomId,
        typist: member < layout.typistsPerRoom,
      });
    }
  });

  const connectStarted = performance.now();
  const connects = await Promise.all(
    workers.map((worker, index) =>
      worker.request({ type: 'connect', clients: perWorker[index], concurrency: 32, timeoutMs: CONNECT_TIMEOUT_MS, presence: true }, 15 * 60_000),
    ),
  );
  const connectSeconds = (performance.now() - connectStarted) / 1000;
  const connected = connects.reduce((sum, result) => sum + result.connected, 0);
  const roomMembers = new Map<string, number>();
  for (const result of connects) for (const [roomId, members] of Object.entries(result.roomMembers)) roomMembers.set(roomId, (roomMembers.get(roomId) ?? 0) + members);
  const failedConnects = connects.reduce((sum, result) => sum + result.failed, 0);

  // Other programs share these cores; start from a quiet machine when we can, and say how busy it was.
  const machineBusyBeforePercent = await waitForQuietMachine(8_000);
  await Promise.all(workers.map((worker) => worker.request({ type: 'startTyping', rate: layout.rate, cursor: layout.cursor }, 30_000)));
  await sleep(layout.warmupSeconds * 1000);

  const cpuBefore = target.serverCpuMs();
  const sidecarBefore = await target.sidecarCpuMs();
  const workerCpuBefore = workers.map((worker) => worker.cpuMs());
  const loadBefore = readLoad(registry);
  const windowStartUs = monotonicMicros();
  const started = performance.now();
  await Promise.all(workers.map((worker) => worker.request({ type: 'measure', on: true }, 30_000)));
  await sleep(layout.seconds * 1000);
  const windows = (await Promise.all(workers.map((worker) => worker.request({ type: 'measure', on: false }, 30_000)))).map((window) => window!);
  const wallMs = performance.now() - started;
  const windowEndUs = monotonicMicros();
  const serverCpuMs = target.serverCpuMs() - cpuBefore;
  const sidecar = sidecarCpuDelta(sidecarBefore, await target.sidecarCpuMs());
  const clientCpuMs = workers.reduce((sum, worker, index) => sum + worker.cpuMs() - workerCpuBefore[index], 0);
  const rss = target.serverRssBytes().reduce((sum, value) => sum + value, 0);
  const otherLoad = otherLoadPercent(registry, loadBefore, (sidecar.databaseMs ?? 0) + (sidecar.redisMs ?? 0));

  // The drain ends once every client holds the last measured keystroke of each typist of its room.
  const sends = windows.flatMap((window) => window.sends);
  const awaited: AwaitedClock[] = sends.map((typist) => ({ roomId: typist.roomId, clientId: typist.clientId, clock: Math.max(...typist.clocks) }));
  const drains = await Promise.all(workers.map((worker) => worker.request({ type: 'stopTyping', drainMs: DRAIN_MS, awaited }, DRAIN_MS + 60_000)));
  const keystrokes = windows.reduce((sum, window) => sum + window.keystrokes, 0);
  const expectedDeliveries = sends.reduce((sum, typist) => sum + typist.clocks.length * ((roomMembers.get(typist.roomId) ?? 1) - 1), 0);
  const latencies = joinLatencies(sends, drains.map((drain) => drain.received));
  const delivered = latencies.length;
  const typists = layout.rooms * layout.typistsPerRoom;
  const perDelivery = (ms: number | undefined) => (ms === undefined || delivered === 0 ? undefined : round((ms * 1000) / delivered, 1));
  const typistUp = windows.reduce((sum, window) => sum + window.typistBytes.payloadSent, 0);
  const watcherDown = windows.reduce((sum, window) => sum + window.watcherBytes.payloadReceived, 0);
  // Watchers are everyone but the typists; in a hot room typists also receive, so this is per watcher delivery.
  const watcherDeliveries = layout.typistsPerRoom === 1 ? delivered : Number.NaN;

  return {
    clients: total,
    connected,
    failedConnects,
    connectErrors: connects.flatMap((result) => result.errors).slice(0, 5),
    connectSeconds: round(connectSeconds, 1),
    typists,
    keystrokes,
    achievedRate: round(keystrokes / typists / (wallMs / 1000), 2),
    expectedDeliveries,
    latency: summarizeLatencies(latencies, expectedDeliveries),
    serverCpuPercent: round((serverCpuMs / wallMs) * 100, 1),
    serverCpuUsPerDelivery: perDelivery(serverCpuMs) ?? Number.NaN,
    databaseCpuUsPerDelivery: perDelivery(sidecar.databaseMs),
    redisCpuUsPerDelivery: perDelivery(sidecar.redisMs),
    serverRssMiB: round(rss / 2 ** 20, 1),
    serverRssBaselineMiB: round(rssBaseline / 2 ** 20, 1),
    rssPerConnectionKiB: round((rss - rssBaseline) / 1024 / Math.max(1, connected), 1),
    clientCpuPercent: round((clientCpuMs / wallMs) * 100, 1),
    clientEventLoopP99Ms: round(Math.max(...windows.map((window) => window.eventLoopP99Ms)), 1),
    upBytesPerKeystroke: round(typistUp / Math.max(1, keystrokes), 1),
    downBytesPerDelivery: round(watcherDown / watcherDeliveries, 1),
    disconnects: drains.reduce((sum, drain) => sum + drain.disconnects, 0),
    machineBusyBeforePercent,
    otherLoadPercent: otherLoad,
    windowUs: [windowStartUs, windowEndUs],
  };
}

/**
 * Runs a measurement up to `1 + retries` times while other programs on the
 * machine used more than `disturbedPercent` of a core during it, and keeps
 * the least disturbed run (bounded: at most `1 + retries` runs).
 */
export async function runLeastDisturbed<T extends { otherLoadPercent: number }>(
  run: () => Promise<T>,
  retries: number,
  disturbedPercent: number,
): Promise<T & { attempts: number }> {
  let best: (T & { attempts: number }) | undefined;
  for (let attempt = 1; attempt <= 1 + retries; attempt++) {
    const measured = await run();
    if (!best || measured.otherLoadPercent < best.otherLoadPercent) best = { ...measured, attempts: attempt };
    else best.attempts = attempt;
    if (measured.otherLoadPercent <= disturbedPercent) break;
  }
  return best!;
}
