import { describe, expect, it } from 'vitest';
import {
  COLOR_KEY,
  MAX_NAME_LENGTH,
  NAME_KEY,
  USER_COLORS,
  chooseJoinColor,
  colorForClient,
  isUserColor,
  loadIdentity,
  normalizeDisplayName,
  pickUserColor,
  sanitizeRemoteUser,
  saveIdentity,
} from '../../../client/presence/identity.ts';
import { createMemoryStore, createSafeStore } from '../../../client/storage.ts';

describe('normalizeDisplayName', () => {
  it('trims and collapses whitespace', () => {
    expect(normalizeDisplayName('  Ada \t  Lovelace \n')).toBe('Ada Lovelace');
  });

  it('keeps markup as plain characters (it is rendered as text)', () => {
    expect(normalizeDisplayName('<img src=x onerror=alert(1)>')).toBe('<img src=x onerror=alert(1)>');
  });

  it('drops control, zero-width and bidi override characters', () => {
    expect(normalizeDisplayName('Eve\u202Egnp.exe\u200B\u0007')).toBe('Eve gnp.exe');
  });

  it('caps the length in code points, not UTF-16 units', () => {
    const name = normalizeDisplayName('😀'.repeat(100));
    expect(Array.from(name)).toHaveLength(MAX_NAME_LENGTH);
    expect(name).toBe('😀'.repeat(MAX_NAME_LENGTH));
  });

  it('returns an empty string for a blank name', () => {
    expect(normalizeDisplayName(' \u200B\n ')).toBe('');
  });
});

describe('colours', () => {
  it('accepts only palette colours', () => {
    expect(isUserColor('#1a7f37')).toBe(true);
    expect(isUserColor('#123456')).toBe(false);
    expect(isUserColor('red')).toBe(false);
    expect(isUserColor('#fff')).toBe(false);
    expect(isUserColor('#1a7f37; background: url(https://evil)')).toBe(false);
    expect(isUserColor(42)).toBe(false);
  });

  it('picks every palette colour across the random range and never past the end', () => {
    expect(pickUserColor(() => 0)).toBe(USER_COLORS[0]);
    expect(pickUserColor(() => 0.999999)).toBe(USER_COLORS[USER_COLORS.length - 1]);
    expect(pickUserColor(() => 1)).toBe(USER_COLORS[USER_COLORS.length - 1]);
    const seen = new Set(Array.from({ length: USER_COLORS.length }, (_, i) => pickUserColor(() => i / USER_COLORS.length)));
    expect(seen.size).toBe(USER_COLORS.length);
  });

  it('derives a stable colour from a client id', () => {
    expect(colorForClient(12345)).toBe(colorForClient(12345));
    expect(USER_COLORS).toContain(colorForClient(-7));
  });
});

describe('chooseJoinColor', () => {
  const [red, blue, green] = USER_COLORS;

  it('keeps the stored colour when nobody in the room has it', () => {
    expect(chooseJoinColor(red, [])).toBe(red);
    expect(chooseJoinColor(red, [blue, green], () => 0.99)).toBe(red);
  });

  it('picks a free palette colour when the stored one is taken', () => {
    const taken = [red, blue, red];
    for (const r of [0, 0.3, 0.6, 0.999999, 1]) {
      const color = chooseJoinColor(red, taken, () => r);
      expect(USER_COLORS).toContain(color);
      expect(taken).not.toContain(color);
    }
    // `random` spreads the choice over every free colour.
    const free = USER_COLORS.length - 2;
    const seen = new Set(Array.from({ length: free }, (_, i) => chooseJoinColor(red, taken, () => i / free)));
    expect(seen.size).toBe(free);
  });

  it('takes the last free colour when only one is left', () => {
    const taken = USER_COLORS.filter((color) => color !== green);
    expect(chooseJoinColor(red, taken, () => 0.5)).toBe(green);
  });

  it('keeps the stored colour when every colour is taken', () => {
    expect(chooseJoinColor(blue, [...USER_COLORS, ...USER_COLORS])).toBe(blue);
  });

  it('ignores colours outside the palette among the others', () => {
    expect(chooseJoinColor(red, ['#123456', 'red'])).toBe(red);
  });
});

describe('stored identity', () => {
  it('has none on a first visit', () => {
    expect(loadIdentity(createMemoryStore())).toBeUndefined();
  });

  it('saves a cleaned name with a colour and keeps the colour when the name changes', () => {
    const store = createMemoryStore();
    const first = saveIdentity(store, '  Grace  Hopper ', () => 0.5);
    expect(first).toEqual({ name: 'Grace Hopper', color: USER_COLORS[6], colorLight: `${USER_COLORS[6]}33` });
    expect(loadIdentity(store)).toEqual(first);

    const renamed = saveIdentity(store, 'Grace', () => 0);
    expect(renamed.color).toBe(first.color);
    expect(store.getItem(NAME_KEY)).toBe('Grace');
  });

  it('refuses an empty name', () => {
    expect(() => saveIdentity(createMemoryStore(), '   ')).toThrow(/empty/);
  });

  it('replaces a tampered colour', () => {
    const store = createMemoryStore();
    store.setItem(NAME_KEY, 'Linus');
    store.setItem(COLOR_KEY, 'javascript:alert(1)');
    const identity = loadIdentity(store);
    expect(identity?.name).toBe('Linus');
    expect(USER_COLORS).toContain(identity?.color);
    expect(store.getItem(COLOR_KEY)).toBe(identity?.color);
  });
});

describe('sanitizeRemoteUser', () => {
  it('cleans what a peer sent', () => {
    expect(sanitizeRemoteUser({ name: '  Bob\u202E ', color: '#0969da', colorLight: 'whatever' }, 7)).toEqual({
      name: 'Bob',
      color: '#0969da',
      colorLight: '#0969da33',
    });
  });

  it('fills in a name and colour for malformed states', () => {
    for (const raw of [undefined, null, 'str', { name: 3, color: 'url(x)' }, { name: '   ' }]) {
      const user = sanitizeRemoteUser(raw, 1042);
      expect(user.name).toBe('Guest 42');
      expect(user.color).toBe(colorForClient(1042));
    }
  });

  it('caps very long names', () => {
    expect(Array.from(sanitizeRemoteUser({ name: 'x'.repeat(10_000) }, 1).name)).toHaveLength(MAX_NAME_LENGTH);
  });
});

describe('createSafeStore', () => {
  it('falls back to memory when storage throws', () => {
    const throwing = {
      getItem(): string | null {
        throw new Error('SecurityError');
      },
      setItem(): void {
        throw new Error('QuotaExceededError');
      },
      removeItem(): void {
        throw new Error('SecurityError');
      },
    };
    const store = createSafeStore(() => throwing);
    store.setItem('k', 'v');
    expect(store.getItem('k')).toBe('v');
    store.removeItem('k');
    expect(store.getItem('k')).toBeNull();
  });

  it('falls back to memory when storage cannot be opened', () => {
    const store = createSafeStore(() => {
      throw new Error('localStorage is disabled');
    });
    store.setItem('k', 'v');
    expect(store.getItem('k')).toBe('v');
  });
});
