/**
 * What the fault suite (test/faults/) shares: the real server against a PostgreSQL cluster of the
 * test's own (and optionally a Redis of its own), restarted on the same database after a crash,
 * and owner queries on that cluster to see what was committed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import pg from 'pg';
import { type E2eServer, startServer } from '../e2e/server.ts';
import type { TestPgCluster } from './pg-cluster.ts';

/** Settings shared by the server and its successor after a crash (same database, queue, secret). */
export interface FaultEnv {
  DATABASE_URL: string;
  JWT_SECRET: string;
  JOB_QUEUE_NAME: string;
  REDIS_URL?: string;
  [key: string]: string | undefined;
}

/** Starts the real server (`npm start`'s entry point) with `env` on our own cluster. */
export function startFaultServer(env: FaultEnv): Promise<E2eServer> {
  // The 'pglite' launcher creates no database of its own and sets no Redis: env names ours.
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  return startServer('pglite', { redisDb: 0, env: { REDIS_URL: '', ...clean } });
}

/** An admin token of `tenant` signed with the shared JWT_SECRET (valid for every server of `env`). */
export function faultToken(env: FaultEnv, tenant: string, roles = ['admin']): Promise<string> {
  return new SignJWT({ tenant_id: tenant, roles, permissions: [] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('fault-admin')
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + 900)
    .sign(new TextEncoder().encode(env.JWT_SECRET));
}

/** One owner query on the cluster's database (superuser: RLS does not hide rows). */
export async function ownerQuery<T extends pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

/**
 * Polls pg_stat_activity until a transaction of the server is running a statement that matches
 * `query` (a regular expression), i.e. the write is in flight and not committed.
 */
export async function untilStatementRuns(
  cluster: TestPgCluster,
  database: string,
  query: string,
  /** Says why to stop waiting (the request already answered), or undefined to keep polling. */
  gaveUp: () => string | undefined = () => undefined,
  timeoutMs = 30_000,
): Promise<string> {
  const c = new pg.Client({ connectionString: cluster.url() });
  await c.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await c.query<{ query: string }>(
        `SELECT query FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND query ~* $2`,
        [database, query],
      );
      if (rows[0]) return rows[0].query;
      const why = gaveUp();
      if (why) throw new Error(`no statement matching ${query} ran: ${why}`);
      if (Date.now() > deadline) throw new Error(`no statement matching ${query} ran within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    await c.end();
  }
}

/** `rows` ledger rows over 12 months of last year (CSV with a header) and their exact total in cents. */
export function ledgerCsv(rows: number): { csv: string; totalCents: bigint } {
  const year = new Date().getUTCFullYear() - 1;
  const lines = ['period,gl_account,department,amount,currency'];
  let totalCents = 0n;
  for (let i = 0; i < rows; i++) {
    const cents = 100 + ((i * 7919) % 100_000);
    totalCents += BigInt(cents);
    const month = String((i % 12) + 1).padStart(2, '0');
    const amount = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
    lines.push(`${year}-${month},${6000 + (i % 50)},OPS,${amount},USD`);
  }
  return { csv: `${lines.join('\n')}\n`, totalCents };
}

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** SIGKILL (a crash) by default; waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `bf worker` (the CLI through tsx) with `env` and waits for its "worker consuming" line. */
export async function startWorkerProcess(env: FaultEnv, timeoutMs = 180_000): Promise<WorkerProcess> {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'worker'], {
    cwd: join(import.meta.dirname, '..', '..'),
    env: {
      ...(process.env as Record<string, string>),
      LOG_LEVEL: 'warn',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'bf-worker-')),
      ...clean,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  process.once('exit', () => child.kill('SIGKILL'));
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`bf worker not consuming after ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    const onData = (d: Buffer) => {
      out = (out + d.toString()).slice(-64 * 1024);
      if (/worker consuming/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`bf worker exited (${code}) before consuming:\n${out}`)));
  });
  return {
    child,
    output: () => out,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill(signal);
      await gone;
    },
  };
}
