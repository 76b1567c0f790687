import { applyPatch } from 'diff';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { decodeChangeIndex, encodeChangeIndex, type RecordedChange } from '../../../../server/history/change-index.ts';
import { runHistoryTask } from '../../../../server/history/history-tasks.ts';
import { textEdits, unifiedDiff } from '../../../../server/history/line-diff.ts';
import { encodeUpdateList } from '../../../../server/history/change-index.ts';
import { createRandom } from '../../../support/random.ts';

const randomText = (random: () => number, alphabet = 'ab\n') =>
  Array.from({ length: Math.floor(random() * 30) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');

describe('history: line diffs', () => {
  it('turns any text into any other with its edits, applied in order', () => {
    const random = createRandom(5);
    for (let round = 0; round < 2_000; round++) {
      const from = randomText(random);
      const to = randomText(random);
      let text = from;
      for (const edit of textEdits(from, to)) text = text.slice(0, edit.pos) + edit.ins + text.slice(edit.pos + edit.del);
      expect(text).toBe(to);
    }
  });

  it('writes a unified diff that turns the old text into the new one when applied', () => {
    const text = fc.array(fc.constantFrom('a\n', 'b\n', 'c', '\n', 'é😀\n'), { maxLength: 40 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, text, (from, to) => {
        const patch = unifiedDiff({ from: 'f.txt', to: 'f.txt' }, from, to);
        if (from === to) expect(patch).toBe('');
        else expect(applyPatch(from, patch)).toBe(to);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves lines that did not change untouched', () => {
    expect(textEdits('a\nb\nc\n', 'a\nB\nc\n')).toEqual([{ pos: 2, del: 2, ins: 'B\n' }]);
    expect(unifiedDiff({ from: 'x', to: 'x' }, 'same\n', 'same\n')).toBe('');
    expect(unifiedDiff({ from: null, to: 'new.py' }, '', 'x\n')).toBe('--- /dev/null\n+++ b/new.py\n@@ -0,0 +1,1 @@\n+x\n');
  });
});

describe('history: change index', () => {
  it('decodes what it encodes (times at 100 ms)', () => {
    const random = createRandom(9);
    const changes: RecordedChange[] = [];
    let at = 1_700_000_000_000;
    for (let index = 0; index < 500; index++) {
      at += Math.floor(random() * 5_000);
      const ops = Array.from({ length: Math.floor(random() * 3) }, () => ({
        file: random() < 0.5 ? 'code' : 'f1',
        pos: Math.floor(random() * 1_000),
        del: Math.floor(random() * 3),
        ins: randomText(random, 'xyé😀'),
      }));
      const ranges: [number, number, number][] = random() < 0.8 ? [[random() < 0.5 ? 7 : 4_000_000_000, index * 3, index * 3 + 2]] : [];
      const author = random() < 0.5 ? { name: 'Ada', color: '#f00' } : { name: 'Bo', color: '', subject: 'bo@x' };
      changes.push({ at: Math.round(at / 100) * 100, author, ops, ranges, ...(random() < 0.5 ? { textOnly: true } : {}) });
    }
    const decoded = decodeChangeIndex(encodeChangeIndex(changes, new Map([['code', 'main.py'], ['f1', 'lib/a.py']])));
    expect(decoded.changes).toEqual(changes);
    expect(decoded.paths.get('f1')).toBe('lib/a.py');
  });

  it('reads indexes written before changes had flags (format 1): none is text-only', () => {
    const stored = Buffer.from('AQIBA0FkYQQjZjAwAAEEY29kZQdtYWluLnB5AQcGgKi71H4DAgAABAEBAQACAAACAEECAAECAgADAAACAAJoaQ==', 'base64');
    const { changes, paths } = decodeChangeIndex(stored);
    expect(changes).toEqual([
      { at: 1_700_000_000_000, author: { name: 'Ada', color: '#f00' }, ops: [{ file: 'code', pos: 0, del: 0, ins: 'hi' }], ranges: [[7, 0, 2]] },
      { at: 1_700_000_000_300, author: { name: 'Ada', color: '#f00' }, ops: [{ file: 'code', pos: 1, del: 1, ins: '' }], ranges: [] },
    ]);
    expect(paths.get('code')).toBe('main.py');
  });
});

describe('history: versions from recorded changes', () => {
  it('closes a version at each pause, keeps the open one as a remainder, and renders each version as it was', () => {
    const doc = new Y.Doc();
    const text = doc.getText('code');
    const changes: RecordedChange[] = [];
    doc.on('update', (update: Uint8Array) => changes.push({ at: 0, author: { name: 'Ada', color: '' }, ops: [], ranges: [], update }));
    const times = [1_000, 1_500, 10_000, 10_100, 20_000];
    for (const [index, at] of times.entries()) {
      text.insert(text.length, String(index));
      changes.at(-1)!.at = at;
      changes.at(-1)!.ops = [{ file: 'code', pos: index, del: 0, ins: String(index) }];
    }
    const segment = { update: encodeUpdateList(changes.map((change) => change.update!)), changes: encodeChangeIndex(changes, new Map()) };
    const built = runHistoryTask({
      kind: 'build',
      segments: [segment],
      options: { roomId: 'room', now: 21_000, pauseMs: 2_000, maxSpanMs: 60_000, closeOpen: false, sinceBytes: 0, sinceVersions: 0, snapshotAtBytes: 1e9, snapshotShare: 0.5, snapshotAtVersions: 200 },
    });
    expect(built.versions.map((version) => [version.startedAt, version.at, version.changeCount, version.chars])).toEqual([[1_000, 1_500, 2, 2], [10_000, 10_100, 2, 4]]);
    expect(built.remainder).toMatchObject({ firstAt: 20_000, lastAt: 20_000 });
    const rendered = runHistoryTask({ kind: 'render-entry', chain: { updates: built.versions.map((version) => version.update) } });
    expect(rendered).toBe('0123');
  });
});
