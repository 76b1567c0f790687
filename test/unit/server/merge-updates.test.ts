import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { mergeInRounds } from '../../../server/collab/merge-updates.ts';

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
