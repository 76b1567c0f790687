import { setImmediate as yieldToIo } from 'node:timers/promises';

/**
 * Runs room folds a few at a time, letting socket I/O in between.
 *
 * Hocuspocus's store timers fire in bursts: rooms that started together hit
 * their `maxDebounce` together, and Node runs every expired timer in one
 * go. On SQLite a fold is synchronous work on the event loop (better-sqlite3),
 * so two hundred of them in a row stalled every keystroke for a quarter of a
 * second. Queued here, each fold waits for the event loop to serve pending
 * I/O first, so a keystroke waits for at most `concurrency` folds.
 */
export class FoldQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  /** `concurrency`: folds at once (1 on SQLite, a few on Postgres where they wait on the network). */
  constructor(private readonly concurrency: number) {}

  /** Folds queued or running. */
  get size(): number {
    return this.running + this.waiting.length;
  }

  /** Runs `fold` when a slot is free and the event loop has served the I/O that was waiting. */
  async run<T>(fold: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      await yieldToIo();
      return await fold();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next fold, so `running` stays as it is.
      if (next) next();
      else this.running--;
    }
  }
}
