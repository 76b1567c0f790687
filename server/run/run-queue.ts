/**
 * The runs waiting on this instance, started in order with at most
 * `concurrency` at once (`RUN_CONCURRENCY`). A task is a function that
 * runs one program to its end; it never rejects (the run service catches).
 */
export class RunQueue {
  private readonly waiting: { id: string; task: () => Promise<void> }[] = [];
  private running = 0;

  constructor(private readonly concurrency: number) {}

  /** Runs waiting for a slot. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Runs started and not yet ended. */
  get runningCount(): number {
    return this.running;
  }

  push(id: string, task: () => Promise<void>): void {
    this.waiting.push({ id, task });
    this.pump();
  }

  /** Takes a waiting run out of the queue; false when it already started (or was never here). */
  remove(id: string): boolean {
    const index = this.waiting.findIndex((entry) => entry.id === id);
    if (index < 0) return false;
    this.waiting.splice(index, 1);
    return true;
  }

  /** Empties the queue, returning the ids of the runs that never started. */
  drain(): string[] {
    return this.waiting.splice(0).map((entry) => entry.id);
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      this.running++;
      void next.task().finally(() => {
        this.running--;
        this.pump();
      });
    }
  }
}
