import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import * as Y from 'yjs';

/**
 * Edit-to-remote latency by Yjs item id. A typist notes the clock of the
 * character it is about to insert; every other client, when a remote
 * transaction raises a client's clock from `before` to `after`, looks up the
 * send time of each clock in between. This works for any number of typists
 * in a room and costs O(writers of the document) per transaction (unlike
 * `YEvent.changes`, which walks the whole text).
 */
export class LatencyRecorder {
  private readonly sentAt = new Map<number, number[]>();
  private samples = new Float64Array(1 << 16);
  private count = 0;
  private measuring = false;
  private cpuAtStart: NodeJS.CpuUsage | undefined;
  private wallAtStart = 0;
  private histogram: IntervalHistogram | undefined;
  /** Keystrokes sent while measuring, and sent in total. */
  keystrokes = 0;
  sentTotal = 0;
  /** Deliveries owed for the measured keystrokes. */
  expectedDeliveries = 0;
  /** Deliveries of measured keystrokes that arrived. */
  get delivered(): number {
    return this.count;
  }

  /** Records that the client `clientId` is about to insert the character with `clock`, owed to `peers` other clients. */
  noteKeystroke(clientId: number, clock: number, peers: number): void {
    this.sentTotal++;
    if (!this.measuring) return;
    let times = this.sentAt.get(clientId);
    if (!times) this.sentAt.set(clientId, (times = []));
    times[clock] = performance.now();
    this.keystrokes++;
    this.expectedDeliveries += peers;
  }

  /** Measures what reaches `doc` from other clients. */
  watch(doc: Y.Doc): void {
    doc.on('afterTransaction', (transaction: Y.Transaction) => {
      if (transaction.local) return;
      let now = 0;
      for (const [client, after] of transaction.afterState) {
        const times = this.sentAt.get(client);
        if (!times) continue;
        for (let clock = transaction.beforeState.get(client) ?? 0; clock < after; clock++) {
          const sentAt = times[clock];
          if (sentAt === undefined) continue;
          now ||= performance.now();
          this.push(now - sentAt);
        }
      }
    });
  }

  private push(value: number): void {
    if (this.count === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.count++] = value;
  }

  /** Starts a measurement window: clears samples, starts CPU and event-loop accounting. */
  start(): void {
    this.sentAt.clear();
    this.count = 0;
    this.keystrokes = 0;
    this.expectedDeliveries = 0;
    this.cpuAtStart = process.cpuUsage();
    this.wallAtStart = performance.now();
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    this.measuring = true;
  }

  /** Ends the window for new keystrokes (deliveries of measured ones still count); returns CPU and loop figures of the window. */
  stop(): { cpuMs: number; wallMs: number; eventLoopP99Ms: number } {
    this.measuring = false;
    const cpu = process.cpuUsage(this.cpuAtStart);
    this.histogram?.disable();
    const eventLoopP99Ms = this.histogram ? this.histogram.percentile(99) / 1e6 : Number.NaN;
    return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - this.wallAtStart, eventLoopP99Ms };
  }

  /** The latencies recorded so far (a copy). */
  latencies(): Float64Array {
    return this.samples.slice(0, this.count);
  }
}
