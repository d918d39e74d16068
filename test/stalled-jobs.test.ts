/**
 * A job whose process is killed with SIGKILL mid-run (PostgreSQL + BullMQ): BullMQ's stalled-job
 * check hands it to another worker, and the durable job row records the interrupted attempt.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tenantIdFromKey } from '../src/platform/tenancy/tenancy.ts';
import { newTenant, startTestApp, TEST_SECRET, type TestApp, waitForJob } from './helpers/app.ts';
import { redisServerMissing, TestRedisServer } from './helpers/redis-server.ts';

const missing = redisServerMissing();
if (missing && process.env.CI === 'true')
  throw new Error(`CI=true: the stalled-job test must run, but ${missing}`);
if (missing) console.warn(`skipping the stalled-job test: ${missing}`);

const ctxFor = (tenant: string) => ({
  tenantId: tenantIdFromKey(tenant),
  tenantKey: tenant,
  userId: 'job-user',
  roles: [],
  permissions: new Set<string>(),
});

/** Resolves with the first stdout line of `child` that matches. */
function line(child: ChildProcess, match: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const found = buffer.split('\n').find((l) => match.test(l));
      if (found) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before printing ${match}`)));
  });
}

describe.runIf(process.env.DATABASE_URL && !missing)('a job whose worker is killed with SIGKILL', () => {
  let t: TestApp | undefined;
  let redis: TestRedisServer | undefined;
  let child: ChildProcess | undefined;
  afterAll(async () => {
    child?.kill('SIGKILL');
    await t?.close();
    await redis?.stop();
  });

  it('is detected as stalled, retried by another worker, and its row says the attempt was interrupted', async () => {
    redis = await TestRedisServer.start();
    const queueName = `bf-test-stall-${Date.now()}`;
    const env = { REDIS_URL: redis.url, JOB_QUEUE_NAME: queueName, JOB_STALL_TIMEOUT_MS: '1000' };
    t = await startTestApp('postgres', { ...env, JOBS_IN_API: 'false' });
    child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'fixtures/hanging-worker.ts')],
      {
        env: {
          ...process.env,
          ...env,
          DATABASE_URL: t.testDb.url!,
          DATA_DIR: mkdtempSync(join(tmpdir(), 'bf-stall-')),
          JWT_SECRET: TEST_SECRET,
          TEST_REDIS_PREFIX: t.platform.keyPrefix,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await line(child, /^ready$/);
    const tenant = newTenant();
    const token = await t.token(tenant);
    const running = line(child, /^running /);
    const job = await t.platform.queue.enqueue(ctxFor(tenant), 'test.hang', {});
    await running;
    expect((await t.call('GET', `/jobs/${job.id}`, token)).json()).toMatchObject({
      status: 'running',
      attempts: 1,
    });

    child.kill('SIGKILL');
    const killedAt = Date.now();
    // Another worker (this process) takes over once the dead worker's lock has expired.
    t.platform.queue.register('test.hang', async () => ({ finished: true }));
    await t.platform.queue.start();
    const done = await waitForJob(t, token, job.id, 30_000);
    expect(done).toMatchObject({ status: 'completed', attempts: 2, result: { finished: true } });
    expect(done.error).toMatch(/attempt 1 was interrupted/);
    // Lock (1 s) plus one stalled-check interval (1 s), with slack for a loaded machine.
    expect(Date.now() - killedAt).toBeLessThan(15_000);
  });
});
