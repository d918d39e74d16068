/**
 * ML_ENABLED, AI_RECOMMENDATIONS_ENABLED and REAL_TIME_COLLABORATION_ENABLED switch their
 * features off for real: 404 `feature_disabled` naming the setting on every route of the
 * module (before authentication), 4503 on the collaboration socket, queued jobs failing at
 * once instead of running, and the OpenAPI document saying so. The same routes answer on an
 * app with the defaults over the same database.
 */
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRAIN_JOB } from '../src/modules/forecasting/index.ts';
import { RECOMMENDATIONS_JOB } from '../src/modules/recommendations/index.ts';
import { tenantIdFromKey } from '../src/platform/tenancy/tenancy.ts';
import { budgetBody, newTenant, startTestApp, type TestApp, waitForJob } from './helpers/app.ts';
import { backends } from './helpers/databases.ts';
import { connect, listen } from './helpers/ws-client.ts';

describe.each(backends())('feature flags on %s', (backend) => {
  let off: TestApp;
  let on: TestApp;
  const tenant = newTenant();
  let token: string;
  let budgetId: string;

  beforeAll(async () => {
    off = await startTestApp(backend, {
      ML_ENABLED: 'false',
      AI_RECOMMENDATIONS_ENABLED: 'false',
      REAL_TIME_COLLABORATION_ENABLED: 'false',
    });
    on = await startTestApp(backend, {}, off.testDb);
    token = await off.token(tenant);
    const created = await on.call('POST', '/budgets', token, budgetBody());
    expect(created.statusCode).toBe(201);
    budgetId = created.json().budget_id;
  }, 60_000);
  afterAll(async () => {
    await on?.close();
    await off?.close();
  });

  const disabled = (setting: string, subject: string) => ({
    code: 'feature_disabled',
    message: `${subject} disabled on this server (${setting}=false)`,
    errors: [
      {
        path: setting,
        code: 'feature_disabled',
        message: `${subject} disabled on this server (${setting}=false)`,
      },
    ],
  });

  it.each([
    ['AI_RECOMMENDATIONS_ENABLED', 'Recommendations are', 'POST', '/budgets/:id/recommendations', {}],
    ['AI_RECOMMENDATIONS_ENABLED', 'Recommendations are', 'GET', '/budgets/:id/recommendations', undefined],
    ['ML_ENABLED', 'Forecasting is', 'GET', '/forecasting/models', undefined],
    ['ML_ENABLED', 'Forecasting is', 'POST', '/forecasting/models', { name: 'm', algorithm: 'snaive' }],
    ['ML_ENABLED', 'Forecasting is', 'GET', '/budgets/:id/rolling-forecast?as_of=2026-06', undefined],
    [
      'REAL_TIME_COLLABORATION_ENABLED',
      'Real-time collaboration is',
      'GET',
      '/collaboration/sessions',
      undefined,
    ],
    [
      'REAL_TIME_COLLABORATION_ENABLED',
      'Real-time collaboration is',
      'GET',
      '/budgets/:id/comments',
      undefined,
    ],
  ])(
    '%s=false: %s %s answers 404 feature_disabled naming the setting; with the default it does not',
    async (setting, subject, method, path, body) => {
      const url = path.replace(':id', budgetId);
      const res = await off.call(method, url, token, body);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject(disabled(setting, subject));
      // Before authentication: a disabled feature is the same for everyone.
      expect((await off.call(method, url, undefined, body)).json().code).toBe('feature_disabled');
      const enabled = await on.call(method, url, token, body);
      expect(enabled.json().code).not.toBe('feature_disabled');
      expect(enabled.statusCode).toBeLessThan(500);
    },
  );

  it('REAL_TIME_COLLABORATION_ENABLED=false: the collaboration socket is closed with 4503 and the setting named', async () => {
    const base = await listen(off);
    const socket = await connect(base, uuidv7(), token);
    expect(await socket.closed).toEqual({
      code: 4503,
      reason: 'Real-time collaboration is disabled on this server (REAL_TIME_COLLABORATION_ENABLED=false)',
    });
  });

  it('queued jobs of a disabled feature fail at once with the message instead of running', async () => {
    const ctx = {
      tenantId: tenantIdFromKey(tenant),
      tenantKey: tenant,
      userId: 'user-1',
      roles: ['admin'],
      permissions: new Set<string>(),
    };
    for (const [type, message] of [
      [RECOMMENDATIONS_JOB, 'Recommendations are disabled on this server (AI_RECOMMENDATIONS_ENABLED=false)'],
      [TRAIN_JOB, 'Forecasting is disabled on this server (ML_ENABLED=false)'],
    ] as const) {
      const job = await off.platform.queue.enqueue(ctx, type, { budget_id: budgetId }, { maxAttempts: 3 });
      const done = await waitForJob(on, token, job.id);
      expect(done).toMatchObject({ status: 'failed', error: message, attempts: 1 });
    }
  });

  it('the OpenAPI document says which operations belong to an optional feature', async () => {
    const doc = (await off.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const op = doc.paths['/api/budgeting-forecasting/forecasting/models'].get;
    expect(op.description).toContain('404 `feature_disabled` when `ML_ENABLED=false`');
    const rec = doc.paths['/api/budgeting-forecasting/budgets/{id}/recommendations'].post;
    expect(rec.description).toContain('`AI_RECOMMENDATIONS_ENABLED=false`');
    expect(doc.paths['/api/budgeting-forecasting/budgets'].post.description ?? '').not.toContain(
      'feature_disabled',
    );
  });
});
