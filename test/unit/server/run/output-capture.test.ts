import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OutputCapture, type OutputStream } from '../../../../server/run/local/output-capture.ts';

/** Feeds `chunks` through a capture and returns what it handed over. */
function capture(chunks: [OutputStream, Buffer][], limitBytes: number, runawayBytes = Number.MAX_SAFE_INTEGER) {
  const handed: [OutputStream, string][] = [];
  let runaways = 0;
  const output = new OutputCapture({ limitBytes, runawayBytes, flushMs: 60_000 }, (stream, chunk) => handed.push([stream, chunk]), () => runaways++);
  for (const [stream, bytes] of chunks) output.write(stream, bytes);
  output.end();
  return { handed, truncated: output.truncated, runaways };
}

// U+FFFD is left out: it is what a broken character would decode to.
const text = fc.string({ unit: 'binary', maxLength: 30 }).map((value) => value.replace(/\uFFFD/g, '?'));
const chunkList = fc.array(fc.tuple(fc.constantFrom<OutputStream>('stdout', 'stderr'), text), { maxLength: 30 });

describe('output capture', () => {
  it('under the limit, every stream reads back exactly, in order, with no two neighbouring batches of one stream', () => {
    fc.assert(
      fc.property(chunkList, fc.array(fc.nat(8), { maxLength: 30 }), (chunks, cuts) => {
        // Cut each chunk's bytes at arbitrary points, splitting characters between reads.
        const pieces: [OutputStream, Buffer][] = [];
        chunks.forEach(([stream, text], index) => {
          const bytes = Buffer.from(text);
          const cut = Math.min(cuts[index] ?? 0, bytes.length);
          pieces.push([stream, bytes.subarray(0, cut)], [stream, bytes.subarray(cut)]);
        });
        const { handed, truncated } = capture(pieces, 1 << 20);
        expect(truncated).toBe(false);
        for (const stream of ['stdout', 'stderr'] as const) {
          const expected = chunks.filter(([s]) => s === stream).map(([, text]) => text).join('');
          expect(handed.filter(([s]) => s === stream).map(([, text]) => text).join('')).toBe(expected);
        }
        for (let i = 1; i < handed.length; i++) expect(handed[i]![0]).not.toBe(handed[i - 1]![0]);
      }),
    );
  });

  it('past the limit, what is kept is a prefix of at most the limit in bytes, never a broken character', () => {
    fc.assert(
      fc.property(chunkList, fc.nat(200), (chunks, limit) => {
        const { handed, truncated } = capture(chunks.map(([stream, text]) => [stream, Buffer.from(text)]), limit);
        const all = chunks.map(([, text]) => text).join('');
        const kept = handed.map(([, text]) => text).join('');
        expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(limit);
        expect(kept).not.toContain('\uFFFD');
        expect(truncated).toBe(Buffer.byteLength(all) > limit);
        if (!truncated) expect(kept).toBe(all);
      }),
    );
  });

  it('is not truncated when the output is exactly the limit and an empty read follows', () => {
    const { handed, truncated } = capture([['stdout', Buffer.alloc(64, 120)], ['stdout', Buffer.alloc(0)]], 64);
    expect(truncated).toBe(false);
    expect(handed.map(([, text]) => text).join('')).toBe('x'.repeat(64));
  });

  it('calls the runaway hook once when far more than the limit was dropped', () => {
    const { runaways, truncated } = capture(Array.from({ length: 10 }, () => ['stdout', Buffer.alloc(1000, 120)] as [OutputStream, Buffer]), 100, 5000);
    expect(truncated).toBe(true);
    expect(runaways).toBe(1);
  });
});
