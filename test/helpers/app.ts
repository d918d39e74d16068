/** An in-process app over a test database, with helpers to sign tokens and call the API. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import { buildApp } from '../../src/app/app.ts';
import { type AppConfig, loadConfig } from '../../src/config/env.ts';
import { signToken } from '../../src/platform/auth/jwt.ts';
import { API_PREFIX } from '../../src/platform/http/types.ts';
import { createPlatform, type Platform } from '../../src/platform/platform.ts';
import { type Backend, createTestDatabase, type TestDatabase } from './databases.ts';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export interface TokenOptions {
  roles?: string[];
  permissions?: string[];
  user?: string;
  ttl?: number;
}

export interface TestApp {
  backend: Backend;
  platform: Platform;
  app: Awaited<ReturnType<typeof buildApp>>['app'];
  services: Awaited<ReturnType<typeof buildApp>>['services'];
  testDb: TestDatabase;
  config: AppConfig;
  token(tenant: string, options?: TokenOptions): Promise<string>;
  /** Calls the API under /api/budgeting-forecasting with a bearer token. */
  call(
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** Starts an app on a fresh database of the given backend (or on `shared`, another app's database). */
export async function startTestApp(
  backend: Backend,
  env: Record<string, string> = {},
  shared?: TestDatabase,
): Promise<TestApp> {
  const testDb = shared ?? (await createTestDatabase(backend));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'bf-test-')),
    JWT_SECRET: TEST_SECRET,
    LOG_LEVEL: 'silent',
    JOB_RETRY_BASE_MS: '5',
    JOB_QUEUE_NAME: `bf-test-${randomBytes(4).toString('hex')}`,
    ...(testDb.url ? { DATABASE_URL: testDb.url } : {}),
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...env,
  });
  const platform = await createPlatform(config, {
    database: testDb.database,
    redisPrefix: `bf-test-${randomBytes(4).toString('hex')}:`,
  });
  const { app, services } = await buildApp(platform);
  await app.ready();
  return {
    backend,
    platform,
    app,
    services,
    testDb,
    config,
    token: (tenant, o = {}) =>
      signToken(
        TEST_SECRET,
        {
          sub: o.user ?? 'user-1',
          tenant_id: tenant,
          roles: o.roles ?? (o.permissions ? [] : ['admin']),
          permissions: o.permissions ?? [],
        },
        o.ttl ?? 600,
      ),
    call: (method, path, token, body) =>
      app.inject({
        method: method as 'GET',
        url: `${API_PREFIX}${path}`,
        headers: token ? { authorization: `Bearer ${token}` } : {},
        ...(body !== undefined ? { payload: body as object } : {}),
      }),
    async close() {
      await app.close();
      await platform.close();
      if (!shared) await testDb.drop();
    },
  };
}

/** Listens on a random port of 127.0.0.1 (real sockets); returns the API's base URL. */
export async function listenTestApp(t: TestApp): Promise<{ origin: string; api: string }> {
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  return { origin: address, api: `${address}${API_PREFIX}` };
}

/** A fresh tenant key, so suites never share data by accident. */
export function newTenant(): string {
  return `t-${uuidv7()}`;
}

/** A valid budget body for tests. */
export function budgetBody(overrides: Record<string, unknown> = {}) {
  return {
    budget_name: `Budget ${randomBytes(4).toString('hex')}`,
    budget_type: 'annual',
    fiscal_year: String(new Date().getUTCFullYear() + 1),
    total_amount: '100000.00',
    base_currency: 'USD',
    ...overrides,
  };
}

/** A valid line body for tests. */
export function lineBody(overrides: Record<string, unknown> = {}) {
  return { line_name: 'Salaries', line_type: 'expense', category: 'people', amount: '1000.00', ...overrides };
}

/** Polls a job until it is completed or failed (a condition, not a fixed sleep). */
export async function waitForJob(t: TestApp, token: string, jobId: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.call('GET', `/jobs/${jobId}`, token);
    const job = res.json();
    if (job.status === 'completed' || job.status === 'failed') return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
