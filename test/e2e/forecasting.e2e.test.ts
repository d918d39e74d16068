/** Black-box: forecasting models trained as background jobs (polled through /jobs/:id), then forecasts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type E2eServer,
  e2eBackends,
  printOutputOnFailure,
  START_TIMEOUT_MS,
  startServer,
  waitForJob,
} from './server.ts';

/** Three years of a monthly series with a yearly pattern and a small trend; cents on purpose. */
const SERIES = Array.from({ length: 36 }, (_, i) => {
  const season = [100, 95, 110, 120, 130, 150, 160, 155, 140, 125, 180, 210][i % 12]!;
  return `${season * 10 + Math.floor(i / 12) * 7}.${String((i * 37) % 100).padStart(2, '0')}`;
});

describe.each(e2eBackends())('forecasting over HTTP on %s', (backend) => {
  let s: E2eServer;
  let token: string;
  printOutputOnFailure(() => s);

  beforeAll(async () => {
    s = await startServer(backend, { redisDb: 4 });
    token = await s.token({ roles: ['planner'] });
  }, START_TIMEOUT_MS);
  afterAll(() => s?.stop());

  const createModel = async (algorithm: string, hyperparameters: Record<string, number> = {}) => {
    const res = await s.call('POST', '/forecasting/models', {
      token,
      json: {
        name: `${algorithm} model`,
        algorithm,
        hyperparameters,
        training_config: { horizon: 6, seed: 7, backtest_origins: 2 },
      },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json.status).toBe('draft');
    return res.json.model_id as string;
  };

  const train = async (modelId: string) => {
    const res = await s.call('POST', `/forecasting/models/${modelId}/train`, {
      token,
      json: { source: 'upload', start: '2023-01', values: SERIES },
    });
    expect(res.status, res.text).toBe(202);
    expect(res.json).toMatchObject({ model_id: modelId, job_id: expect.any(String) });
    return waitForJob(s, token, res.json.job_id, 90_000);
  };

  it('seasonal naive: trains as a job, and forecasts last year’s months to the cent', async () => {
    const id = await createModel('snaive');
    const untrained = await s.call('POST', `/forecasting/models/${id}/forecasts`, {
      token,
      json: { horizon: 1 },
    });
    expect(untrained.status).toBe(422);
    expect(untrained.json.code).toBe('model_not_trained');

    const job = await train(id);
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'completed', progress: 100 });
    const model = await s.call('GET', `/forecasting/models/${id}`, { token });
    expect(model.json).toMatchObject({
      status: 'trained',
      series: { start: '2023-01', end: '2025-12', length: 36 },
    });
    expect(model.json.training_results.backtest).toMatchObject({ horizon: 6 });

    const fc = await s.call('POST', `/forecasting/models/${id}/forecasts`, {
      token,
      json: { scenario_name: 'Base', horizon: 3, level: 80 },
    });
    expect(fc.status, fc.text).toBe(201);
    expect(fc.json).toMatchObject({
      forecast_period: { start: '2026-01', end: '2026-03' },
      confidence_level: 80,
      model_used: 'snaive',
    });
    expect(fc.json.predictions.map((p: { period: string; value: string }) => [p.period, p.value])).toEqual([
      ['2026-01', SERIES[24]],
      ['2026-02', SERIES[25]],
      ['2026-03', SERIES[26]],
    ]);
    for (const p of fc.json.predictions) {
      expect(p.lower).toMatch(/^-?\d+\.\d{2}$/);
      expect(Number(p.lower)).toBeLessThanOrEqual(Number(p.value));
      expect(Number(p.upper)).toBeGreaterThanOrEqual(Number(p.value));
    }
    const tooFar = await s.call('POST', `/forecasting/models/${id}/forecasts`, {
      token,
      json: { horizon: 7 },
    });
    expect(tooFar.status).toBe(422);
    expect(tooFar.json.code).toBe('horizon_beyond_training');
    const list = await s.call('GET', `/forecasting/models/${id}/forecasts`, { token });
    expect(list.json.items.map((f: { forecast_id: string }) => f.forecast_id)).toEqual([fc.json.forecast_id]);
  });

  it('a machine-learning model (random forest) trains in the background and forecasts with intervals', async () => {
    const id = await createModel('random_forest', { n_estimators: 20, max_depth: 6 });
    const job = await train(id);
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'completed' });
    const model = await s.call('GET', `/forecasting/models/${id}`, { token });
    expect(model.json.status).toBe('trained');
    expect(model.json.training_results.feature_importance).not.toBeNull();
    const fc = await s.call('POST', `/forecasting/models/${id}/forecasts`, { token, json: { horizon: 6 } });
    expect(fc.status, fc.text).toBe(201);
    expect(fc.json.predictions).toHaveLength(6);
    for (const p of fc.json.predictions) expect(p.value).toMatch(/^-?\d+\.\d{2}$/);
    const listed = await s.call('GET', '/forecasting/models?status=trained&algorithm=random_forest', {
      token,
    });
    expect(listed.json.items.map((m: { model_id: string }) => m.model_id)).toEqual([id]);
    const jobs = await s.call('GET', '/jobs?limit=10', { token: await s.token() });
    expect(jobs.json.items.map((j: { job_id: string }) => j.job_id)).toContain(model.json.training_job_id);
  });

  it('refuses a bad training series naming the value, with the one error shape', async () => {
    const id = await createModel('ets');
    const res = await s.call('POST', `/forecasting/models/${id}/train`, {
      token,
      json: { source: 'upload', start: '2023-01', values: ['1.001'] },
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'validation_failed', errors: [{ path: 'values.0' }] });
  });
});
