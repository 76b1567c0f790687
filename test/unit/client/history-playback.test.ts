import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PlaybackChange } from '../../../client/history/history-api.ts';
import { delayBefore, LONGEST_PAUSE_MS, Playback } from '../../../client/history/playback.ts';

const author = { name: 'Ada', color: '#ff0000' };

/** Random edits of two files, each recorded as the stream describes it, with the texts after every change. */
const editScript = fc
  .array(fc.tuple(fc.constantFrom('main.py', 'lib/util.py'), fc.nat(), fc.nat(5), fc.string({ maxLength: 6, unit: fc.constantFrom('a', 'b', '\n', 'é', '😀') })), { maxLength: 2_500, size: 'max' })
  .map((edits) => {
    const texts = new Map([['main.py', 'print(1)\n'], ['lib/util.py', '']]);
    const initial = new Map(texts);
    const changes: PlaybackChange[] = [];
    const snapshots: Map<string, string>[] = [new Map(texts)];
    edits.forEach(([file, rawPos, rawDel, ins], index) => {
      const before = texts.get(file)!;
      const pos = rawPos % (before.length + 1);
      const del = Math.min(rawDel, before.length - pos);
      texts.set(file, before.slice(0, pos) + ins + before.slice(pos + del));
      changes.push({ at: new Date(Date.UTC(2026, 11, 5) + index * 100).toISOString(), author, file, pos, del, ins });
      snapshots.push(new Map(texts));
    });
    return { initial, changes, snapshots };
  });

describe('playback', () => {
  it('shows at every position exactly the texts the changes make, whichever way it seeks', () => {
    fc.assert(
      fc.property(editScript, fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), ({ initial, changes, snapshots }, seeks) => {
        const playback = new Playback(initial, changes);
        for (const raw of [...seeks, changes.length]) {
          const position = raw % (changes.length + 1);
          playback.seek(position);
          expect(playback.position).toBe(position);
          for (const [path, text] of snapshots[position]!) expect(playback.text(path).toString()).toBe(text);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('finds the position of a time: every change made at or before it', () => {
    const changes = [0, 100, 100, 300].map((ms) => ({ at: new Date(1_000_000 + ms).toISOString(), author, file: 'a', pos: 0, del: 0, ins: 'x' }));
    const playback = new Playback(new Map([['a', '']]), changes);
    expect(playback.positionAt(new Date(999_999).toISOString())).toBe(0);
    expect(playback.positionAt(new Date(1_000_100).toISOString())).toBe(3);
    expect(playback.positionAt(new Date(1_000_299).toISOString())).toBe(3);
    expect(playback.positionAt(new Date(2_000_000).toISOString())).toBe(4);
  });

  it('waits as long as the typist did, faster at higher speeds, and shortens long pauses', () => {
    const changes = [0, 200, 60_200].map((ms) => ({ at: new Date(ms).toISOString(), author, file: 'a', pos: 0, del: 0, ins: 'x' }));
    expect(delayBefore(changes, 1, 1)).toBe(200);
    expect(delayBefore(changes, 1, 4)).toBe(50);
    expect(delayBefore(changes, 2, 1)).toBe(LONGEST_PAUSE_MS);
    expect(delayBefore(changes, 0, 1)).toBe(0);
  });
});
