import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CODE_TEXT } from '../../../../shared/protocol.ts';
import { compressSync } from '../../../../server/history/compression.ts';
import { createHistoryWorker } from '../../../../server/history/history-worker.ts';

describe('rendering versions in the history worker (with its render cache)', () => {
  // Every task goes to the real worker thread, where the render cache lives.
  const worker = createHistoryWorker({ inlineBytes: 0 });
  afterAll(() => worker.close());

  /** A room with a snapshot (version 1) and 30 versions after it, each typing a line; and the text at each version. */
  const room = () => {
    const doc = new Y.Doc({ gc: false });
    const text = doc.getText(CODE_TEXT);
    text.insert(0, 'start\n');
    const snapshot = compressSync(Y.encodeStateAsUpdate(doc));
    const updates: Uint8Array[] = [];
    const texts = ['start\n'];
    for (let version = 2; version <= 31; version++) {
      const before = Y.encodeStateVector(doc);
      if (version % 7 === 0) text.delete(0, 3);
      text.insert(text.length, `line ${version}\n`);
      updates.push(compressSync(Y.encodeStateAsUpdate(doc, before)));
      texts.push(text.toString());
    }
    return { snapshot, updates, texts };
  };

  it('renders every version right whatever the order: forward, backward, repeated, and across rooms', async () => {
    const rooms = { a: room(), b: room() };
    const render = (roomId: 'a' | 'b', version: number) => {
      const { snapshot, updates } = rooms[roomId];
      const chain = { snapshot, updates: updates.slice(0, version - 1), ids: { roomId, snapshotId: 1, updateIds: Array.from({ length: version - 1 }, (_, index) => index + 2) } };
      return worker.run({ kind: 'render-entry', chain }, 1);
    };
    const order = [1, 2, 3, 10, 10, 31, 5, 6, 30, 1, 31, 17, 18, 19, 2];
    for (const version of order) {
      expect(await render('a', version)).toBe(rooms.a.texts[version - 1]);
      expect(await render('b', 32 - version)).toBe(rooms.b.texts[31 - version]);
    }
    // A chain from another snapshot of the same room starts again from it.
    const { updates, texts } = rooms.a;
    const later = { snapshot: compressSync(Y.mergeUpdates([Y.encodeStateAsUpdate(new Y.Doc())])), updates: [] as Uint8Array[], ids: { roomId: 'a', snapshotId: 40, updateIds: [] } };
    expect(await worker.run({ kind: 'render-entry', chain: later }, 1)).toBe('');
    expect(await render('a', 20)).toBe(texts[19]);
    expect(updates).toHaveLength(30);
  });
});
