import { describe, expect, it } from 'vitest';
import { newClientKey } from '../../../client/room/client-key.ts';
import { isClientKeyFormat } from '../../../shared/protocol.ts';

describe('newClientKey', () => {
  it('makes keys the server accepts: 22 base64url characters (128 random bits), never the same twice', () => {
    const keys = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const key = newClientKey();
      expect(key).toHaveLength(22);
      expect(isClientKeyFormat(key)).toBe(true);
      keys.add(key);
    }
    expect(keys.size).toBe(2_000);
  });
});

describe('isClientKeyFormat', () => {
  it.each([
    ['a'.repeat(22), true],
    ['0123456789abcdef0123456789abcdef', true],
    ['A-_'.repeat(40) + 'abcdefgh', true],
    ['a'.repeat(21), false],
    ['a'.repeat(129), false],
    ['a'.repeat(21) + '=', false],
    ['a'.repeat(21) + '+', false],
    ['', false],
    [undefined, false],
  ])('%s: %s', (key, valid) => {
    expect(isClientKeyFormat(key)).toBe(valid);
  });
});
