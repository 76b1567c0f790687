import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayDifferFromDocument, toStoredText } from '../../../server/storage/stored-text.ts';

/** Any UTF-16 string: every plane, with NUL and lone surrogates mixed in often. */
const anyText = fc.string({
  unit: fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    fc.constant('\0'),
    fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)),
    fc.constant('\uFFFD'),
  ),
  maxLength: 200,
});

/** True when `text` survives UTF-8 unchanged: no lone surrogate. */
const isWellFormed = (text: string) => Buffer.from(text, 'utf8').toString('utf8') === text;

describe('the text columns rule (toStoredText)', () => {
  it('keeps the length and every unit except NUL and lone surrogates, which become U+FFFD', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const stored = toStoredText(text);
        expect(stored.length).toBe(text.length);
        expect(stored).not.toContain('\0');
        expect(isWellFormed(stored)).toBe(true);
        for (let i = 0; i < text.length; i++) {
          const unit = text.charCodeAt(i);
          const paired =
            (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) ||
            (unit >= 0xdc00 && unit <= 0xdfff && i > 0 && (text.charCodeAt(i - 1) & 0xfc00) === 0xd800);
          const replaced = unit === 0 || (unit >= 0xd800 && unit <= 0xdfff && !paired);
          expect(stored[i]).toBe(replaced ? '\uFFFD' : text[i]);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('changes nothing a text column can hold, and says when the column may differ', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const stored = toStoredText(text);
        expect(toStoredText(stored)).toBe(stored);
        if (!mayDifferFromDocument(stored)) expect(stored).toBe(text);
        if (isWellFormed(text) && !text.includes('\0')) expect(stored).toBe(text);
      }),
      { numRuns: 2_000 },
    );
  });

  it('keeps astral characters whole', () => {
    expect(toStoredText('a😀b\u{10FFFF}\u{1D11E}')).toBe('a😀b\u{10FFFF}\u{1D11E}');
    expect(toStoredText('\0\uD800x\uDC00😀\uD83D')).toBe('\uFFFD\uFFFDx\uFFFD😀\uFFFD');
  });
});
