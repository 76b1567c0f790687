import { readdirSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { createHistoryWorker } from '../../../../server/history/history-worker.ts';

/** This process's threads (Linux) by their nice value. */
const niceByThread = () => new Map(readdirSync('/proc/self/task').map((thread) => [thread, getPriority(Number(thread))]));

describe('the history worker thread', () => {
  const worker = createHistoryWorker({ inlineBytes: 0 });
  afterAll(() => worker.close());

  it('runs at a lower priority than the thread that serves sockets, which keeps its own', async () => {
    const processNice = getPriority(process.pid);
    const before = niceByThread();
    await worker.warm();
    expect(await worker.run({ kind: 'warm' }, Number.MAX_SAFE_INTEGER)).toBeNull();
    const started = [...niceByThread()].filter(([thread]) => !before.has(thread));
    expect(started.some(([, nice]) => nice === Math.min(19, processNice + 10))).toBe(true);
    expect(getPriority(process.pid)).toBe(processNice);
  });
});
