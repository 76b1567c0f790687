/**
 * The runs waiting on this instance, started with at most `concurrency` at
 * once (`RUN_CONCURRENCY`). A task is a function that runs one program to
 * its end; it never rejects (the run service catches).
 *
 * Fair between clients: each run names who asked for it (the client IP),
 * and a free slot goes to the waiting run of the client with the fewest
 * runs going, then the one served longest ago, then the oldest run. One
 * client with many rooms (one run per room, 30 a minute) could otherwise
 * fill the queue ahead of everyone else and hold every slot for minutes;
 * now another client's run waits for at most one run per busy client. Runs
 * of one client still start in the order they came.
 */
export class RunQueue {
  private readonly waiting: { id: string; owner: string; task: () => Promise<void> }[] = [];
  private running = 0;
  /** Per client with runs waiting or going: how many are going, and when its last one started. */
  private readonly owners = new Map<string, { running: number; lastStarted: number }>();
  private starts = 0;

  constructor(private readonly concurrency: number) {}

  /** Runs waiting for a slot. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Runs started and not yet ended. */
  get runningCount(): number {
    return this.running;
  }

  /** Queues `task`; `owner` is who asked (runs without one share a single turn). */
  push(id: string, task: () => Promise<void>, owner = ''): void {
    this.waiting.push({ id, owner, task });
    if (!this.owners.has(owner)) this.owners.set(owner, { running: 0, lastStarted: -1 });
    this.pump();
  }

  /** Takes a waiting run out of the queue; false when it already started (or was never here). */
  remove(id: string): boolean {
    const index = this.waiting.findIndex((entry) => entry.id === id);
    if (index < 0) return false;
    const [entry] = this.waiting.splice(index, 1);
    this.forgetIfIdle(entry!.owner);
    return true;
  }

  /** Empties the queue, returning the ids of the runs that never started. */
  drain(): string[] {
    const ids = this.waiting.splice(0).map((entry) => entry.id);
    for (const owner of [...this.owners.keys()]) this.forgetIfIdle(owner);
    return ids;
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const next = this.waiting.splice(this.nextIndex(), 1)[0]!;
      const owner = this.owners.get(next.owner)!;
      owner.running++;
      owner.lastStarted = this.starts++;
      this.running++;
      void next.task().finally(() => {
        this.running--;
        owner.running--;
        this.forgetIfIdle(next.owner);
        this.pump();
      });
    }
  }

  /** The waiting run whose client has the fewest going, then was served longest ago; the oldest of them. */
  private nextIndex(): number {
    let best = 0;
    for (let index = 1; index < this.waiting.length; index++) {
      const candidate = this.owners.get(this.waiting[index]!.owner)!;
      const current = this.owners.get(this.waiting[best]!.owner)!;
      if (candidate.running < current.running || (candidate.running === current.running && candidate.lastStarted < current.lastStarted)) best = index;
    }
    return best;
  }

  /** Keeps the per-client table to clients with runs waiting or going. */
  private forgetIfIdle(owner: string): void {
    const entry = this.owners.get(owner);
    if (entry && entry.running === 0 && !this.waiting.some((waiting) => waiting.owner === owner)) this.owners.delete(owner);
  }
}
