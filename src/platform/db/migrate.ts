/** Applies the SQL migrations in ./migrations (drizzle-kit's journal) as the owner role. */
import { fileURLToPath } from 'node:url';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { Database } from './client.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations', import.meta.url));

/** Brings the schema up to date; safe to run on every start. */
export async function migrateDatabase(database: Database): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_DIR };
  if (database.kind === 'postgres') {
    // Several processes may start at once: one migrates, the others wait on the lock.
    await database.withAdvisoryLock(728412, () =>
      migratePg(database.db as unknown as NodePgDatabase, config),
    );
  } else {
    await migratePglite(database.db as unknown as PgliteDatabase, config);
  }
}
