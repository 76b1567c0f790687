import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RunQueue } from '../../../../server/run/run-queue.ts';

/** A queue whose tasks end when the test says; records the order they started in. */
function harness(concurrency: number) {
  const queue = new RunQueue(concurrency);
  const started: string[] = [];
  const finishers = new Map<string, () => void>();
  let peak = 0;
  const push = (id: string, owner?: string) => queue.push(id, () => new Promise<void>((resolve) => {
    started.push(id);
    peak = Math.max(peak, queue.runningCount);
    finishers.set(id, resolve);
  }), owner);
  /** Ends a running task and lets the queue start the next. */
  const finish = async (id: string) => {
    finishers.get(id)!();
    finishers.delete(id);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { queue, started, finishers, push, finish, peak: () => peak };
}

describe('RunQueue', () => {
  it('one client with many runs waiting does not hold back another client', async () => {
    const { started, push, finish } = harness(1);
    for (let n = 1; n <= 5; n++) push(`a${n}`, '10.0.0.1');
    push('b1', '10.0.0.2');
    push('c1', '10.0.0.3');
    expect(started).toEqual(['a1']);
    await finish('a1');
    await finish('b1');
    await finish('c1');
    for (let n = 2; n <= 5; n++) await finish(`a${n}`);
    // b and c each waited for one of a's runs, not five.
    expect(started).toEqual(['a1', 'b1', 'c1', 'a2', 'a3', 'a4', 'a5']);
  });

  it('a client with a run going yields the free slot to one with none', async () => {
    const { started, push, finish } = harness(2);
    push('a1', 'A');
    push('a2', 'A');
    push('a3', 'A');
    push('b1', 'B');
    expect(started).toEqual(['a1', 'a2']);
    await finish('a1');
    expect(started).toEqual(['a1', 'a2', 'b1']);
  });

  it('any mix of clients: every run starts once, in its client\'s order, never more than the concurrency at once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.array(fc.constantFrom('A', 'B', 'C', undefined), { minLength: 1, maxLength: 30 }), async (concurrency, owners) => {
        const { queue, started, finishers, push, finish, peak } = harness(concurrency);
        owners.forEach((owner, index) => push(`${owner ?? '-'}${index}`, owner));
        while (finishers.size > 0) await finish([...finishers.keys()][0]!);
        expect(started.length).toBe(owners.length);
        expect(new Set(started).size).toBe(owners.length);
        expect(peak()).toBeLessThanOrEqual(concurrency);
        for (const owner of ['A', 'B', 'C', '-']) {
          const mine = started.filter((id) => id.startsWith(owner)).map((id) => Number(id.slice(1)));
          expect(mine).toEqual([...mine].sort((a, b) => a - b));
        }
        expect(queue.waitingCount).toBe(0);
      }),
      { numRuns: 100 },
    );
  });
});
