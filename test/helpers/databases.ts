/**
 * Test databases: every integration suite runs on an in-memory PGlite and, when DATABASE_URL is
 * set, on a fresh PostgreSQL database of its own (created here, dropped afterwards).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { type Database, openDatabase } from '../../src/platform/db/client.ts';
import { migrateDatabase } from '../../src/platform/db/migrate.ts';

export type Backend = 'pglite' | 'postgres';

/** The backends to test on: PGlite always, PostgreSQL when DATABASE_URL is set. */
export function backends(): Backend[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDatabase {
  database: Database;
  url?: string;
  drop(): Promise<void>;
}

/**
 * The embedded database migrated once for the run (test/global-setup.ts writes it and names it
 * in BF_PGLITE_SNAPSHOT): each file's PGlite starts from it in about a second instead of
 * migrating for five. Without it (a file run outside the global setup) every file migrates.
 */
function migratedSnapshot(): Blob | undefined {
  const path = process.env.BF_PGLITE_SNAPSHOT;
  if (!path || !existsSync(path)) return undefined;
  snapshot ??= new Blob([readFileSync(path)]);
  return snapshot;
}
let snapshot: Blob | undefined;

/** A migrated database for one test file. */
export async function createTestDatabase(backend: Backend, poolSize = 8): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const database = await openDatabase({ pgliteSnapshot: migratedSnapshot() });
    // A no-op on the migrated snapshot; the whole migration without one.
    await migrateDatabase(database);
    return { database, drop: () => database.close() };
  }
  const adminUrl = process.env.DATABASE_URL!;
  const name = `bf_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize });
  await migrateDatabase(database);
  return {
    database,
    url: url.toString(),
    async drop() {
      await database.close();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
