/**
 * Under CI=true the real PostgreSQL and Redis must be configured and reachable: a missing one
 * fails the run instead of silently skipping the suites that need it.
 */
import { Redis } from 'ioredis';
import pg from 'pg';

export default async function setup(): Promise<void> {
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
}
