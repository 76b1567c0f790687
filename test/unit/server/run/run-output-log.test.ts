import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeOutputBatches, encodeSegments, joinPieces, piecesOf, RunOutputLog, sliceWholeCharacters, type OutputBatch, type OutputStream } from '../../../../server/run/run-output-log.ts';

const chunks = fc.array(fc.tuple(fc.constantFrom<OutputStream>('stdout', 'stderr'), fc.string({ unit: 'grapheme', maxLength: 30 })), { maxLength: 40 });

/** The texts as the old service kept them: three strings appended to. */
function expected(all: [OutputStream, string][]) {
  const texts = { stdout: '', stderr: '', output: '' };
  for (const [stream, chunk] of all) {
    texts[stream] += chunk;
    texts.output += chunk;
  }
  return texts;
}

describe('RunOutputLog', () => {
  it('for any chunks, batched anywhere: the log and its stored batches give the same stdout, stderr and output, in order', () => {
    fc.assert(
      fc.property(chunks, fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), (all, cuts) => {
        const log = new RunOutputLog();
        const batches: OutputBatch[] = [];
        all.forEach(([stream, chunk], i) => {
          log.append(stream, chunk);
          if (cuts[i]) {
            const batch = log.takeBatch();
            if (batch) batches.push(batch);
          }
        });
        const last = log.takeBatch();
        if (last) batches.push(last);
        expect(log.takeBatch()).toBeUndefined();
        expect(log.unstoredLength).toBe(0);
        expect(joinPieces(piecesOf(log.stretches()))).toEqual(expected(all));
        expect(joinPieces(piecesOf(decodeOutputBatches(batches)))).toEqual(expected(all));
        for (const batch of batches) expect(batch.segments).toMatch(/^([oe]\d+)+$/);
      }),
      { numRuns: 1_000 },
    );
  });

  it('merges consecutive chunks of one stream into one segment, and counts UTF-16 units', () => {
    const log = new RunOutputLog();
    log.append('stdout', 'a😀');
    log.append('stdout', 'b');
    log.append('stderr', 'oops\n');
    log.append('stdout', '');
    log.append('stdout', 'c');
    expect(log.unstoredLength).toBe(10);
    expect(log.takeBatch()).toEqual({ text: 'a😀boops\nc', segments: 'o4e5o1' });
    log.append('stdout', 'd');
    expect(log.takeBatch()).toEqual({ text: 'd', segments: 'o1' });
    expect(joinPieces(piecesOf(log.stretches()))).toEqual({ stdout: 'a😀bcd', stderr: 'oops\n', output: 'a😀boops\ncd' });
  });

  it('reads text a segment map does not account for as stdout, and ignores segments past the text', () => {
    const decode = (batches: OutputBatch[]) => joinPieces(piecesOf(decodeOutputBatches(batches)));
    expect(decode([{ text: 'abcdef', segments: 'e2' }])).toEqual({ stdout: 'cdef', stderr: 'ab', output: 'abcdef' });
    expect(decode([{ text: 'ab', segments: 'e1o5e9' }])).toEqual({ stdout: 'b', stderr: 'a', output: 'ab' });
    expect(decode([{ text: 'ab', segments: '' }])).toEqual({ stdout: 'ab', stderr: '', output: 'ab' });
    expect(decode([{ text: 'abc', segments: 'e3' }, { text: 'de', segments: 'o2' }])).toEqual({ stdout: 'de', stderr: 'abc', output: 'abcde' });
    expect(decode([])).toEqual({ stdout: '', stderr: '', output: '' });
    expect(encodeSegments([{ stream: 'stdout', length: 120 }, { stream: 'stderr', length: 14 }])).toBe('o120e14');
  });
});

describe('sliceWholeCharacters', () => {
  it('cuts any text into pieces of at most the size (a pair may make one a unit longer at size 1), never inside a surrogate pair', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.integer({ min: 1, max: 20 }), (text, size) => {
        const pieces = sliceWholeCharacters(text, size);
        expect(pieces.join('')).toBe(text);
        for (const piece of pieces) {
          expect(piece.length).toBeLessThanOrEqual(Math.max(size, 2));
          expect((piece as unknown as { isWellFormed(): boolean }).isWellFormed()).toBe(true);
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
