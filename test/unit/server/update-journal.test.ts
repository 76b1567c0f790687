import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { UpdateJournal } from '../../../server/collab/update-journal.ts';
import { createMetrics } from '../../../server/metrics.ts';

const foreignKeyViolation = () => Object.assign(new Error('FOREIGN KEY constraint failed'), { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });

function journalWith(
  append: (rows: { roomId: string; update: Uint8Array }[]) => Promise<number[]>,
  restoreDeletedRoom: (roomId: string) => Promise<boolean> = async () => false,
) {
  const log = { error: vi.fn(), info: vi.fn(), warn: vi.fn(), debug: vi.fn() };
  const appended: string[] = [];
  const journal = new UpdateJournal({
    flushMs: 1,
    append,
    onAppended: (roomId) => appended.push(roomId),
    restoreDeletedRoom,
    log: log as never,
    metrics: createMetrics(),
  });
  return { journal, log, appended };
}

describe('UpdateJournal when a room is gone', () => {
  it('writes the other rooms of the batch and stores the deleted room again from memory, naming it', async () => {
    const stored = new Set(['roomA', 'roomB']);
    const restored: string[] = [];
    const { journal, log, appended } = journalWith(
      async (rows) => {
        if (rows.some((row) => !stored.has(row.roomId))) throw foreignKeyViolation();
        return rows.map((_, index) => index + 1);
      },
      async (roomId) => {
        restored.push(roomId);
        stored.add(roomId);
        return true;
      },
    );
    journal.append('roomA', new Uint8Array([0, 0]));
    journal.append('deletedRoom', new Uint8Array([0, 0]));
    journal.append('roomB', new Uint8Array([0, 0]));
    await journal.flush();
    expect(appended.sort()).toEqual(['roomA', 'roomB']);
    expect(journal.pendingUpdates).toBe(0);
    expect(journal.failing).toBe(false);
    expect(restored).toEqual(['deletedRoom']);
    expect(log.warn).toHaveBeenCalledWith(expect.objectContaining({ roomId: 'deletedRoom', updates: 1 }), expect.stringContaining('storing it again'));
    journal.stop();
  });

  it('keeps a deleted room\'s updates, and retries, when it cannot be stored again', async () => {
    const { journal, appended } = journalWith(async (rows) => {
      if (rows.some((row) => row.roomId === 'deletedRoom')) throw foreignKeyViolation();
      return rows.map((_, index) => index + 1);
    });
    journal.append('deletedRoom', new Uint8Array([0, 0]));
    journal.append('roomA', new Uint8Array([0, 0]));
    await expect(journal.flush()).rejects.toThrow('FOREIGN KEY');
    expect(appended).toEqual(['roomA']);
    expect(journal.pendingUpdates).toBe(1);
    expect(journal.failing).toBe(true);
    journal.stop();
  });

  it('never drops rows for any other failure: they stay and are retried', async () => {
    let down = true;
    const { journal, appended } = journalWith(async (rows) => {
      if (rows.some((row) => row.roomId === 'deletedRoom')) throw foreignKeyViolation();
      if (down) throw new Error('database is away');
      return rows.map((_, index) => index + 1);
    });
    journal.append('deletedRoom', new Uint8Array([0, 0]));
    journal.append('roomA', new Uint8Array([0, 0]));
    await expect(journal.flush()).rejects.toThrow('database is away');
    expect(journal.pendingUpdates).toBe(2);
    expect(journal.failing).toBe(true);
    await expect(journal.flush()).rejects.toThrow('database is away');
    expect(journal.pendingUpdates).toBe(2);
    down = false;
    // roomA goes in; the deleted room (which cannot be stored again here) keeps its update.
    await expect(journal.flush()).rejects.toThrow('FOREIGN KEY');
    expect(appended).toEqual(['roomA']);
    expect(journal.pendingUpdates).toBe(1);
    journal.stop();
  });
});

