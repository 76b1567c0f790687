import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../server/config.ts';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8000,
      host: '0.0.0.0',
      databaseUrl: undefined,
      sqlitePath: path.resolve('data', 'pairpad.db'),
      logLevel: 'info',
      corsOrigins: [],
      maxDocumentChars: 5 * 1024 * 1024,
      maxMessageBytes: 1024 * 1024,
      rateLimits: { roomCreate: 30, autocomplete: 600, connections: 300 },
      trustProxy: false,
      redisUrl: undefined,
      autocompleteModel: undefined,
      warmUpYjs: true,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(loadConfig({ YJS_WARM_UP: '0' }).warmUpYjs).toBe(false);
  });

  it('reads the run settings: defaults, RUNNER, and RUNNER_URL required with piston', () => {
    expect(loadConfig({}).runs).toEqual({
      runner: undefined,
      url: undefined,
      concurrency: 2,
      limits: { wallMs: 10_000, compileMs: 10_000, cpuMs: 10_000, memoryMb: 256, processes: 64, outputBytes: 1024 * 1024, fileSizeBytes: 16 * 1024 * 1024 },
    });
    expect(loadConfig({}).rateLimits.runs).toBe(30);
    const piston = loadConfig({ RUNNER: 'piston', RUNNER_URL: 'http://piston:2000', RUN_TIMEOUT_MS: '3000', RUN_CONCURRENCY: '4', RATE_LIMIT_RUNS: '0' });
    expect(piston.runs).toMatchObject({ runner: 'piston', url: 'http://piston:2000', concurrency: 4, limits: { wallMs: 3000, cpuMs: 3000 } });
    expect(piston.rateLimits.runs).toBe(0);
    expect(() => loadConfig({ RUNNER: 'piston' })).toThrow(/RUNNER_URL/);
    expect(() => loadConfig({ RUNNER: 'docker' })).toThrow(ConfigError);
    expect(() => loadConfig({ RUN_MEMORY_MB: '1' })).toThrow(/RUN_MEMORY_MB/);
    expect(() => loadConfig({ RUNNER_URL: 'ftp://x' })).toThrow(/RUNNER_URL/);
  });

  it('holds the SQLite file exclusively unless SQLITE_LOCKING says shared', () => {
    expect(loadConfig({}).sqliteExclusiveLocking).toBe(true);
    expect(loadConfig({ SQLITE_LOCKING: 'shared' }).sqliteExclusiveLocking).toBe(false);
    expect(() => loadConfig({ SQLITE_LOCKING: 'loose' })).toThrow(ConfigError);
  });

  it('reports every invalid variable at once', () => {
    const load = () =>
      loadConfig({ PORT: '70000', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', CORS_ORIGINS: 'not a url', AUTH_JWT_SECRET: 'short', YJS_WARM_UP: 'yes' });
    expect(load).toThrow(ConfigError);
    try {
      load();
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'CORS_ORIGINS', 'AUTH_JWT_SECRET', 'YJS_WARM_UP']) expect(message).toContain(name);
    }
  });

  it('reads the autocomplete budget and worker count, refusing nonsense', () => {
    expect(loadConfig({}).autocomplete).toEqual({ budgetMs: 50, workers: undefined, warmUp: true });
    expect(loadConfig({ AUTOCOMPLETE_BUDGET_MS: '120', AUTOCOMPLETE_WORKERS: '2' }).autocomplete).toEqual({ budgetMs: 120, workers: 2, warmUp: true });
    expect(loadConfig({ AUTOCOMPLETE_WARM_UP: '0' }).autocomplete.warmUp).toBe(false);
    for (const env of [{ AUTOCOMPLETE_BUDGET_MS: '0' }, { AUTOCOMPLETE_BUDGET_MS: 'soon' }, { AUTOCOMPLETE_WORKERS: '0' }, { AUTOCOMPLETE_WORKERS: '1.5' }, { AUTOCOMPLETE_WARM_UP: 'yes' }]) {
      expect(() => loadConfig(env), JSON.stringify(env)).toThrow(ConfigError);
    }
  });

  it('reads DATA_DIR, Postgres, CORS origins and the proxy trust', () => {
    const config = loadConfig({
      DATA_DIR: '/srv/pairpad',
      DATABASE_URL: 'postgres://u@db/pairpad',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      TRUST_PROXY: 'loopback,10.0.0.0/8',
    });
    expect(config.sqlitePath).toBe('/srv/pairpad/pairpad.db');
    expect(config.databaseUrl).toBe('postgres://u@db/pairpad');
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.trustProxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
  });

  it('tries spill directories in order: DATA_DIR/spill, then SPILL_DIRS, then the OS temp dir', () => {
    expect(loadConfig({ DATA_DIR: '/srv/pairpad' }).spillDirs).toEqual(['/srv/pairpad/spill', path.join(os.tmpdir(), 'pairpad-spill')]);
    expect(loadConfig({ DATA_DIR: '/srv/pairpad', SPILL_DIRS: '/mnt/a, /mnt/b,,/srv/pairpad/spill' }).spillDirs).toEqual([
      '/srv/pairpad/spill',
      '/mnt/a',
      '/mnt/b',
      path.join(os.tmpdir(), 'pairpad-spill'),
    ]);
  });
});
