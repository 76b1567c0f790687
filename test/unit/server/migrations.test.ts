import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../../migrations/index.ts';

describe('migrations/index.ts', () => {
  it('lists every migration file under its own name, in file-name order', () => {
    const files = readdirSync(new URL('../../../migrations/', import.meta.url))
      .filter((file) => /^\d{4}_\d{2}_\d{2}_\d{6}_[a-z_]+\.ts$/.test(file))
      .map((file) => file.replace(/\.ts$/, ''))
      .sort();
    expect(Object.keys(migrations)).toEqual(files);
    for (const migration of Object.values(migrations)) expect(typeof migration.up).toBe('function');
  });
});
