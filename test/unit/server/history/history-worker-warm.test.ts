import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createHistoryWorker } from '../../../../server/history/history-worker.ts';

/** This process's threads (Linux). */
const threads = () => new Set(readdirSync('/proc/self/task'));

describe('starting the history worker ahead of its first task', () => {
  const worker = createHistoryWorker();
  afterAll(() => worker.close());

  it('starts the thread before any task, once, and the thread then runs tasks', async () => {
    const before = threads();
    await worker.warm();
    const started = [...threads()].filter((thread) => !before.has(thread));
    expect(started.length).toBeGreaterThan(0);
    // Warm again (and twice at once): the same thread, no new one.
    const afterFirst = threads();
    await Promise.all([worker.warm(), worker.warm()]);
    expect([...threads()].filter((thread) => !afterFirst.has(thread))).toEqual([]);
    // A task large enough for the thread runs there.
    expect(await worker.run({ kind: 'warm' }, Number.MAX_SAFE_INTEGER)).toBeNull();
  });
});
