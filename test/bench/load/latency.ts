import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import * as Y from 'yjs';
import type { ReceivedRecords, TypistSends } from './protocol.ts';

/**
 * Now in ms on the machine's monotonic clock, which every process shares:
 * `performance.now()` counts from this process's start on that clock, and
 * `timeOrigin`'s offset to it is fixed, so a keystroke stamped in one load
 * process and its arrival stamped in another can be subtracted.
 */
const monotonicOffsetMs = Number(process.hrtime.bigint()) / 1e6 - performance.now();
export function sharedNowMs(): number {
  return performance.now() + monotonicOffsetMs;
}

/** A growable column of numbers. */
class Column {
  values = new Float64Array(1 << 12);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  toArray(): Float64Array {
    return this.values.slice(0, this.length);
  }
}

/**
 * Records edit-to-remote latency by Yjs item id, in a form that joins across
 * load processes. A typist notes the clock of each character it is about to
 * insert, with the time; every other client, when a remote transaction raises
 * a client's clock from `before` to `after`, notes the arrival of each clock
 * in between. {@link joinLatencies} pairs the two (a room may span
 * processes: the hot room does). Per transaction this costs O(writers of the
 * document), unlike `YEvent.changes`, which walks the whole text.
 */
export class LatencyRecorder {
  private sends = new Map<number, { roomId: string; clocks: Column; times: Column }>();
  private received = { clients: new Column(), clocks: new Column(), times: new Column() };
  private measuring = false;
  private receiving = false;
  private cpuAtStart: NodeJS.CpuUsage | undefined;
  private wallAtStart = 0;
  private histogram: IntervalHistogram | undefined;
  /** Keystrokes sent while measuring, and sent in total. */
  keystrokes = 0;
  sentTotal = 0;

  /** Notes that `clientId` (in `roomId`) is about to insert the character with `clock`. */
  noteKeystroke(roomId: string, clientId: number, clock: number): void {
    this.sentTotal++;
    if (!this.measuring) return;
    let typist = this.sends.get(clientId);
    if (!typist) this.sends.set(clientId, (typist = { roomId, clocks: new Column(), times: new Column() }));
    typist.clocks.push(clock);
    typist.times.push(sharedNowMs());
    this.keystrokes++;
  }

  /** Notes what reaches `doc` from other clients. */
  watch(doc: Y.Doc): void {
    doc.on('afterTransaction', (transaction: Y.Transaction) => {
      if (transaction.local || !this.receiving) return;
      let now = 0;
      for (const [client, after] of transaction.afterState) {
        const before = transaction.beforeState.get(client) ?? 0;
        if (after === before) continue;
        now ||= sharedNowMs();
        for (let clock = before; clock < after; clock++) {
          this.received.clients.push(client);
          this.received.clocks.push(clock);
          this.received.times.push(now);
        }
      }
    });
  }

  /** Starts a measurement window: clears the records, starts CPU and event-loop accounting. */
  start(): void {
    this.sends.clear();
    this.received = { clients: new Column(), clocks: new Column(), times: new Column() };
    this.keystrokes = 0;
    this.cpuAtStart = process.cpuUsage();
    this.wallAtStart = performance.now();
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    this.measuring = true;
    this.receiving = true;
  }

  /** Ends the window for new keystrokes (arrivals still count until {@link takeReceived}); returns CPU and loop figures of the window. */
  stop(): { cpuMs: number; wallMs: number; eventLoopP99Ms: number } {
    this.measuring = false;
    const cpu = process.cpuUsage(this.cpuAtStart);
    this.histogram?.disable();
    const eventLoopP99Ms = this.histogram ? this.histogram.percentile(99) / 1e6 : Number.NaN;
    return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - this.wallAtStart, eventLoopP99Ms };
  }

  /** The keystrokes of this process's typists sent while measuring. */
  sent(): TypistSends[] {
    return [...this.sends].map(([clientId, typist]) => ({ roomId: typist.roomId, clientId, clocks: typist.clocks.toArray(), timesMs: typist.times.toArray() }));
  }

  /** Stops noting arrivals and hands over those noted since {@link start}. */
  takeReceived(): ReceivedRecords {
    this.receiving = false;
    const { clients, clocks, times } = this.received;
    return { clients: clients.toArray(), clocks: clocks.toArray(), timesMs: times.toArray() };
  }
}

/**
 * Pairs the keystrokes of every typist with their arrivals at other clients
 * (from any load process): one latency in ms per delivery. Arrivals of
 * keystrokes sent outside the measured window have no send time and are left out.
 */
export function joinLatencies(sends: TypistSends[], arrivals: ReceivedRecords[]): Float64Array {
  const sentAt = new Map<number, Float64Array>();
  for (const typist of sends) {
    let highest = 0;
    for (const clock of typist.clocks) highest = Math.max(highest, clock);
    const times = new Float64Array(highest + 1).fill(Number.NaN);
    typist.clocks.forEach((clock, index) => (times[clock] = typist.timesMs[index]));
    sentAt.set(typist.clientId, times);
  }
  const latencies = new Column();
  for (const part of arrivals) {
    for (let index = 0; index < part.clients.length; index++) {
      const sentTime = sentAt.get(part.clients[index])?.[part.clocks[index]];
      if (sentTime !== undefined && !Number.isNaN(sentTime)) latencies.push(part.timesMs[index] - sentTime);
    }
  }
  return latencies.toArray();
}
