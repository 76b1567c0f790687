import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutToBytes, OutputCap } from '../../../server/run/output-cap.ts';
import { languageOfPistonRuntime } from '../../../server/run/piston/piston-runner.ts';

describe('OutputCap', () => {
  it('for any chunks and limit: passes on a prefix of the output, at most the limit in UTF-8 bytes, whole characters only, truncated iff something was dropped', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('stdout' as const, 'stderr' as const), fc.string({ unit: 'grapheme' })), { maxLength: 20 }),
        fc.nat(200),
        (chunks, limit) => {
          const passed: string[] = [];
          const cap = new OutputCap(limit, (_stream, chunk) => passed.push(chunk));
          for (const [stream, chunk] of chunks) cap.write(stream, chunk);
          const all = chunks.map(([, chunk]) => chunk).join('');
          const kept = passed.join('');
          expect(all.startsWith(kept)).toBe(true);
          expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(limit);
          expect(cap.truncated).toBe(kept.length < all.length);
        },
      ),
    );
  });

  it('cuts between characters', () => {
    expect(cutToBytes('aé€😀', 1)).toBe('a');
    expect(cutToBytes('aé€😀', 2)).toBe('a');
    expect(cutToBytes('aé€😀', 3)).toBe('aé');
    expect(cutToBytes('aé€😀', 9)).toBe('aé€');
    expect(cutToBytes('aé€😀', 10)).toBe('aé€😀');
  });
});

describe('languageOfPistonRuntime', () => {
  it('maps Piston\'s names and aliases to room languages', () => {
    expect(languageOfPistonRuntime({ language: 'python', version: '3.10.0', aliases: ['py'] })).toBe('python');
    expect(languageOfPistonRuntime({ language: 'c++', version: '10.2.0', aliases: ['cpp', 'g++'] })).toBe('cpp');
    expect(languageOfPistonRuntime({ language: 'bash', version: '5.2.0', aliases: ['sh'] })).toBe('shell');
    expect(languageOfPistonRuntime({ language: 'javascript', version: '18.15.0', aliases: ['node-javascript'], runtime: 'node' })).toBe('javascript');
    expect(languageOfPistonRuntime({ language: 'brainfuck', version: '2.7.3', aliases: ['bf'] })).toBeUndefined();
  });
});
