/**
 * Under CI=true the real PostgreSQL and Redis must be configured and reachable: a missing one
 * fails the run instead of silently skipping the suites that need it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { openDatabase } from '../src/platform/db/client.ts';
import { migrateDatabase } from '../src/platform/db/migrate.ts';

export default async function setup(): Promise<() => void> {
  const ci = process.env.CI === 'true';
  const { DATABASE_URL, REDIS_URL } = process.env;
  if (ci && (!DATABASE_URL || !REDIS_URL)) {
    throw new Error(
      'CI=true needs DATABASE_URL and REDIS_URL: the integration suites must run on real PostgreSQL and Redis',
    );
  }
  if (DATABASE_URL) {
    const c = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5000 });
    try {
      await c.connect();
      await c.query('select 1');
    } catch (error) {
      throw new Error(`DATABASE_URL is set but PostgreSQL is unreachable: ${(error as Error).message}`);
    } finally {
      await c.end().catch(() => {});
    }
  }
  if (REDIS_URL) {
    const r = new Redis(REDIS_URL, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 5000,
      retryStrategy: () => null,
    });
    try {
      await r.connect();
      await r.ping();
    } catch (error) {
      throw new Error(`REDIS_URL is set but Redis is unreachable: ${(error as Error).message}`);
    } finally {
      r.disconnect();
    }
  }
  const dir = await writeMigratedSnapshot();
  return () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}

/**
 * Migrates one in-memory PGlite and dumps its data directory for the test files to start from
 * (test/helpers/databases.ts): migrating each file's PGlite took ~5 s, ~90 files a run. The
 * snapshot is the same migrations, so nothing is tested on a schema the code would not make.
 */
async function writeMigratedSnapshot(): Promise<string | undefined> {
  const database = await openDatabase({});
  try {
    await migrateDatabase(database);
    if (!database.dumpDataDir) return undefined;
    const dir = mkdtempSync(join(tmpdir(), 'bf-pglite-snapshot-'));
    const file = join(dir, 'migrated.tar');
    writeFileSync(file, Buffer.from(await (await database.dumpDataDir()).arrayBuffer()));
    process.env.BF_PGLITE_SNAPSHOT = file;
    return dir;
  } finally {
    await database.close();
  }
}
