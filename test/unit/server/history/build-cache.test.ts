import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CODE_TEXT } from '../../../../shared/protocol.ts';
import { decodeChangeIndex, encodeChangeIndex, encodeUpdateList, type RecordedChange } from '../../../../server/history/change-index.ts';
import { compressSync, decompressSync } from '../../../../server/history/compression.ts';
import type { BuildOptions, BuildResult } from '../../../../server/history/build-versions.ts';
import { createHistoryWorker } from '../../../../server/history/history-worker.ts';

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
          roomId, previousChars: 0, now: 1e9, pauseMs: 2_000, maxSpanMs: 60_000, closeOpen: false,
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
