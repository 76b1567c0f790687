import { readFileSync } from 'node:fs';
import { parser as pythonParser } from '@lezer/python';
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

/** True when Lezer's Python grammar parses `code` without an error node. */
function parsesCleanly(code: string): boolean {
  let clean = true;
  pythonParser.parse(code).iterate({ enter: (node) => { if (node.type.isError) clean = false; return clean; } });
  return clean;
}

/** The tokens are in order, do not overlap, are the text they say, and leave no character but white space out. */
function expectToDescribe(tokens: ReturnType<typeof tokenizeDocument>, code: string): void {
  let covered = 0;
  for (const token of tokens) {
    expect(token.from).toBeGreaterThanOrEqual(covered);
    expect(token.to).toBeGreaterThan(token.from);
    expect(token.text).toBe(code.slice(token.from, token.to));
    expect(code.slice(covered, token.from).trim()).toBe('');
    covered = token.to;
  }
  expect(code.slice(covered).trim()).toBe('');
}

describe('tokens reused across requests (spliced around the edits, or reparsed incrementally)', () => {
  const apply = (code: string, { at, removed, inserted }: { at: number; removed: number; inserted: string }): string => {
    const from = at % (code.length + 1);
    return code.slice(0, from) + inserted + code.slice(Math.min(code.length, from + removed));
  };
  let caller = 0;

  it('describe the text after any two edits, small or large, anywhere (an editor jumping between places)', () => {
    const text = fc.array(fc.constantFrom(...LINES), { minLength: 20, maxLength: 120 }).map((lines) => lines.join('\n'));
    const edit = fc.record({ at: fc.nat(), removed: fc.nat({ max: 300 }), inserted: fc.array(fc.constantFrom(...LINES, 'x', '(', ' ', '"', '#', '"""'), { maxLength: 12 }).map((parts) => parts.join('\n')) });
    fc.assert(fc.property(text, edit, edit, (base, first, second) => {
      const key = `caller-${caller++}`;
      const between = apply(base, first);
      const changed = apply(between, second);
      tokenizeDocument(base, 'python', key);
      expectToDescribe(tokenizeDocument(between, 'python', key), between);
      expectToDescribe(tokenizeDocument(changed, 'python', key), changed);
    }), { numRuns: 200 });
  }, 120_000);

  it('are the tokens of a fresh parse after any two edits of a clean program that leave it clean', () => {
    // Where the grammar recovers from errors, a parse of a window may recover otherwise than a parse of
    // the whole text (a string left open at a line's end); in clean code they must agree token for token.
    const clean = fc.constantFrom(
      'items = [x for x in range(10)]', 'value = {"a": (1, 2)}', '# a comment (with a bracket', 'print(f"{items!r}")',
      'while True: break', 'def handler(request): return respond(request, 1)', 'total = items and not value',
      'class Box: pass', 'text = """doc\nstring (with a bracket"""', 'if total:\n    print(total)',
    );
    const lines = fc.array(clean, { minLength: 20, maxLength: 120 });
    const edit = fc.record({ at: fc.nat(), removed: fc.nat({ max: 10 }), inserted: fc.array(clean, { maxLength: 6 }) });
    const applyLines = (code: string[], { at, removed, inserted }: { at: number; removed: number; inserted: string[] }): string[] => {
      const from = at % (code.length + 1);
      return [...code.slice(0, from), ...inserted, ...code.slice(from + removed)];
    };
    fc.assert(fc.property(lines, edit, edit, (base, first, second) => {
      const changed = applyLines(applyLines(base, first), second).join('\n');
      expect(parsesCleanly(changed)).toBe(true);
      const key = `clean-caller-${caller++}`;
      tokenizeDocument(base.join('\n'), 'python', key);
      expect(tokenizeDocument(changed, 'python', key)).toEqual(tokenizeFresh(changed));
    }), { numRuns: 200 });
  }, 120_000);

  it('are the tokens of a fresh parse while a person types a real program into it, keystroke by keystroke', () => {
    const file = readFileSync(new URL('../../fixtures/easy_xml.py', import.meta.url), 'utf8');
    const key = 'typing-caller';
    tokenizeDocument(file, 'python', key);
    // At each of 12 places, a line is typed afresh one key at a time (the rest of the file unchanged).
    for (let site = 1; site <= 12; site++) {
      const lineStart = file.indexOf('\n', Math.floor((file.length * site) / 13)) + 1;
      const lineEnd = file.indexOf('\n', lineStart);
      for (let typed = 0; typed <= lineEnd - lineStart; typed += 3) {
        const code = file.slice(0, lineStart + typed) + file.slice(lineEnd);
        const tokens = tokenizeDocument(code, 'python', key);
        expectToDescribe(tokens, code);
        if (parsesCleanly(code)) expect(tokens).toEqual(tokenizeFresh(code));
      }
    }
  }, 120_000);
  it('stay the tokens of a fresh parse over a caller\'s many requests (each splice reuses the last one\'s tokens in place)', () => {
    const clean = fc.constantFrom(
      'items = [x for x in range(10)]', 'value = {"a": (1, 2)}', '# a comment (with a bracket', 'print(f"{items!r}")',
      'while True: break', 'def handler(request): return respond(request, 1)', 'class Box: pass',
    );
    const lines = fc.array(clean, { minLength: 20, maxLength: 80 });
    const edit = fc.record({ at: fc.nat(), removed: fc.nat({ max: 3 }), inserted: fc.array(clean, { maxLength: 3 }) });
    fc.assert(fc.property(lines, fc.array(edit, { minLength: 2, maxLength: 8 }), (base, edits) => {
      const key = `many-requests-${caller++}`;
      let current = base;
      tokenizeDocument(current.join('\n'), 'python', key);
      for (const { at, removed, inserted } of edits) {
        const from = at % (current.length + 1);
        current = [...current.slice(0, from), ...inserted, ...current.slice(from + removed)];
        const code = current.join('\n');
        expect(tokenizeDocument(code, 'python', key)).toEqual(tokenizeFresh(code));
      }
    }), { numRuns: 100 });
  }, 120_000);
});

