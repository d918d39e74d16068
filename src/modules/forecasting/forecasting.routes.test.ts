import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, startTestApp, type TestApp, waitForJob } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { insertActuals, monthAfter, seasonalSeries } from './forecasting.testing.ts';

// Small, fast training everywhere: statistical models or a 5-tree forest, 36 months, 2 origins.
const small = { horizon: 6, seed: 7, backtest_origins: 2 };
const upload = (n = 36) => ({ source: 'upload', start: '2022-01', values: seasonalSeries(n) });

describe.each(backends())('forecasting model registry on %s', (backend) => {
  let t: TestApp;
  let token: string;
  let tenant: string;
  let n = 0;

  beforeAll(async () => {
    t = await startTestApp(backend);
    tenant = newTenant();
    token = await t.token(tenant);
  });
  afterAll(() => t?.close());

  const createModel = async (body: Record<string, unknown> = {}) => {
    const res = await t.call('POST', '/forecasting/models', token, {
      name: `Model ${++n}`,
      algorithm: 'ets',
      training_config: small,
      ...body,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const train = async (id: string, body: unknown = upload()) => {
    const res = await t.call('POST', `/forecasting/models/${id}/train`, token, body);
    expect(res.statusCode, res.body).toBe(202);
    return waitForJob(t, token, res.json().job_id);
  };

  it('refuses hyperparameters that do not fit the algorithm, naming each field', async () => {
    const rf = await t.call('POST', '/forecasting/models', token, {
      name: 'bad forest',
      algorithm: 'random_forest',
      hyperparameters: { max_depth: 0, max_features: 1.5, learning_rate: 0.1 },
    });
    expect(rf.statusCode).toBe(400);
    const paths = rf.json().errors.map((e: { path: string; code: string }) => `${e.path}:${e.code}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'hyperparameters.max_depth:too_small',
        'hyperparameters.max_features:too_big',
        'hyperparameters.learning_rate:unknown_field',
      ]),
    );
    const ets = await t.call('POST', '/forecasting/models', token, {
      name: 'bad ets',
      algorithm: 'ets',
      hyperparameters: { alpha: 0.3 },
      features: [{ feature_name: 'x', feature_type: 'seasonal' }],
    });
    expect(ets.statusCode).toBe(400);
    expect(
      ets
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['features', 'hyperparameters.alpha']);
    const alg = await t.call('POST', '/forecasting/models', token, { name: 'x', algorithm: 'prophet' });
    expect(alg.statusCode).toBe(400);
    expect(alg.json().errors[0].path).toBe('algorithm');
    const dup = await t.call('POST', '/forecasting/models', token, { name: 'dup', algorithm: 'theta' });
    expect(dup.statusCode).toBe(201);
    const again = await t.call('POST', '/forecasting/models', token, { name: 'DUP', algorithm: 'theta' });
    expect(again.statusCode).toBe(409);
  });

  it('creates an ML model with the guide defaults for features', async () => {
    const m = await createModel({ algorithm: 'gradient_boosting', hyperparameters: { n_estimators: 20 } });
    expect(m).toMatchObject({ status: 'draft', target_variable: 'amount', training_results: null });
    expect(m.features.map((f: { feature_type: string }) => f.feature_type)).toEqual([
      'historical_values',
      'rolling_statistics',
      'seasonal',
    ]);
  });

  it('trains on monthly actuals of one GL account in one currency and reports CV, backtests and coverage', async () => {
    const values = seasonalSeries(36);
    // Each month split over two rows (summed exactly), plus rows that must not count.
    await insertActuals(t.platform.database.db, tenant, [
      ...values.flatMap((v, i) => [
        { period: monthAfter('2022-01', i), amount: '100.00', gl: '6000' },
        { period: monthAfter('2022-01', i), amount: (Number(v) - 100).toFixed(2), gl: '6000' },
      ]),
      { period: '2022-05', amount: '99999.00', gl: '6000', currency: 'EUR' },
      { period: '2022-05', amount: '55555.00', gl: '7000' },
    ]);
    const m = await createModel();
    const job = await train(m.model_id, {
      source: 'actuals',
      group_by: 'gl_account',
      key: '6000',
      currency: 'USD',
    });
    expect(job).toMatchObject({ status: 'completed', progress: 100 });
    expect(job.result).toMatchObject({ model_id: m.model_id, status: 'trained', model_used: 'ets' });

    const got = (await t.call('GET', `/forecasting/models/${m.model_id}`, token)).json();
    expect(got.status).toBe('trained');
    expect(got.series).toMatchObject({
      start: '2022-01',
      end: '2024-12',
      length: 36,
      other_currency_rows: 1,
    });
    const r = got.training_results;
    expect(r.cv_mae).toBeGreaterThan(0);
    expect(r.cv_mae_std).toBeGreaterThanOrEqual(0);
    expect(r.training_samples).toBe(24);
    expect(r.feature_importance).toBeNull();
    expect(r.backtest).toMatchObject({ horizon: 6 });
    expect(r.backtest.mae).toBeGreaterThan(0);
    expect(r.interval_coverage.map((c: { level: number }) => c.level)).toEqual([80, 95]);

    const fc = await t.call('POST', `/forecasting/models/${m.model_id}/forecasts`, token, {
      scenario_name: 'Base case',
      horizon: 3,
      level: 80,
    });
    expect(fc.statusCode, fc.body).toBe(201);
    const body = fc.json();
    expect(body).toMatchObject({
      scenario_name: 'Base case',
      forecast_period: { start: '2025-01', end: '2025-03' },
      confidence_level: 80,
      model_used: 'ets',
    });
    for (const p of body.predictions) {
      expect(p.value).toMatch(/^-?\d+\.\d{2}$/);
      expect(Number(p.lower)).toBeLessThanOrEqual(Number(p.value));
      expect(Number(p.upper)).toBeGreaterThanOrEqual(Number(p.value));
    }
    const later = await t.call('POST', `/forecasting/models/${m.model_id}/forecasts`, token, {
      start_period: '2025-04',
      horizon: 3,
    });
    expect(later.json().forecast_period).toEqual({ start: '2025-04', end: '2025-06' });

    // The design guide's request and response fields: model_id, forecast_period, confidence_level
    // (a fraction) give the same forecast as start/horizon/level; confidence_intervals and
    // metadata.model_performance come back beside our predictions.
    const guide = await t.call('POST', `/forecasting/models/${m.model_id}/forecasts`, token, {
      model_id: m.model_id,
      scenario_name: 'Base case',
      forecast_period: { start: '2025-01', end: '2025-03' },
      confidence_level: 0.8,
    });
    expect(guide.statusCode, guide.body).toBe(201);
    const g = guide.json();
    expect(g.predictions).toEqual(body.predictions);
    expect(g.confidence_level).toBe(80);
    expect(g.confidence_intervals).toEqual({
      confidence_level: 0.8,
      lower: body.predictions.map((p: { lower: string }) => p.lower),
      upper: body.predictions.map((p: { upper: string }) => p.upper),
    });
    expect(g.metadata).toEqual({
      algorithm: 'ets',
      model_performance: { cv_mae: r.cv_mae, training_samples: 24 },
    });
    const refusals: [Record<string, unknown>, string][] = [
      [{ model_id: '00000000-0000-7000-8000-000000000000', horizon: 1 }, 'model_id'],
      [{ horizon: 3, level: 80, confidence_level: 0.9 }, 'confidence_level'],
      [{ forecast_period: { start: '2025-01', end: '2025-03' }, horizon: 2 }, 'forecast_period.end'],
      [{ forecast_period: { start: '2025-03', end: '2025-01' } }, 'forecast_period.end'],
      [{ scenario_name: 'no horizon' }, 'horizon'],
    ];
    for (const [request, path] of refusals) {
      const bad = await t.call('POST', `/forecasting/models/${m.model_id}/forecasts`, token, request);
      expect(bad.statusCode, JSON.stringify(request)).toBe(400);
      expect(bad.json().errors[0].path).toBe(path);
    }
    const list = (await t.call('GET', `/forecasting/models/${m.model_id}/forecasts`, token)).json();
    expect(list.items.map((f: { forecast_id: string }) => f.forecast_id)).toEqual([
      g.forecast_id,
      later.json().forecast_id,
      body.forecast_id,
    ]);
    expect(list.items[0].metadata.model_performance.training_samples).toBe(24);

    const tooFar = await t.call('POST', `/forecasting/models/${m.model_id}/forecasts`, token, { horizon: 7 });
    expect(tooFar.statusCode).toBe(422);
    expect(tooFar.json().code).toBe('horizon_beyond_training');
    const inside = await t.call('POST', `/forecasting/models/${m.model_id}/forecasts`, token, {
      start_period: '2024-12',
      horizon: 1,
    });
    expect(inside.statusCode).toBe(400);
    expect(inside.json().errors[0].path).toBe('start_period');
  });

  it('fails training on too short a series, and the model cannot forecast', async () => {
    const m = await createModel();
    const job = await train(m.model_id, upload(10));
    expect(job.status).toBe('failed');
    expect(job.attempts).toBe(1);
    const got = (await t.call('GET', `/forecasting/models/${m.model_id}`, token)).json();
    expect(got.status).toBe('failed');
    expect(got.training_error).toMatch(/at least 24 months/);
    const fc = await t.call('POST', `/forecasting/models/${m.model_id}/forecasts`, token, { horizon: 1 });
    expect(fc.statusCode).toBe(422);
    expect(fc.json().code).toBe('model_not_trained');
    const noCurrency = await t.call('POST', `/forecasting/models/${m.model_id}/train`, token, {
      source: 'actuals',
      group_by: 'category',
      key: 'travel',
    });
    expect(noCurrency.statusCode).toBe(400);
    expect(noCurrency.json().errors[0].path).toBe('currency');
  });

  it('answers the API while a model trains in a worker thread (ordering by events)', async () => {
    const m = await createModel({ algorithm: 'random_forest', hyperparameters: { n_estimators: 5 } });
    const events: string[] = [];
    const hold = t.services.forecasting.pool.holdNextTraining();
    const res = await t.call('POST', `/forecasting/models/${m.model_id}/train`, token, upload());
    expect(res.statusCode).toBe(202);
    // The worker stops mid-training (after cross-validation) until released.
    await hold.paused;
    events.push('training under way');
    const health = await t.app.inject({ method: 'GET', url: '/health' });
    events.push(`health ${health.statusCode}`);
    const job = (await t.call('GET', `/jobs/${res.json().job_id}`, token)).json();
    events.push(`job ${job.status}`);
    const model = (await t.call('GET', `/forecasting/models/${m.model_id}`, token)).json();
    events.push(`model ${model.status}`);
    const twice = await t.call('POST', `/forecasting/models/${m.model_id}/train`, token, upload());
    events.push(`second train ${twice.statusCode}`);
    hold.release();
    const done = await waitForJob(t, token, res.json().job_id);
    events.push(`job ${done.status}`);
    expect(events).toEqual([
      'training under way',
      'health 200',
      'job running',
      'model training',
      'second train 409',
      'job completed',
    ]);
    const trained = (await t.call('GET', `/forecasting/models/${m.model_id}`, token)).json();
    expect(Object.keys(trained.training_results.feature_importance)).toContain('amount_lag_1');
    expect(Object.keys(trained.training_results.feature_importance)).toContain('period_month');
  });

  it('hides every model route from another tenant (404) and from a budget of another tenant', async () => {
    const m = await createModel();
    await train(m.model_id);
    const other = await t.token(newTenant());
    const base = `/forecasting/models/${m.model_id}`;
    const attempts = [
      await t.call('GET', base, other),
      await t.call('DELETE', base, other),
      await t.call('POST', `${base}/train`, other, upload()),
      await t.call('POST', `${base}/forecasts`, other, { horizon: 1 }),
      await t.call('GET', `${base}/forecasts`, other),
    ];
    expect(attempts.map((r) => r.statusCode)).toEqual([404, 404, 404, 404, 404]);
    expect((await t.call('GET', '/forecasting/models', other)).json().items).toEqual([]);
    const budget = await t.call('POST', '/budgets', other, {
      budget_name: 'Other tenant budget',
      budget_type: 'annual',
      fiscal_year: String(new Date().getUTCFullYear()),
      total_amount: '1.00',
      base_currency: 'EUR',
    });
    const viaBudget = await t.call('POST', `${base}/train`, token, {
      source: 'actuals',
      group_by: 'category',
      key: 'x',
      budget_id: budget.json().budget_id,
    });
    expect(viaBudget.statusCode).toBe(404);
    expect((await t.call('GET', base, token)).json().status).toBe('trained');
  });

  it('lets a viewer read models and forecasts but not create, train, forecast or delete', async () => {
    const m = await createModel();
    await train(m.model_id);
    const base = `/forecasting/models/${m.model_id}`;
    await t.call('POST', `${base}/forecasts`, token, { horizon: 2 });
    const viewer = await t.token(tenant, { roles: ['viewer'], user: 'viewer-1' });
    const reads = [
      await t.call('GET', '/forecasting/models', viewer),
      await t.call('GET', base, viewer),
      await t.call('GET', `${base}/forecasts`, viewer),
    ];
    expect(reads.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    const writes = [
      await t.call('POST', '/forecasting/models', viewer, { name: 'v', algorithm: 'ets' }),
      await t.call('POST', `${base}/train`, viewer, upload()),
      await t.call('POST', `${base}/forecasts`, viewer, { horizon: 1 }),
      await t.call('DELETE', base, viewer),
    ];
    expect(writes.map((r) => r.statusCode)).toEqual([403, 403, 403, 403]);
    expect((await t.call('DELETE', base, token)).statusCode).toBe(200);
    expect((await t.call('GET', base, token)).statusCode).toBe(404);
  });
});

describe.each(backends())('a trained model after a restart on %s', (backend) => {
  it('forecasts the same numbers from a second server on the same database', async () => {
    const first = await startTestApp(backend);
    const tenant = newTenant();
    const token = await first.token(tenant);
    const created = await first.call('POST', '/forecasting/models', token, {
      name: 'Restart forest',
      algorithm: 'random_forest',
      hyperparameters: { n_estimators: 8, max_depth: 4 },
      training_config: small,
    });
    const id = created.json().model_id;
    const job = await first.call('POST', `/forecasting/models/${id}/train`, token, upload());
    expect((await waitForJob(first, token, job.json().job_id)).status).toBe('completed');
    const request = { scenario_name: 'Restart', start_period: '2025-02', horizon: 4, level: 90 };
    const before = (await first.call('POST', `/forecasting/models/${id}/forecasts`, token, request)).json();
    expect(before.predictions).toHaveLength(4);
    // Stop the first server (its worker threads and queue) but keep its database.
    await first.app.close();
    await first.platform.close();

    const second = await startTestApp(backend, {}, first.testDb);
    try {
      const token2 = await second.token(tenant);
      const after = await second.call('POST', `/forecasting/models/${id}/forecasts`, token2, request);
      expect(after.statusCode, after.body).toBe(201);
      expect(after.json().predictions).toEqual(before.predictions);
      expect(after.json().model_used).toBe(before.model_used);
      const model = (await second.call('GET', `/forecasting/models/${id}`, token2)).json();
      expect(model.status).toBe('trained');
    } finally {
      await second.close();
      await first.testDb.drop();
    }
  });
});
