import { loadConfig } from './config.ts';
import { openStorageWhenFree, type Storage } from './storage/database.ts';
import { checkMigrationResult, migrateToLatest } from './storage/migrator.ts';

// `npm run migrate`: bring the configured database's schema up to date and exit.
let storage: Storage | undefined;
try {
  storage = await openStorageWhenFree(loadConfig(process.env), (message) => process.stderr.write(`${message}\n`));
  const ran = checkMigrationResult(await migrateToLatest(storage.db));
  process.stdout.write(ran.length > 0 ? `Applied: ${ran.join(', ')}\n` : 'Schema already up to date.\n');
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await storage?.db.destroy();
}
