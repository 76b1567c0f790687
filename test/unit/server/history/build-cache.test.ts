import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CODE_TEXT } from '../../../../shared/protocol.ts';
import { decodeChangeIndex, encodeChangeIndex, encodeUpdateList, type RecordedChange } from '../../../../server/history/change-index.ts';
import { compressSync, decompressSync } from '../../../../server/history/compression.ts';
import type { BuildOptions, BuildResult } from '../../../../server/history/build-versions.ts';
import { createHistoryWorker } from '../../../../server/history/history-worker.ts';
import { BuildDocCache } from '../../../../server/history/build-cache.ts';
import { estimateDocBytes } from '../../../../server/history/doc-size.ts';

describe('building versions from the document the last build left in the worker', () => {
  // Every task goes to the real worker thread, where the build cache lives.
  const worker = createHistoryWorker({ inlineBytes: 0 });
  afterAll(() => worker.close());

  /** A room typed in bursts 10 s apart (each burst one version), recorded as the recorder does: each change's update, time and author. */
  const room = () => {
    const doc = new Y.Doc();
    const text = doc.getText(CODE_TEXT);
    text.insert(0, 'def main():\n    pass\n');
    const snapshot = compressSync(Y.encodeStateAsUpdate(doc));
    const changes: RecordedChange[] = [];
    let at = 0;
    doc.on('update', (update: Uint8Array) => changes.push({ at, author: { name: 'Ada', color: '#f00' }, ops: [], ranges: [], update }));
    const bursts: RecordedChange[][] = [];
    for (let burst = 0; burst < 4; burst++) {
      const first = changes.length;
      for (let key = 0; key < 20; key++) {
        at = 10_000 * (burst + 1) + key * 100;
        if (key % 5 === 4) text.delete(text.length - 2, 1);
        else text.insert(key % 3 === 0 ? 12 : text.length, `${burst}${key}`);
      }
      bursts.push(changes.slice(first));
    }
    return { snapshot, bursts, text: text.toString() };
  };

  const segmentOf = (changes: RecordedChange[]) => ({ update: encodeUpdateList(changes.map((change) => change.update!)), changes: encodeChangeIndex(changes, new Map()) });
  const build = (roomId: string, changes: RecordedChange[], from: Pick<BuildOptions, 'base' | 'cached'>): Promise<BuildResult> =>
    worker.run(
      {
        kind: 'build',
        segments: [segmentOf(changes)],
        options: {
          roomId, now: 1e9, pauseMs: 2_000, maxSpanMs: 60_000, closeOpen: false,
          sinceBytes: 0, sinceVersions: 0, snapshotAtBytes: 1e9, snapshotShare: 0.5, snapshotAtVersions: 200, ...from,
        },
      },
      1,
    );
  const opsOf = (result: BuildResult) => result.versions.map((version) => decodeChangeIndex(decompressSync(version.changes)).changes.map((change) => change.ops));

  it('gives the same versions as a build from the stored chain, and misses (never guesses) on a token it does not hold', async () => {
    const { snapshot, bursts, text } = room();
    // From the stored chain: the first two bursts; the worker keeps the document they end with.
    const first = await build('a', [...bursts[0], ...bursts[1]], { base: { snapshot, updates: [] } });
    expect(first.versions).toHaveLength(2);
    expect(first.kept?.token).toEqual(expect.any(String));
    // The third burst from the kept document, and again from the chain: the same update, ops and chars.
    const fromCache = await build('a', bursts[2], { cached: first.kept!.token });
    const chain = { snapshot, updates: first.versions.map((version) => version.update) };
    const fromChain = await build('b', bursts[2], { base: chain });
    expect(fromCache.miss).toBeUndefined();
    expect(opsOf(fromCache)).toEqual(opsOf(fromChain));
    expect(opsOf(fromCache)[0].flat().length).toBeGreaterThan(0);
    expect(fromCache.versions.map((version) => [version.chars, version.changeCount])).toEqual(fromChain.versions.map((version) => [version.chars, version.changeCount]));
    // A token is used once: the first build's is spent, and a room's token does not open another room's document.
    expect(await build('a', bursts[3], { cached: first.kept!.token })).toMatchObject({ versions: [], miss: true });
    expect(await build('b', bursts[3], { cached: fromCache.kept!.token })).toMatchObject({ versions: [], miss: true });
    // The fourth burst from the third's document: the versions render to the room's text.
    const last = await build('a', bursts[3], { cached: fromCache.kept!.token });
    const versions = [...first.versions, ...fromCache.versions, ...last.versions].map((version) => version.update);
    expect(await worker.run({ kind: 'render-entry', chain: { snapshot, updates: versions } }, 1)).toBe(text);
  });
});

describe('the build document cache', () => {
  /** A document of `lines` lines typed at alternate ends (each line its own struct). */
  const room = (lines: number) => {
    const doc = new Y.Doc();
    const text = doc.getText(CODE_TEXT);
    for (let line = 0; line < lines; line++) text.insert(line % 2 === 0 ? 0 : text.length, `line ${line}\n`);
    return doc;
  };

  it('keeps the most recently built rooms within its rooms and its bytes, and never a document larger than all its bytes', () => {
    const oneRoom = estimateDocBytes(room(100));
    const cache = new BuildDocCache({ rooms: 3, bytes: oneRoom * 2.5 });
    const tokens = ['a', 'b', 'c'].map((roomId) => cache.keep(roomId, room(100)));
    // Two fit in the bytes: the oldest went.
    expect(['a', 'b', 'c'].map((roomId) => cache.has(roomId))).toEqual([false, true, true]);
    expect(cache.take('a', tokens[0]!)).toBeUndefined();
    // Taken out, a document no longer counts; kept again, it is the newest.
    const b = cache.take('b', tokens[1]!)!;
    expect(b.getText(CODE_TEXT).toString()).toContain('line 99');
    const again = cache.keep('b', b);
    cache.keep('d', room(100));
    expect(['b', 'c', 'd'].map((roomId) => cache.has(roomId))).toEqual([true, false, true]);
    expect(cache.take('b', again!)).toBe(b);
    // A document over all the bytes is destroyed, not kept.
    const huge = room(400);
    expect(cache.keep('e', huge)).toBeUndefined();
    expect(cache.has('e')).toBe(false);
    expect(huge.isDestroyed).toBe(true);
    // The estimate grows with the structs: 400 lines at alternate ends weigh about four times 100.
    expect(estimateDocBytes(room(400)) / oneRoom).toBeGreaterThan(3.5);
  });
});
