import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import { migrations } from '../../migrations/index.ts';

/** Brings the schema up to date with `migrations/`; the result says which ran and any error. */
export function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  return migrator.migrateToLatest();
}

/** Throws an error naming the failed migration; otherwise returns the names that ran. */
export function checkMigrationResult(result: MigrationResultSet): string[] {
  if (result.error) {
    const failed = result.results?.find((migration) => migration.status === 'Error');
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`Migration ${failed?.migrationName ?? '(none ran)'} failed: ${cause}`, { cause: result.error });
  }
  return (result.results ?? []).map((migration) => migration.migrationName);
}