describe('UpdateJournal durability bookkeeping', () => {
  it('is durable exactly when every update of the room up to a sequence number is written or folded, under any order of events', async () => {
    type Command =
      | { kind: 'append'; room: number }
      | { kind: 'flush'; ok: boolean }
      | { kind: 'take'; room: number }
      | { kind: 'settle' | 'restore'; fold: number };
    const room = fc.integer({ min: 0, max: 2 });
    const command: fc.Arbitrary<Command> = fc.oneof(
      { weight: 4, arbitrary: room.map((r) => ({ kind: 'append' as const, room: r })) },
      fc.boolean().map((ok) => ({ kind: 'flush' as const, ok })),
      room.map((r) => ({ kind: 'take' as const, room: r })),
      fc.nat(3).map((fold) => ({ kind: 'settle' as const, fold })),
      fc.nat(3).map((fold) => ({ kind: 'restore' as const, fold })),
    );
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate'] });
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(command, { maxLength: 60 }), async (commands) => {
          let writable = true;
          const { journal } = journalWith(async (rows) => {
            // While a write is in flight, its updates are not durable yet.
            for (const row of rows) expect(journal.isDurable(row.roomId, journal.sequence)).toBe(false);
            if (!writable) throw new Error('database is away');
            return rows.map((_, index) => index + 1);
          });
          // The model: each sequence number's room, and where it is.
          const where = new Map<number, { room: string; state: 'pending' | 'durable' | { fold: number } }>();
          const folds: { taken: ReturnType<UpdateJournal['take']>; id: number }[] = [];
          let foldIds = 0;
          for (const step of commands) {
            switch (step.kind) {
              case 'append':
                journal.append(`room${step.room}`, new Uint8Array([0, 0]));
                where.set(journal.sequence, { room: `room${step.room}`, state: 'pending' });
                break;
              case 'flush':
                writable = step.ok;
                await journal.flush().catch(() => undefined);
                if (step.ok) for (const entry of where.values()) if (entry.state === 'pending') entry.state = 'durable';
                break;
              case 'take': {
                const id = foldIds++;
                folds.push({ taken: journal.take(`room${step.room}`), id });
                for (const entry of where.values()) if (entry.room === `room${step.room}` && entry.state === 'pending') entry.state = { fold: id };
                break;
              }
              case 'settle':
              case 'restore': {
                const [fold] = folds.splice(step.fold % Math.max(1, folds.length), 1);
                if (!fold) break;
                if (step.kind === 'settle') journal.settle(fold.taken);
                else journal.restore(fold.taken);
                for (const entry of where.values()) {
                  if (typeof entry.state === 'object' && entry.state.fold === fold.id) entry.state = step.kind === 'settle' ? 'durable' : 'pending';
                }
                break;
              }
              default:
                throw new Error(`unknown command ${(step as { kind: string }).kind}`);
            }
            for (const roomId of ['room0', 'room1', 'room2']) {
              for (let seq = 0; seq <= journal.sequence; seq++) {
                let expected = true;
                for (const [other, entry] of where) if (other <= seq && entry.room === roomId && entry.state !== 'durable') expected = false;
                expect(journal.isDurable(roomId, seq)).toBe(expected);
              }
            }
          }
          journal.stop();
        }),
        { numRuns: 300 },
      );
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('UpdateJournal writes', () => {
  it('runs one write at a time, and a flush returns only once the updates appended before it are durable', async () => {
    const writes: { rows: number; land(ids: number[]): void }[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const { journal } = journalWith(
      (rows) =>
        new Promise<number[]>((resolve) => {
          mostInFlight = Math.max(mostInFlight, ++inFlight);
          writes.push({
            rows: rows.length,
            land: (ids) => {
              inFlight--;
              resolve(ids);
            },
          });
        }),
    );
    const update = new Uint8Array([0, 0]);
    const settled = (promise: Promise<void>) => {
      const state = { done: false };
      void promise.then(() => (state.done = true));
      return state;
    };
    const turns = async (n: number) => {
      for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
    };

    journal.append('room', update);
    const firstSeq = journal.sequence;
    // The timer's flush and a shutdown's, in the same turn.
    const first = journal.flush();
    const second = settled(journal.flush());
    await vi.waitFor(() => expect(writes).toHaveLength(1));
    // An update arrives while that write is in flight, and is flushed.
    journal.append('room', update);
    const third = settled(journal.flush());
    await turns(5);
    expect(second.done).toBe(false);
    expect(writes).toHaveLength(1);
    expect(journal.isDurable('room', firstSeq)).toBe(false);

    writes[0].land([1]);
    await first;
    expect(journal.isDurable('room', firstSeq)).toBe(true);
    expect(journal.isDurable('room', journal.sequence)).toBe(false);
    // The next flush in line writes the update that came meanwhile; the one after it finds nothing left.
    await vi.waitFor(() => expect(writes).toHaveLength(2));
    expect(second.done || third.done).toBe(false);
    writes[1].land([2]);
    await vi.waitFor(() => expect(second.done && third.done).toBe(true));
    expect(journal.isDurable('room', journal.sequence)).toBe(true);
    expect(writes).toHaveLength(2);
    expect(mostInFlight).toBe(1);
    journal.stop();
  });
});

describe('UpdateJournal.whenDurable (REST changes answer once durable)', () => {
  it('resolves at once when nothing of the room waits, after the write when it does, and not while a write fails', async () => {
    let failing = true;
    let attempts = 0;
    const { journal } = journalWith(async (rows) => {
      attempts++;
      if (failing) throw new Error('database away');
      return rows.map((_, index) => index + 1);
    });
    await journal.whenDurable('roomA', journal.sequence);
    journal.append('roomA', new Uint8Array([0, 0]));
    const seq = journal.sequence;
    let durable = false;
    const waited = journal.whenDurable('roomA', seq).then(() => (durable = true));
    // Another room's updates do not hold it.
    journal.append('roomB', new Uint8Array([0, 0]));
    await vi.waitFor(() => expect(attempts).toBeGreaterThan(0));
    expect(durable).toBe(false);
    failing = false;
    await waited;
    expect(journal.isDurable('roomA', seq)).toBe(true);
    journal.stop();
  });

  it('resolves when a fold that took the updates settles them', async () => {
    const { journal } = journalWith(async (rows) => rows.map((_, index) => index + 1));
    journal.append('roomA', new Uint8Array([0, 0]));
    const taken = journal.take('roomA');
    let durable = false;
    const waited = journal.whenDurable('roomA', journal.sequence).then(() => (durable = true));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(durable).toBe(false);
    journal.settle(taken);
    await waited;
    journal.stop();
  });
});
