import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { mergeInRounds, UpdateJournal } from '../../../server/collab/update-journal.ts';
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

describe('mergeInRounds', () => {
  it('merges many updates into one that holds them all, never more than 64 at once', () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => updates.push(update));
    const text = doc.getText('code');
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 20_000; i++) {
      if (text.length > 0 && random() < 0.2) text.delete(Math.floor(random() * text.length), 1);
      else text.insert(Math.floor(random() * (text.length + 1)), 'abc'[i % 3]);
    }
    // One Y.mergeUpdates call on n updates costs O(n²) (20,000 took seconds); groups bound it.
    const groupSizes: number[] = [];
    const merged = mergeInRounds(updates, (group) => {
      groupSizes.push(group.length);
      return Y.mergeUpdates(group);
    });
    expect(Math.max(...groupSizes)).toBeLessThanOrEqual(64);
    expect(groupSizes.length).toBeLessThan(updates.length / 50);
    const copy = new Y.Doc();
    Y.applyUpdate(copy, merged);
    expect(copy.getText('code').toString()).toBe(text.toString());
    expect(mergeInRounds([updates[0]])).toBe(updates[0]);
  });
});
