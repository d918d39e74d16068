/**
 * kill -9 of the real server while its job imports 100,000 actual rows (BullMQ on a Redis of the
 * test's own, PostgreSQL of its own): no row of the batch is ever visible before the import
 * commits, none remains after the crash, and the restarted server picks the job up again (the
 * dead attempt is detected as stalled), imports every row exactly once and records the
 * interrupted attempt on the job.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eServer, printOutputOnFailure, until, waitForJob } from '../e2e/server.ts';
import {
  type FaultEnv,
  faultToken,
  ledgerCsv,
  ownerQuery,
  startFaultServer,
  untilStatementRuns,
} from '../helpers/faults.ts';
import { pgClusterMissing, TestPgCluster } from '../helpers/pg-cluster.ts';
import { redisServerMissing, TestRedisServer } from '../helpers/redis-server.ts';

const missing = pgClusterMissing() ?? redisServerMissing();
if (missing && process.env.CI === 'true')
  throw new Error(`CI=true: the import-crash fault test must run, but ${missing}`);
if (missing) console.warn(`skipping the import-crash fault test: ${missing}`);

const ROWS = 100_000;
const DB = 'bf_kill_import';
const BATCH = 'gl-killed';

describe.skipIf(missing)('the server killed with SIGKILL while a job imports 100,000 actual rows', () => {
  let cluster: TestPgCluster;
  let redis: TestRedisServer;
  let env: FaultEnv;
  let server: E2eServer | undefined;
  printOutputOnFailure(() => server);

  beforeAll(async () => {
    [cluster, redis] = await Promise.all([TestPgCluster.start(), TestRedisServer.start()]);
    env = {
      DATABASE_URL: await cluster.createDatabase(DB),
      REDIS_URL: redis.url,
      JWT_SECRET: `faults-${randomBytes(24).toString('hex')}`,
      JOB_QUEUE_NAME: `bf-faults-${randomBytes(4).toString('hex')}`,
      // The successor takes over a dead worker's job once its lock lapses (5 s) plus one check.
      // Not less: a busy import may keep its own event loop from renewing the lock for a second.
      JOB_STALL_TIMEOUT_MS: '5000',
      // BullMQ's first command loads its scripts: on the loaded 2-core CI machine that took > 2 s.
      REDIS_TIMEOUT_MS: '5000',
    };
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await redis?.stop();
    await cluster?.destroy();
  });

  /** Rows and cents of the batch that are committed (what any other reader can see). */
  const committed = async () =>
    (
      await ownerQuery<{ rows: number; cents: string | null; batches: number }>(
        env.DATABASE_URL,
        `SELECT (SELECT count(*)::int FROM actuals a JOIN actual_batches b ON b.tenant_id = a.tenant_id AND b.id = a.batch_id WHERE b.batch_key = $1) AS rows,
                (SELECT (sum(a.amount) * 100)::bigint::text FROM actuals a JOIN actual_batches b ON b.tenant_id = a.tenant_id AND b.id = a.batch_id WHERE b.batch_key = $1) AS cents,
                (SELECT count(*)::int FROM actual_batches WHERE batch_key = $1) AS batches`,
        [BATCH],
      )
    )[0]!;

  it('shows nothing partial, and the restarted server imports every row exactly once', async () => {
    const { csv, totalCents } = ledgerCsv(ROWS);
    const tenant = `faults-${randomBytes(4).toString('hex')}`;
    const token = await faultToken(env, tenant);
    const first = await startFaultServer(env);
    server = first;
    const queued = await first.call('POST', `/actuals/imports?batch_key=${BATCH}&file_name=gl.csv`, {
      token,
      body: csv,
      contentType: 'text/csv',
      timeoutMs: 60_000,
    });
    expect(queued.status, queued.text).toBe(202);
    const jobId = queued.json.job_id as string;

    // The job's transaction is writing rows; other readers still see none of them.
    let done: string | undefined;
    const watch = until(
      'job finished',
      async () => {
        const job = (await first.call('GET', `/jobs/${jobId}`, { token })).json;
        if (['completed', 'failed'].includes(job.status)) done = `job ${job.status} before the kill`;
        return done;
      },
      120_000,
    ).catch(() => undefined);
    await untilStatementRuns(cluster, DB, 'insert into actuals', () => done, 60_000);
    expect(await committed()).toMatchObject({ rows: 0, batches: 0 });
    await first.kill('SIGKILL');
    void watch;
    expect(await committed()).toEqual({ rows: 0, cents: null, batches: 0 });

    server = await startFaultServer(env);
    const job = await waitForJob(server, token, jobId, 90_000);
    expect(job, `${job.error} ${JSON.stringify(job.attempt_log ?? job.attempts_log ?? '')}`).toMatchObject({
      status: 'completed',
      attempts: 2,
      result: { batch_key: BATCH, row_count: ROWS },
    });
    expect(job.error).toMatch(/attempt 1 was interrupted/);
    expect(await committed()).toEqual({ rows: ROWS, cents: String(totalCents), batches: 1 });
  }, 240_000);
});
