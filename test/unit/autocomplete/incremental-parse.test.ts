import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findChangedRanges } from '../../../server/autocomplete/parse-cache.ts';
import { tokenizeDocument } from '../../../server/autocomplete/tokenize.ts';

const LINES = [
  'def handler(request):', '    return respond(request, 1)', 'items = [x for x in range(10)]', 'class Box:',
  '    """doc string"""', '    value = {"a": (1, 2)}', '# a comment (with a bracket', 'print(f"{items!r}")',
  'if items and not value:', '        pass', ')', '"unterminated', 'while True: break',
];

let fresh = 0;
/** Tokens of `code` parsed from scratch (a key never used before). */
function tokenizeFresh(code: string): ReturnType<typeof tokenizeDocument> {
  return tokenizeDocument(code, 'python', `fresh-${fresh++}`);
}

describe('incremental reparse across requests', () => {
  it('gives the tokens of a fresh parse after any two edits, small or large, anywhere (an editor jumping between places)', () => {
    const text = fc.array(fc.constantFrom(...LINES), { minLength: 20, maxLength: 120 }).map((lines) => lines.join('\n'));
    const edit = fc.record({ at: fc.nat(), removed: fc.nat({ max: 300 }), inserted: fc.array(fc.constantFrom(...LINES, 'x', '(', ' '), { maxLength: 12 }).map((parts) => parts.join('\n')) });
    let caller = 0;
    fc.assert(fc.property(text, edit, edit, (base, first, second) => {
      const apply = (code: string, { at, removed, inserted }: typeof first): string => {
        const from = at % (code.length + 1);
        return code.slice(0, from) + inserted + code.slice(Math.min(code.length, from + removed));
      };
      const changed = apply(apply(base, first), second);
      const key = `caller-${caller++}`;
      tokenizeDocument(base, 'python', key);
      expect(tokenizeDocument(changed, 'python', key)).toEqual(tokenizeFresh(changed));
    }), { numRuns: 200 });
  });
});

describe('an editor that finishes a line in one place and jumps to another', () => {
  it('reparses to the tokens of a fresh parse, reusing the text between the two places', () => {
    const file = Array.from({ length: 400 }, (_, index) => `def handler_${index}(request):\n    return respond(request, [${index}, "${index}"])\n`).join('');
    const siteA = file.indexOf('def handler_100');
    const siteB = file.indexOf('def handler_300');
    const key = 'jumping-editor';
    // Typing at A: the rest of A's line is still to come; then at B, with A's line finished.
    for (const typed of [10, 20, 30]) tokenizeDocument(file.slice(0, siteA + typed) + file.slice(siteA + 60), 'python', key);
    const jumped = file.slice(0, siteB + 5) + file.slice(siteB + 60);
    expect(tokenizeDocument(jumped, 'python', key)).toEqual(tokenizeFresh(jumped));
    for (const typed of [15, 25, 59]) {
      const code = file.slice(0, siteB + typed) + file.slice(siteB + 60);
      expect(tokenizeDocument(code, 'python', key)).toEqual(tokenizeFresh(code));
    }
  });
});

describe('the changed ranges handed to Lezer', () => {
  /** Rebuilds `after` from `before` and the ranges: the unchanged text between them comes from `before`. */
  function replay(before: string, after: string, ranges: ReturnType<typeof findChangedRanges>): string {
    let text = '';
    let positionA = 0;
    for (const range of ranges) {
      text += before.slice(positionA, range.fromA) + after.slice(range.fromB, range.toB);
      positionA = range.toA;
    }
    return text + before.slice(positionA);
  }

  it('describe any two edits exactly, in order and without overlap', () => {
    const piece = fc.constantFrom(...LINES, 'x', '(', ' ');
    const text = fc.array(piece, { maxLength: 200 }).map((parts) => parts.join('\n'));
    const edit = fc.record({ at: fc.nat(), removed: fc.nat({ max: 2_000 }), inserted: fc.array(piece, { maxLength: 40 }).map((parts) => parts.join('\n')) });
    fc.assert(fc.property(text, edit, edit, (before, first, second) => {
      const apply = (code: string, { at, removed, inserted }: typeof first): string => {
        const from = at % (code.length + 1);
        return code.slice(0, from) + inserted + code.slice(Math.min(code.length, from + removed));
      };
      const after = apply(apply(before, first), second);
      const ranges = findChangedRanges(before, after);
      expect(replay(before, after, ranges)).toBe(after);
      for (const [index, range] of ranges.entries()) {
        expect(range.fromA).toBeLessThanOrEqual(range.toA);
        expect(range.fromB).toBeLessThanOrEqual(range.toB);
        if (index > 0) expect(range.fromA).toBeGreaterThan(ranges[index - 1].toA);
      }
    }), { numRuns: 300 });
  });

  it('keep the text between two places when the editor finishes typing at one and jumps kilobytes on to the other', () => {
    const file = Array.from({ length: 400 }, (_, index) => `int handler_${index}(int request) { return respond(request, ${index}); }\n`).join('');
    const siteA = file.indexOf('int handler_100');
    const siteB = file.indexOf('int handler_300');
    // At A the last 100 characters of the gap were still to come; at B the caller starts a new gap.
    const before = file.slice(0, siteA + 80) + file.slice(siteA + 180);
    const after = file.slice(0, siteB + 2) + file.slice(siteB + 180);
    const ranges = findChangedRanges(before, after);
    const changed = ranges.reduce((sum, range) => sum + (range.toB - range.fromB) + (range.toA - range.fromA), 0);
    expect(changed).toBeLessThan(1_000);
    expect(replay(before, after, ranges)).toBe(after);
  });
});
