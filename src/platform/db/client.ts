/**
 * One database handle for both backends: `pg` Pool when DATABASE_URL is set, the embedded
 * PGlite otherwise. Code above this file sees only the drizzle `PgDatabase` type.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { ConfigError, redactUrl } from '../../config/env.ts';
import { type DataDirLock, lockDataDir } from './data-dir-lock.ts';
import { markDatabaseUnavailable } from './errors.ts';
import * as schema from './schema.ts';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle: the same query API as Db. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Anything that can run queries. */
export type Queryable = Db | Tx;

export interface Database {
  kind: 'postgres' | 'pglite';
  db: Db;
  /** Runs a multi-statement SQL script as the connection's own (owner) role. */
  exec(script: string): Promise<void>;
  /** Runs fn while holding a session advisory lock (one process at a time). */
  withAdvisoryLock<T>(key: number, fn: () => Promise<T>): Promise<T>;
  /** Checks that the database answers. */
  ping(): Promise<void>;
  /** Connections of the PostgreSQL pool (metrics); absent on the embedded database. */
  poolStats?(): { total: number; idle: number; waiting: number };
  /** The exclusive lock on DATA_DIR of an embedded database on disk. */
  lock?: DataDirLock;
  /** The embedded database's data directory as a tarball (what `pgliteSnapshot` loads). */
  dumpDataDir?(): Promise<Blob>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  poolSize?: number;
  /** Longest wait for a new connection (then the query fails, and the request answers 503). */
  connectTimeoutMs?: number;
  /** Directory of the embedded database (locked with its parent, DATA_DIR); undefined means in memory. */
  pgliteDir?: string | undefined;
  /**
   * An in-memory embedded database starts from this data directory (a tarball from PGlite's
   * dumpDataDir): the test suite migrates once and starts every file's database from it.
   */
  pgliteSnapshot?: Blob | undefined;
}

const CONNECT_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS lookup failed)',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
};

/** Why a connection failed, in a few words (Node's AggregateError has no message, only a code). */
function connectFailure(error: unknown): string {
  const e = error as { code?: string; message?: string; errors?: { code?: string }[] };
  const code = e.code ?? e.errors?.[0]?.code;
  if (code && CONNECT_ERRORS[code]) return CONNECT_ERRORS[code];
  return (e.message || code || String(error)).split('\n')[0]!;
}

/** When another process takes over our DATA_DIR lock (we were frozen past its staleness): stop at once. */
function lockLost(error: Error): void {
  process.stderr.write(`lost the lock on DATA_DIR (${error.message}): stopping\n`);
  process.exit(2);
}

type ConnectCallback = (
  err: Error | undefined,
  client?: pg.PoolClient,
  done?: (release?: unknown) => void,
) => void;

/**
 * Marks every failure of the pool to hand out a connection (refused, timed out, server
 * starting or shutting down) so the HTTP error handler answers 503 `dependency_unavailable`
 * instead of 500. `pool.query` goes through `connect` with a callback, drizzle's transactions
 * through its promise form: both are covered.
 */
function markConnectFailures(pool: pg.Pool): void {
  const connect = pool.connect.bind(pool) as (cb?: ConnectCallback) => Promise<pg.PoolClient> | undefined;
  (pool as unknown as { connect: (cb?: ConnectCallback) => unknown }).connect = (cb?: ConnectCallback) => {
    if (cb) return connect((err, client, done) => cb(err ? markDatabaseUnavailable(err) : err, client, done));
    return (connect() as Promise<pg.PoolClient>).catch((error: unknown) => {
      throw markDatabaseUnavailable(error);
    });
  };
}

/** Opens the configured database. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 20,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 3000,
      // A connection whose server vanished without a FIN (host down, network cut) is noticed.
      keepAlive: true,
    });
    // An idle client's network error must not crash the process.
    pool.on('error', () => {});
    // Fail fast with one line naming the setting, not a driver stack trace at the first query.
    try {
      await pool.query('select 1');
    } catch (error) {
      await pool.end().catch(() => {});
      throw new ConfigError(
        `cannot connect to PostgreSQL at DATABASE_URL=${redactUrl(options.databaseUrl)}: ${connectFailure(error)}`,
      );
    }
    markConnectFailures(pool);
    const db = drizzlePg({ client: pool, schema }) as unknown as Db;
    return {
      kind: 'postgres',
      db,
      exec: async (script) => {
        await pool.query(script);
      },
      withAdvisoryLock: async (key, fn) => {
        const conn = await pool.connect();
        try {
          await conn.query('SELECT pg_advisory_lock($1)', [key]);
          return await fn();
        } finally {
          await conn.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => {});
          conn.release();
        }
      },
      ping: async () => {
        await pool.query('select 1');
      },
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      close: () => pool.end(),
    };
  }
  let lock: DataDirLock | undefined;
  if (options.pgliteDir) {
    mkdirSync(options.pgliteDir, { recursive: true });
    lock = await lockDataDir(dirname(options.pgliteDir), lockLost);
  }
  const client = options.pgliteDir
    ? new PGlite(options.pgliteDir)
    : new PGlite(options.pgliteSnapshot ? { loadDataDir: options.pgliteSnapshot } : {});
  try {
    await client.waitReady;
  } catch (error) {
    await lock?.release();
    throw error;
  }
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    exec: async (script) => {
      await client.exec(script);
    },
    // PGlite is opened by exactly one process (the DATA_DIR lock), so there is nobody to lock out.
    withAdvisoryLock: (_key, fn) => fn(),
    ping: async () => {
      await client.query('select 1');
    },
    ...(lock ? { lock } : {}),
    dumpDataDir: () => client.dumpDataDir('none'),
    close: async () => {
      await client.close();
      await lock?.release();
    },
  };
}

/** Runs raw SQL and returns its rows (both drivers answer with `{ rows }`). */
export async function queryRows<T>(q: Queryable, query: SQL): Promise<T[]> {
  const result = (await q.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** The tables a write of budget lines fills (their months are rows of budget_periods). */
export const LINE_TABLES = ['budget_lines', 'budget_periods'] as const;

/** Rows a write must reach before its tables' statistics are refreshed (see analyzeAfterBulkWrite). */
export const BULK_WRITE_ROWS = 500;

/**
 * After a committed bulk write (an import of thousands of rows), refreshes the planner's
 * statistics of the tables it wrote. Until autovacuum gets to them (and PGlite has no
 * autovacuum at all) the planner believes the new rows are not there, and joins them by nested
 * loop: a variance report on a just-imported 5,000-line budget took minutes. ANALYZE samples a
 * bounded number of rows (300 x the statistics target), so its cost does not grow with the
 * table. Runs as the connection's role (the tables' owner; `bf_app` may not analyse them); a
 * failure is reported, never thrown: the write has committed.
 */
export async function analyzeAfterBulkWrite(db: Db, tables: readonly string[], rows: number): Promise<void> {
  if (rows < BULK_WRITE_ROWS) return;
  try {
    for (const t of tables) await db.execute(sql`ANALYZE ${sql.identifier(t)}`);
  } catch (error) {
    const err = error instanceof Error ? error.message : String(error);
    const line = { level: 40, time: Date.now(), msg: 'ANALYZE after a bulk write failed', tables, err };
    process.stderr.write(`${JSON.stringify(line)}\n`);
  }
}