describe('edits whose effect is not local', () => {
  const file = Array.from({ length: 600 }, (_, index) => `int handler_${index}(int request) { return respond(request, "${index}"); }\n`).join('');

  it('an opened comment or quote that runs on past the edit gives the tokens of a fresh parse', () => {
    const site = file.indexOf('int handler_200');
    const key = 'opening-editor';
    tokenizeDocument(file, 'c', key);
    for (const opened of ['/* ', '"', '#if 0\n', '/* x */ /* ']) {
      const code = file.slice(0, site) + opened + file.slice(site);
      expect(tokenizeDocument(code, 'c', key)).toEqual(tokenizeDocument(code, 'c', `fresh-c-${fresh++}`));
    }
    // And closed again.
    expect(tokenizeDocument(file, 'c', key)).toEqual(tokenizeDocument(file, 'c', `fresh-c-${fresh++}`));
  });

  it('a local edit and one that is not, in the same request, give the tokens of a fresh parse, then and after', () => {
    // The local edit is spliced into the caller's tokens in place before the other is found not local:
    // those half-spliced tokens must never be taken for the text's.
    const key = 'half-spliced-editor';
    tokenizeDocument(file, 'c', key);
    const first = file.indexOf('int handler_100');
    const second = file.indexOf('int handler_400');
    const both = `${file.slice(0, first)}x${file.slice(first, second)}/* ${file.slice(second)}`;
    expect(tokenizeDocument(both, 'c', key)).toEqual(tokenizeDocument(both, 'c', `fresh-c-${fresh++}`));
    const next = `${file.slice(0, first)}xy${file.slice(first)}`;
    expect(tokenizeDocument(next, 'c', key)).toEqual(tokenizeDocument(next, 'c', `fresh-c-${fresh++}`));
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
