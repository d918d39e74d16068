import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, startTestApp, TEST_SECRET, type TestApp, waitForJob } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { loadConfig } from '../../config/env.ts';
import { createPlatform, type Platform } from '../platform.ts';
import { tenantIdFromKey, withTenant } from '../tenancy/tenancy.ts';
import { backoffDelay } from './dispatchers.ts';
import { findJob } from './jobs.repository.ts';
import { PermanentJobError } from './queue.ts';

const ctxFor = (tenant: string) => ({
  tenantId: tenantIdFromKey(tenant),
  tenantKey: tenant,
  userId: 'job-user',
  roles: [],
  permissions: new Set<string>(),
});

describe('backoff', () => {
  it('doubles the delay after each failed attempt', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(60_000, n))).toEqual([60_000, 120_000, 240_000, 480_000]);
  });
});

const combos = backends().flatMap((b) => [
  [b, 'in-process'] as const,
  ...(process.env.REDIS_URL ? [[b, 'BullMQ'] as const] : []),
]);

describe.each(combos)('jobs on %s with the %s dispatcher', (backend, dispatcher) => {
  let t: TestApp;
  const tenant = newTenant();
  let token: string;
  const failuresLeft = new Map<string, number>();

  beforeAll(async () => {
    // An empty REDIS_URL means "unset": the in-process dispatcher.
    t = await startTestApp(backend, dispatcher === 'in-process' ? { REDIS_URL: '' } : {});
    token = await t.token(tenant);
    t.platform.queue.register<{ failTimes: number; key: string }>('test.flaky', async (run) => {
      await run.progress(40);
      const left = failuresLeft.get(run.payload.key) ?? run.payload.failTimes;
      if (left > 0) {
        failuresLeft.set(run.payload.key, left - 1);
        throw new Error(`transient failure, ${left} left`);
      }
      await run.progress(90);
      return { ok: true, attempt: run.attempt, user: run.userId };
    });
    t.platform.queue.register('test.bad-input', async () => {
      throw new PermanentJobError('row 3: amount is not a number');
    });
  });
  afterAll(() => t?.close());

  it('retries a failing job with backoff until it succeeds, keeping status, attempts, progress and result', async () => {
    const job = await t.platform.queue.enqueue(ctxFor(tenant), 'test.flaky', {
      failTimes: 2,
      key: randomBytes(4).toString('hex'),
    });
    const done = await waitForJob(t, token, job.id);
    expect(done).toMatchObject({ status: 'completed', attempts: 3, progress: 100, error: null });
    expect(done.result).toEqual({ ok: true, attempt: 3, user: 'job-user' });
  });

  it('runs a job 4 times by default (3 retries) and the job record shows each attempt with its times and error', async () => {
    const job = await t.platform.queue.enqueue(ctxFor(tenant), 'test.flaky', {
      failTimes: 9,
      key: randomBytes(4).toString('hex'),
    });
    const done = await waitForJob(t, token, job.id);
    expect(done).toMatchObject({
      status: 'failed',
      attempts: 4,
      max_attempts: 4,
      error: 'transient failure, 6 left',
    });
    const history = done.attempt_history as {
      attempt: number;
      started_at: string;
      finished_at: string;
      outcome: string;
      error: string;
    }[];
    expect(history.map((a) => [a.attempt, a.outcome, a.error])).toEqual([
      [1, 'retried', 'transient failure, 9 left'],
      [2, 'retried', 'transient failure, 8 left'],
      [3, 'retried', 'transient failure, 7 left'],
      [4, 'failed', 'transient failure, 6 left'],
    ]);
    for (const [i, a] of history.entries()) {
      expect(Date.parse(a.finished_at)).toBeGreaterThanOrEqual(Date.parse(a.started_at));
      if (i > 0)
        expect(Date.parse(a.started_at)).toBeGreaterThanOrEqual(Date.parse(history[i - 1]!.finished_at));
    }
    // The list shows the same record.
    const listed = (await t.call('GET', '/jobs?type=test.flaky', token)).json().items;
    expect(listed.find((j: { job_id: string }) => j.job_id === job.id).attempt_history).toEqual(history);
  });

  it('records a successful retry as retried then completed (no error on the last entry)', async () => {
    const job = await t.platform.queue.enqueue(ctxFor(tenant), 'test.flaky', {
      failTimes: 1,
      key: randomBytes(4).toString('hex'),
    });
    const done = await waitForJob(t, token, job.id);
    expect(
      done.attempt_history.map((a: { outcome: string; error: string | null }) => [a.outcome, a.error]),
    ).toEqual([
      ['retried', 'transient failure, 1 left'],
      ['completed', null],
    ]);
  });

  it('fails a job after its last attempt with the error', async () => {
    const job = await t.platform.queue.enqueue(
      ctxFor(tenant),
      'test.flaky',
      { failTimes: 5, key: randomBytes(4).toString('hex') },
      { maxAttempts: 2 },
    );
    const done = await waitForJob(t, token, job.id);
    expect(done).toMatchObject({ status: 'failed', attempts: 2, error: 'transient failure, 4 left' });
  });

  it('does not retry a permanent error', async () => {
    const job = await t.platform.queue.enqueue(ctxFor(tenant), 'test.bad-input', {});
    const done = await waitForJob(t, token, job.id);
    expect(done).toMatchObject({ status: 'failed', attempts: 1, error: 'row 3: amount is not a number' });
    expect(done.attempt_history).toMatchObject([
      { attempt: 1, outcome: 'failed', error: 'row 3: amount is not a number' },
    ]);
  });

  it("answers 404 for another tenant's job and lists only the tenant's own", async () => {
    const job = await t.platform.queue.enqueue(ctxFor(tenant), 'test.flaky', { failTimes: 0, key: 'x' });
    const other = await t.token(newTenant());
    expect((await t.call('GET', `/jobs/${job.id}`, other)).statusCode).toBe(404);
    expect((await t.call('GET', '/jobs', other)).json().items).toHaveLength(0);
    expect(
      (await t.call('GET', '/jobs?type=test.bad-input', token)).json().items.length,
    ).toBeGreaterThanOrEqual(1);
  });
});

