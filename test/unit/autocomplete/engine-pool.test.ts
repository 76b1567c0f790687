import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { chooseWorkerCount, createEnginePool } from '../../../server/autocomplete/index.ts';

describe('engine pool', () => {
  it('keeps a core for the socket thread: cores − 1 threads, 1 to 4', () => {
    expect([1, 2, 3, 4, 8, 64].map((cores) => chooseWorkerCount(cores))).toEqual([1, 1, 2, 3, 4, 4]);
  });

  it('runs the engine off the calling thread: its event loop turns while a long request is worked on', async () => {
    const pool = createEnginePool({ threads: 1, budgetMs: 3_000, log: pino({ level: 'silent' }) });
    try {
      const code = 'calculate_total = 0\nprint(calc';
      // The first request starts the thread; its answer shows the engine runs there.
      await expect.poll(async () => (await pool.complete({ code, cursorPosition: code.length, language: 'python', limit: 5 })).items[0]?.label, { timeout: 30_000 })
        .toBe('calculate_total');
      const nested = 'x=['.repeat(300_000);
      let turns = 0;
      let answered = false;
      const spin = (): void => {
        if (answered) return;
        turns++;
        setImmediate(spin);
      };
      const request = pool.complete({ code: nested, cursorPosition: nested.length, language: 'python', limit: 5 });
      spin();
      const answer = await request;
      answered = true;
      expect(answer.to).toBe(nested.length);
      // In-line, the engine would hold this thread until it answered: not one turn before the answer.
      expect(turns).toBeGreaterThan(1);
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('start() loads the threads before any request, so the first one is answered by a ready thread', async () => {
    const pool = createEnginePool({ threads: 1, budgetMs: 1_000, log: pino({ level: 'silent' }) });
    try {
      await pool.start();
      // The thread has answered its loading task: this request neither starts it nor waits for it.
      const code = 'calculate_total = 0\nprint(calc';
      expect((await pool.complete({ code, cursorPosition: code.length, language: 'python', limit: 5 })).items[0]?.label).toBe('calculate_total');
    } finally {
      await pool.close();
    }
    await pool.start();
  }, 60_000);

  it('answers empty after close', async () => {
    const pool = createEnginePool({ threads: 1, budgetMs: 50, log: pino({ level: 'silent' }) });
    await pool.close();
    expect((await pool.complete({ code: 'ab', cursorPosition: 2, language: 'python', limit: 5 })).items).toEqual([]);
  });
});
