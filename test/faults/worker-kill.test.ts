/**
 * kill -9 of a `bf worker` process while it runs a 50,000-row actuals import job (the API
 * server only enqueues: JOBS_IN_API=false; BullMQ on a Redis of the test's own, PostgreSQL of
 * its own): a second `bf worker` takes the stalled job over, and the import takes effect
 * exactly once (every row once, the exact total, one batch), with the interrupted attempt on
 * the job record. test/stalled-jobs.test.ts covers the queue mechanics with a fixture worker;
 * this is the real worker and a real job with an effect.
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
  startWorkerProcess,
  untilStatementRuns,
  type WorkerProcess,
} from '../helpers/faults.ts';
import { pgClusterMissing, TestPgCluster } from '../helpers/pg-cluster.ts';
import { redisServerMissing, TestRedisServer } from '../helpers/redis-server.ts';

const missing = pgClusterMissing() ?? redisServerMissing();
if (missing && process.env.CI === 'true')
  throw new Error(`CI=true: the worker-crash fault test must run, but ${missing}`);
if (missing) console.warn(`skipping the worker-crash fault test: ${missing}`);

const ROWS = 50_000;
const DB = 'bf_kill_worker';
const BATCH = 'gl-worker-killed';

describe.skipIf(missing)('a bf worker killed with SIGKILL mid-job', () => {
  let cluster: TestPgCluster;
  let redis: TestRedisServer;
  let env: FaultEnv;
  let server: E2eServer | undefined;
  const workers: WorkerProcess[] = [];
  printOutputOnFailure(() => server);

  beforeAll(async () => {
    [cluster, redis] = await Promise.all([TestPgCluster.start(), TestRedisServer.start()]);
    env = {
      DATABASE_URL: await cluster.createDatabase(DB),
      REDIS_URL: redis.url,
      JWT_SECRET: `faults-${randomBytes(24).toString('hex')}`,
      JOB_QUEUE_NAME: `bf-faults-${randomBytes(4).toString('hex')}`,
      JOB_STALL_TIMEOUT_MS: '5000',
      REDIS_TIMEOUT_MS: '5000',
    };
  }, 120_000);
  afterAll(async () => {
    for (const w of workers) await w.kill();
    await server?.stop();
    await redis?.stop();
    await cluster?.destroy();
  });

  it('is retried by another worker and takes effect exactly once', async () => {
    const { csv, totalCents } = ledgerCsv(ROWS);
    const token = await faultToken(env, `faults-${randomBytes(4).toString('hex')}`);
    server = await startFaultServer({ ...env, JOBS_IN_API: 'false' });
    const first = await startWorkerProcess(env);
    workers.push(first);
    const queued = await server.call('POST', `/actuals/imports?batch_key=${BATCH}&async=true`, {
      token,
      body: csv,
      contentType: 'text/csv',
      timeoutMs: 60_000,
    });
    expect(queued.status, queued.text).toBe(202);
    const jobId = queued.json.job_id as string;
    let done: string | undefined;
    const s = server;
    void until(
      'job finished',
      async () => {
        const job = (await s.call('GET', `/jobs/${jobId}`, { token })).json;
        if (['completed', 'failed'].includes(job.status)) done = `job ${job.status} before the kill`;
        return done;
      },
      120_000,
    ).catch(() => undefined);
    await untilStatementRuns(cluster, DB, 'insert into actuals', () => done, 60_000);
    await first.kill('SIGKILL');

    const second = await startWorkerProcess(env);
    workers.push(second);
    const job = await waitForJob(server, token, jobId, 90_000);
    expect(job, `${job.error}`).toMatchObject({
      status: 'completed',
      attempts: 2,
      result: { batch_key: BATCH, row_count: ROWS },
    });
    expect(job.error).toMatch(/attempt 1 was interrupted/);
    const [effect] = await ownerQuery<{ rows: number; cents: string; batches: number }>(
      env.DATABASE_URL,
      `SELECT count(*)::int AS rows, (sum(a.amount) * 100)::bigint::text AS cents, count(DISTINCT b.id)::int AS batches
         FROM actuals a JOIN actual_batches b ON b.tenant_id = a.tenant_id AND b.id = a.batch_id
        WHERE b.batch_key = $1`,
      [BATCH],
    );
    expect(effect).toEqual({ rows: ROWS, cents: String(totalCents), batches: 1 });
  }, 240_000);
});
