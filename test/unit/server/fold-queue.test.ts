import { describe, expect, it } from 'vitest';
import { FoldQueue } from '../../../server/collab/fold-queue.ts';

describe('FoldQueue', () => {
  it('runs at most `concurrency` folds at once and every fold in the end', async () => {
    const queue = new FoldQueue(2);
    let running = 0;
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        queue.run(async () => {
          running++;
          most = Math.max(most, running);
          await new Promise((resolve) => setTimeout(resolve, 2));
          running--;
          return index;
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBe(2);
    expect(queue.size).toBe(0);
  });

  it('lets waiting I/O in between synchronous folds', async () => {
    const queue = new FoldQueue(1);
    const order: string[] = [];
    // Synchronous folds, as on better-sqlite3: without the queue all three would run before the I/O callback.
    const folds = [1, 2, 3].map((n) => queue.run(async () => void order.push(`fold ${n}`)));
    const io = new Promise<void>((resolve) => setImmediate(() => resolve(void order.push('io'))));
    await Promise.all([...folds, io]);
    expect(order.indexOf('io')).toBeLessThan(order.indexOf('fold 2'));
  });

  it('frees the slot when a fold fails', async () => {
    const queue = new FoldQueue(1);
    await expect(queue.run(async () => Promise.reject(new Error('database away')))).rejects.toThrow('database away');
    await expect(queue.run(async () => 'stored')).resolves.toBe('stored');
    expect(queue.size).toBe(0);
  });
});
