import { describe, expect, it } from 'vitest';
import { trimModelText } from '../../../server/autocomplete/model-text.ts';

describe('trimming a model completion', () => {
  it('stops at the end of the line when the line already has code', () => {
    expect(trimModelText('items.append(x)\n    return items\n', '    for x in xs: ', '')).toBe('items.append(x)');
  });

  it('keeps a whole block when starting on an empty line', () => {
    const raw = 'for x in xs:\n        total += x\n    return total\n\ndef other():\n';
    expect(trimModelText(raw, 'def f(xs):\n    ', '')).toBe('for x in xs:\n        total += x\n    return total');
  });

  it('stops where the indentation drops below the block', () => {
    expect(trimModelText('x = 1\n    y = 2\nz = 3', '    ', '')).toBe('x = 1\n    y = 2');
  });

  it('drops text that repeats what follows the cursor', () => {
    expect(trimModelText('name)', 'print(', ')\n')).toBe('name');
  });
});
