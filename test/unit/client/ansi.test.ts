import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnsiReader } from '../../../client/run/ansi.ts';

const readAll = (chunks: string[]) => {
  const reader = new AnsiReader();
  return chunks.flatMap((chunk) => reader.read(chunk));
};

describe('AnsiReader', () => {
  it('reads colours, bold and resets into styled text', () => {
    const segments = readAll(['plain \x1b[31mred\x1b[0m \x1b[1;92mbold bright green\x1b[39m bold\x1b[0m']);
    expect(segments).toEqual([
      { text: 'plain ', style: {} },
      { text: 'red', style: { fg: 1 } },
      { text: ' ', style: {} },
      { text: 'bold bright green', style: { bold: true, fg: 10 } },
      { text: ' bold', style: { bold: true, fg: undefined } },
    ]);
  });

  it('keeps an escape cut between chunks for the next one', () => {
    expect(readAll(['a\x1b[3', '4mb'])).toEqual([
      { text: 'a', style: {} },
      { text: 'b', style: { fg: 4 } },
    ]);
  });

  it('reads 256-colour and RGB colours, and drops other sequences', () => {
    expect(readAll(['\x1b[38;5;196mx\x1b[48;2;1;2;3my\x1b[2J\x1b]0;title\x07z'])).toEqual([
      { text: 'x', style: { fg: '#ff0000' } },
      { text: 'y', style: { fg: '#ff0000', bg: '#010203' } },
      { text: 'z', style: { fg: '#ff0000', bg: '#010203' } },
    ]);
  });

  it('for any input, however chunked: never throws, never shows an ESC, keeps every other character in order', () => {
    const piece = fc.oneof(
      fc.string(),
      fc.constantFrom('\x1b', '\x1b[', '\x1b[31m', '\x1b[0m', '\x1b[38;5;', '\x1b]0;t\x07', '\x1b[1;2;3;999m', '<script>', '&amp;'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 5 }), (pieces, cuts) => {
        const text = pieces.join('');
        const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...points].map((start, i, all) => text.slice(start, all[i + 1] ?? text.length));
        const shown = readAll(chunks).map((segment) => segment.text).join('');
        expect(shown).not.toContain('\x1b');
        // What is shown is the input with some characters (escapes) taken out, in order.
        let at = 0;
        for (const char of shown) {
          at = text.indexOf(char, at);
          expect(at).toBeGreaterThanOrEqual(0);
          at += char.length;
        }
        // Without any ESC, nothing is dropped.
        if (!text.includes('\x1b')) expect(shown).toBe(text);
      }),
    );
  });
});
