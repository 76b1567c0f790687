import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Postgres for tests: `TEST_DATABASE_URL`, or undefined to run on SQLite only. */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL || undefined;

/** Redis for scale-out tests: `TEST_REDIS_URL`, or undefined to skip them. */
export const testRedisUrl = process.env.TEST_REDIS_URL || undefined;

/** A fresh, empty Postgres database for one test file; `drop()` removes it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!testDatabaseUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `pairpad_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: testDatabaseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** The dialects a storage test runs on: SQLite always, Postgres when configured. */
export const dialects: ('sqlite' | 'postgres')[] = testDatabaseUrl ? ['sqlite', 'postgres'] : ['sqlite'];
