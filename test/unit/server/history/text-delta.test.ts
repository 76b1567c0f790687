import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TextDeltaReader, type TextDeltaPart } from '../../../../server/history/text-delta.ts';

/** Yjs's own delta, strings only and without the trailing retain: what the reader must equal. */
function referenceDelta(event: Y.YTextEvent): TextDeltaPart[] {
  const parts: TextDeltaPart[] = [];
  for (const part of event.delta) {
    if (part.retain !== undefined) parts.push({ retain: part.retain });
    else if (part.delete !== undefined) parts.push({ delete: part.delete });
    else if (typeof part.insert === 'string') parts.push({ insert: part.insert });
  }
  if (parts.length > 0 && 'retain' in parts.at(-1)!) parts.pop();
  return parts;
}

/** A small seeded generator, so a failure replays. */
function random(seed: number) {
  let state = seed >>> 0;
  return (n: number) => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state % n;
  };
}

function edit(text: Y.Text, next: (n: number) => number) {
  const length = text.length;
  const kind = next(10);
  if (length > 0 && kind < 3) {
    const pos = next(length);
    text.delete(pos, 1 + next(Math.min(8, length - pos)));
  } else if (length > 0 && kind < 4) {
    // A replacement.
    const pos = next(length);
    text.delete(pos, 1 + next(Math.min(4, length - pos)));
    text.insert(pos, 'xyz'.slice(0, 1 + next(3)));
  } else {
    // Typing is local: mostly near the end of the previous edit, sometimes anywhere.
    const pos = kind < 8 ? Math.max(0, length - next(5)) : next(length + 1);
    text.insert(pos, 'abcdefg\n'.slice(next(8)) || 'q');
  }
}

describe('TextDeltaReader', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`reads the same delta as Yjs over a replay of concurrent edits (seed ${seed})`, () => {
      const next = random(seed);
      const writers = [new Y.Doc(), new Y.Doc(), new Y.Doc()];
      const replay = new Y.Doc({ gc: false });
      const reader = new TextDeltaReader();
      const seen: { ours: TextDeltaPart[]; yjs: TextDeltaPart[] }[] = [];
      for (const name of ['code', 'other']) {
        replay.getText(name).observe((event) => {
          seen.push({ ours: reader.read(event), yjs: referenceDelta(event) });
        });
      }
      const pending: Uint8Array[] = [];
      for (const writer of writers) writer.on('update', (update: Uint8Array) => pending.push(update));
      let changes = 0;
      for (let step = 0; step < 1500; step++) {
        const writer = writers[next(writers.length)];
        writer.transact(() => {
          const text = writer.getText(next(5) === 0 ? 'other' : 'code');
          for (let n = 1 + (next(6) === 0 ? next(3) : 0); n > 0; n--) edit(text, next);
        });
        // Writers see each other only now and then: their edits are concurrent in between.
        if (next(4) === 0) {
          for (const update of pending.splice(0)) {
            Y.applyUpdate(replay, update);
            changes++;
            for (const other of writers) Y.applyUpdate(other, update);
          }
        }
      }
      for (const update of pending.splice(0)) Y.applyUpdate(replay, update);
      expect(changes).toBeGreaterThan(500);
      expect(seen.length).toBeGreaterThan(500);
      for (const { ours, yjs } of seen) expect(ours).toEqual(yjs);
    });
  }
});
