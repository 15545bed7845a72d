/** Runs pending migrations with Kysely's Migrator (which takes a lock, so concurrent starts are safe). */
import { Migrator, type Kysely } from 'kysely';
import type { Logger } from '../shared/logger.ts';
import { staticMigrationProvider } from './migrations/index.ts';
import type { DB } from './schema.ts';

export async function migrateToLatest(db: Kysely<DB>, schema: string, logger?: Logger): Promise<string[]> {
  const migrator = new Migrator({ db, provider: staticMigrationProvider, migrationTableSchema: schema });
  const { error, results } = await migrator.migrateToLatest();
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (applied.length > 0) logger?.info({ applied, schema }, 'database migrated');
  return applied;
}