describe.each(combos)('retry backoff on %s with the %s dispatcher', (backend, dispatcher) => {
  it("waits base x 2^(attempt-1) before each retry: the guide's 60 s x 2^retries, here with a 150 ms base", async () => {
    const base = 150;
    const t = await startTestApp(backend, {
      JOB_RETRY_BASE_MS: String(base),
      ...(dispatcher === 'in-process' ? { REDIS_URL: '' } : {}),
    });
    try {
      const tenant = newTenant();
      const token = await t.token(tenant);
      t.platform.queue.register('test.always-fails', async () => {
        throw new Error('down');
      });
      const job = await t.platform.queue.enqueue(ctxFor(tenant), 'test.always-fails', {});
      const done = await waitForJob(t, token, job.id);
      const h = done.attempt_history as { started_at: string; finished_at: string }[];
      expect(h).toHaveLength(4);
      // The pause between an attempt's end and the next one's start is at least the backoff
      // (timers never fire early); a constant delay would fail the 300 and 600 ms bounds.
      const gaps = h.slice(1).map((a, i) => Date.parse(a.started_at) - Date.parse(h[i]!.finished_at));
      for (const [i, gap] of gaps.entries()) expect(gap).toBeGreaterThanOrEqual(base * 2 ** i - 5);
    } finally {
      await t.close();
    }
  });
});

describe.runIf(process.env.REDIS_URL && process.env.DATABASE_URL)('jobs with Redis across a restart', () => {
  it('runs a job queued by a process that stopped before running it', async () => {
    const queueName = `bf-test-restart-${randomBytes(4).toString('hex')}`;
    const first = await startTestApp('postgres', { JOBS_IN_API: 'false', JOB_QUEUE_NAME: queueName });
    const tenant = newTenant();
    const token = await first.token(tenant);
    const job = await first.platform.queue.enqueue(ctxFor(tenant), 'test.echo', { value: 42 });
    expect((await first.call('GET', `/jobs/${job.id}`, token)).json().status).toBe('queued');
    await first.platform.queue.close();
    await first.app.close();
    const second = await startTestApp(
      'postgres',
      { JOB_QUEUE_NAME: queueName, JOBS_IN_API: 'false' },
      first.testDb,
    );
    try {
      second.platform.queue.register<{ value: number }>('test.echo', async (run) => ({
        echoed: run.payload.value,
      }));
      await second.platform.queue.start();
      const done = await waitForJob(second, token, job.id);
      expect(done).toMatchObject({ status: 'completed', result: { echoed: 42 } });
    } finally {
      await second.close();
      await first.platform.cache.close();
      await first.testDb.drop();
    }
  });
});

describe('the in-process queue after its process died (embedded database)', () => {
  it('re-runs a job left running (counted as an interrupted attempt) and fails one that was on its last attempt', async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'bf-jobs-restart-')),
      JWT_SECRET: TEST_SECRET,
      LOG_LEVEL: 'silent',
      JOB_RETRY_BASE_MS: '5',
      REDIS_URL: '',
    });
    const tenant = newTenant();
    const ctx = ctxFor(tenant);
    const status = (p: Platform, id: string) =>
      withTenant(p.database.db, ctx.tenantId, (tx) => findJob(tx, id));

    // The first process starts two jobs that never finish, then dies (no graceful end of the jobs).
    const first = await createPlatform(config);
    let started = 0;
    first.queue.register('test.hang', async () => {
      started++;
      await new Promise(() => {});
    });
    await first.queue.start();
    const retried = await first.queue.enqueue(ctx, 'test.hang', {});
    const last = await first.queue.enqueue(ctx, 'test.hang', {}, { maxAttempts: 1 });
    const deadline = Date.now() + 10_000;
    while (started < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect((await status(first, retried.id))?.status).toBe('running');
    await first.close();

    const second = await createPlatform(config);
    try {
      second.queue.register('test.hang', async () => ({ finished: true }));
      await second.queue.start();
      const until = Date.now() + 10_000;
      let a = await status(second, retried.id);
      let b = await status(second, last.id);
      while ((a?.status !== 'completed' || b?.status !== 'failed') && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 20));
        a = await status(second, retried.id);
        b = await status(second, last.id);
      }
      expect(a).toMatchObject({ status: 'completed', attempts: 2, result: { finished: true } });
      expect(a?.error).toMatch(/attempt 1 was interrupted/);
      expect(a?.attemptHistory).toMatchObject([
        {
          attempt: 1,
          outcome: 'interrupted',
          finished_at: null,
          error: expect.stringMatching(/interrupted/),
        },
        { attempt: 2, outcome: 'completed', error: null },
      ]);
      expect(b).toMatchObject({ status: 'failed', attempts: 1 });
      expect(b?.error).toMatch(/attempt 1 was interrupted .* and it was the last of 1/);
    } finally {
      await second.close();
    }
  });
});
