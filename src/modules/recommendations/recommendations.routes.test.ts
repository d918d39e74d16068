import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, startTestApp, type TestApp, waitForJob } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { createBudget, even, insertActuals, month, phase, YEAR } from '../../../test/helpers/variance.ts';
import { Decimal } from '../../shared/money.ts';
import type { Analysis } from './recommendations.analysis.ts';
import { priorityScore } from './recommendations.ranking.ts';

interface Bundle {
  bundle_id: string;
  recommendations: Rec[];
  analysis: Analysis;
  total_estimated_impact: string;
  parameters: Record<string, unknown>;
  narrative: string | null;
  narrative_status: string | null;
}

interface Rec {
  recommendation_id: string;
  type: string;
  category: string;
  estimated_impact: string;
  confidence_score: string;
  implementation_effort: string;
  priority_score: string;
  evidence: { method: string; figures: Record<string, unknown>; queries: { name: string; sql: string }[] };
  adjustment: Record<string, unknown> | null;
  status: string;
  scenario_id: string | null;
}

// ENG spends ahead of its budget; OPS exactly on it. Overrun, by hand:
// ytd actual 7395.03 vs ytd budget 6000.00; remaining budget 6334.56 at that pace = 7807.38 (half-up);
// projected 15202.41 against 12334.56 = 2867.85 over.
const ENG_ACTUALS = ['1210.37', '1187.52', '1302.11', '1255.00', '1199.99', '1240.04'];
const ENG_PHASING = [
  ...Array(6).fill('1000.00'),
  '900.00',
  '1100.00',
  '1000.00',
  '1000.00',
  '1000.00',
  '1334.56',
];

async function overspendTenant(t: TestApp, tenant: string, token: string, withActuals = true) {
  const b = await createBudget(t, token, [
    {
      line_name: 'Eng salaries',
      category: 'people',
      department_id: 'ENG',
      gl_account_id: '6000',
      amount: '12334.56',
    },
    {
      line_name: 'Ops rent',
      category: 'facilities',
      department_id: 'OPS',
      gl_account_id: '6200',
      amount: '12000.00',
    },
  ]);
  await phase(t, tenant, b.id, b.lines['Eng salaries']!, ENG_PHASING);
  await phase(t, tenant, b.id, b.lines['Ops rent']!, even('1000.00'));
  if (withActuals)
    await insertActuals(t, tenant, [
      ...ENG_ACTUALS.map((amount, i) => ({ period: month(i + 1), gl: '6000', department: 'ENG', amount })),
      ...ENG_ACTUALS.map((_, i) => ({
        period: month(i + 1),
        gl: '6200',
        department: 'OPS',
        amount: '1000.00',
      })),
    ]);
  return b;
}

/** Two past years of actuals for GL 7000: `peak` in November and December, `base` otherwise. */
async function opsTenant(t: TestApp, tenant: string, token: string, base: string, peak: string) {
  const b = await createBudget(t, token, [
    {
      line_name: 'Ops',
      category: 'operations',
      department_id: 'OPS',
      gl_account_id: '7000',
      amount: '12000.00',
    },
  ]);
  await phase(t, tenant, b.id, b.lines.Ops!, even('1000.00'));
  const rows = [YEAR - 2, YEAR - 1].flatMap((y) =>
    Array.from({ length: 12 }, (_, i) => ({
      period: month(i + 1, y),
      gl: '7000',
      amount: i >= 10 ? peak : base,
    })),
  );
  await insertActuals(t, tenant, rows);
  return b;
}

describe.each(backends())('recommendations API on %s', (backend) => {
  let t: TestApp;
  let llm: Server;
  let llmReply = '';
  const tokens: Record<string, string> = {};
  const tenants = { a: newTenant(), b: newTenant(), c: newTenant(), e: newTenant() };
  const budgets: Record<string, string> = {};

  beforeAll(async () => {
    // A fake OpenAI-compatible endpoint: answers whatever the test sets in llmReply.
    llm = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: llmReply } }] }));
    });
    await new Promise<void>((r) => llm.listen(0, '127.0.0.1', r));
    const port = (llm.address() as AddressInfo).port;
    t = await startTestApp(backend, { LLM_BASE_URL: `http://127.0.0.1:${port}/v1`, LLM_MODEL: 'fake' });
    for (const [k, v] of Object.entries(tenants)) tokens[k] = await t.token(v);
    budgets.a = (await overspendTenant(t, tenants.a, tokens.a!)).id;
    budgets.b = (await opsTenant(t, tenants.b, tokens.b!, '600.00', '3000.00')).id;
    budgets.c = (await opsTenant(t, tenants.c, tokens.c!, '1000.00', '1000.00')).id;
    await insertActuals(
      t,
      tenants.c,
      Array.from({ length: 6 }, (_, i) => ({ period: month(i + 1), gl: '7000', amount: '1000.00' })),
    );
    // Same GL accounts and departments as tenant a, but no actuals of its own.
    budgets.e = (await overspendTenant(t, tenants.e, tokens.e!, false)).id;
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((r) => llm?.close(r));
  });

  const generate = async (k: string, body: Record<string, unknown> = {}) => {
    const res = await t.call('POST', `/budgets/${budgets[k]}/recommendations`, tokens[k], body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as Bundle;
  };

  it('an overspending department gets a risk recommendation with the projected overrun to the cent', async () => {
    const bundle = await generate('a');
    const risk = bundle.recommendations.filter((r) => r.category === 'budget_overrun');
    expect(risk).toHaveLength(1);
    expect(risk[0]!.type).toBe('risk_mitigation');
    expect(risk[0]!.estimated_impact).toBe('2867.85');
    expect(risk[0]!.evidence.figures).toMatchObject({
      department_id: 'ENG',
      ytd_budget: '6000.00',
      ytd_actual: '7395.03',
      remaining_budget: '6334.56',
      projected_full_year: '15202.41',
      budget: '12334.56',
      projected_overrun: '2867.85',
    });
    expect(risk[0]!.evidence.queries.map((q) => q.name)).toContain('variance_by_department');
    expect(risk[0]!.evidence.queries.find((q) => q.name === 'budget_cells')!.sql).toContain('budget_periods');
    expect(risk[0]!.adjustment).toEqual({
      kind: 'percent',
      value: '23.2505',
      filter: { line_type: 'expense', department_id: 'ENG' },
    });
    const ops = bundle.analysis.department_breakdown.find((d) => d.department_id === 'OPS')!;
    expect(ops.projected_overrun).toBe('0.00');
    expect(bundle.analysis.missing).toContain(
      "headcount: no line has allocation_method 'headcount' with a quantity",
    );
    expect(bundle.analysis.efficiency_metrics.cost_per_employee).toBeNull();
    const total = bundle.recommendations.reduce(
      (acc: Decimal, r: Rec) => acc.plus(r.estimated_impact),
      new Decimal(0),
    );
    expect(bundle.total_estimated_impact).toBe(total.toFixed(2));
  });

  it('a budget phased flat against strongly seasonal actuals gets a seasonal recommendation', async () => {
    const bundle = await generate('b');
    const seasonal = bundle.recommendations.filter((r) => r.type === 'seasonal_adjustment');
    expect(seasonal).toHaveLength(1);
    // Seasonal shares 0.05 (x10) and 0.25 (x2) against 1/12 each: a third of 12000.00 is misplaced.
    expect(seasonal[0]!.estimated_impact).toBe('4000.00');
    expect(seasonal[0]!.evidence.figures.distance).toBe('0.3333');
    const months = seasonal[0]!.evidence.figures.months as { month: number; suggested: string }[];
    expect(months.find((m) => m.month === 12)!.suggested).toBe('3000.00');
    expect(months.find((m) => m.month === 1)!.suggested).toBe('600.00');
    expect(bundle.analysis.historical_patterns.seasonal_peaks).toEqual([11, 12]);
    expect(bundle.recommendations.some((r) => r.type === 'risk_mitigation')).toBe(false);
  });

  it('a healthy budget gets no risk or seasonal recommendation', async () => {
    const bundle = await generate('c');
    expect(
      bundle.recommendations.filter((r) => ['risk_mitigation', 'seasonal_adjustment'].includes(r.type)),
    ).toEqual([]);
    expect(bundle.analysis.department_breakdown[0]).toMatchObject({
      ytd_actual: '6000.00',
      projected_overrun: '0.00',
    });
    expect(bundle.analysis.spending_velocity?.trend).toBe('stable');
  });

  it('ranks with the guide formula and the request parameters', async () => {
    const params = { strategic_goals: ['cash_flow_timing'], risk_tolerance: 'high' };
    const bundle = await generate('b', params);
    const scores = bundle.recommendations.map((r) => r.priority_score);
    for (const r of bundle.recommendations)
      expect(r.priority_score).toBe(
        priorityScore(r as never, {
          strategic_goals: params.strategic_goals,
          risk_tolerance: 'high',
        }).toFixed(2),
      );
    expect([...scores].sort((x, y) => Number(y) - Number(x))).toEqual(scores);
    // 4000.00 -> band 10; confidence x 25; +20 strategic goal; +10 low effort at high tolerance.
    const s = bundle.recommendations.find((r) => r.type === 'seasonal_adjustment')!;
    expect(Number(s.priority_score)).toBeCloseTo(40 + Number(s.confidence_score) * 25, 2);
    expect(bundle.parameters).toMatchObject(params);
  });

  it('uses no data of another tenant, and other tenants get 404', async () => {
    const bundle = await generate('e');
    expect(bundle.recommendations.some((r) => r.category === 'budget_overrun')).toBe(false);
    expect(bundle.analysis.period.as_of).toBeNull();
    const a = await generate('a');
    expect((await t.call('GET', `/recommendations/${a.bundle_id}`, tokens.e)).statusCode).toBe(404);
    expect((await t.call('GET', `/budgets/${budgets.a}/recommendations`, tokens.e)).statusCode).toBe(404);
    expect((await t.call('POST', `/budgets/${budgets.a}/recommendations`, tokens.e, {})).statusCode).toBe(
      404,
    );
    const rec = a.recommendations[0]!.recommendation_id;
    expect(
      (await t.call('POST', `/recommendations/${a.bundle_id}/items/${rec}/accept`, tokens.e, {})).statusCode,
    ).toBe(404);
    const viewer = await t.token(tenants.a, { roles: ['viewer'] });
    expect(
      (await t.call('POST', `/recommendations/${a.bundle_id}/items/${rec}/accept`, viewer, {})).statusCode,
    ).toBe(403);
    expect((await t.call('GET', `/recommendations/${a.bundle_id}`, viewer)).statusCode).toBe(200);
  });

  it('accepts, dismisses with a reason and applies as a scenario, audited', async () => {
    const a = await generate('a');
    const risk = a.recommendations.find((r) => r.category === 'budget_overrun')!;
    const url = (id: string, action: string) => `/recommendations/${a.bundle_id}/items/${id}/${action}`;
    const applied = await t.call('POST', url(risk.recommendation_id, 'apply'), tokens.a, {});
    expect(applied.statusCode, applied.body).toBe(200);
    expect(applied.json()).toMatchObject({ status: 'applied' });
    const scenarioId = applied.json().scenario_id as string;
    const cmp = await t.call(
      'GET',
      `/budgets/${budgets.a}/scenarios/compare?scenario_ids=${scenarioId}`,
      tokens.a,
    );
    expect(cmp.statusCode, cmp.body).toBe(200);
    const eng = cmp.json().scenarios[0].deltas.by_department.find((d: { key: string }) => d.key === 'ENG');
    expect(eng.amount).toBe('2867.85');
    expect(
      (await t.call('POST', url(risk.recommendation_id, 'dismiss'), tokens.a, { reason: 'x' })).statusCode,
    ).toBe(422);

    const b = await generate('b');
    const s = b.recommendations.find((r) => r.type === 'seasonal_adjustment')!;
    const urlB = (action: string) => `/recommendations/${b.bundle_id}/items/${s.recommendation_id}/${action}`;
    expect((await t.call('POST', urlB('accept'), tokens.b, {})).json().status).toBe('accepted');
    expect((await t.call('POST', urlB('apply'), tokens.b, {})).json().code).toBe(
      'recommendation_not_applicable',
    );
    expect((await t.call('POST', urlB('dismiss'), tokens.b, {})).statusCode).toBe(400);
    const dismissed = await t.call('POST', urlB('dismiss'), tokens.b, { reason: 'We re-phase in Q3' });
    expect(dismissed.json()).toMatchObject({ status: 'dismissed', status_reason: 'We re-phase in Q3' });
    const audit = await t.call(
      'GET',
      `/audit?entity_type=recommendation&entity_id=${s.recommendation_id}`,
      tokens.b,
    );
    expect(
      audit
        .json()
        .items.map((i: { action: string }) => i.action)
        .sort(),
    ).toEqual(['recommendation.accepted', 'recommendation.dismissed']);
    const list = await t.call('GET', `/budgets/${budgets.b}/recommendations`, tokens.b);
    expect(list.json().items.length).toBeGreaterThanOrEqual(2);
  });

  it('runs as a job when asked, and stores the same bundle', async () => {
    const res = await t.call('POST', `/budgets/${budgets.a}/recommendations`, tokens.a, { run_as_job: true });
    expect(res.statusCode, res.body).toBe(202);
    const job = await waitForJob(t, tokens.a!, res.json().job_id);
    expect(job.status, JSON.stringify(job)).toBe('completed');
    const bundle = (await t.call('GET', `/recommendations/${job.result.bundle_id}`, tokens.a)).json();
    expect(bundle.recommendations.find((r: Rec) => r.category === 'budget_overrun').estimated_impact).toBe(
      '2867.85',
    );
  });

  it('keeps an LLM narrative only when its numbers are in the evidence', async () => {
    llmReply = 'ENG is on course to overrun by 2,867.85 USD (projected 15202.41 against 12334.56).';
    const ok = await generate('a', { narrative: true });
    expect(ok.narrative_status).toBe('ok');
    expect(ok.narrative).toBe(llmReply);
    llmReply = 'ENG will overrun by 3,100.00 USD.';
    const bad = await generate('a', { narrative: true });
    expect(bad.narrative).toBeNull();
    expect(bad.narrative_status).toContain('rejected');
    expect((await generate('a')).narrative_status).toBe('not_requested');
  });

  it('benchmarks: built-in defaults are marked; a tenant uploads its own (sourced or marked)', async () => {
    const before = (await t.call('GET', '/recommendations/benchmarks', tokens.c)).json();
    expect(before.figures.every((f: { is_configurable_default: boolean }) => f.is_configurable_default)).toBe(
      true,
    );
    const bad = await t.call('PUT', '/recommendations/benchmarks', tokens.c, {
      figures: [{ industry: 'saas', metric: 'cost_per_employee', value: '50000', unit: 'USD' }],
    });
    expect(bad.statusCode).toBe(400);
    const put = await t.call('PUT', '/recommendations/benchmarks', tokens.c, {
      figures: [
        {
          industry: 'saas',
          metric: 'cost_per_employee',
          value: '50000',
          unit: 'USD',
          source: 'Our 2025 survey',
        },
      ],
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().figures[0]).toMatchObject({
      origin: 'tenant',
      value: '50000.0000',
      source: 'Our 2025 survey',
    });
    const other = (await t.call('GET', '/recommendations/benchmarks', tokens.a)).json();
    expect(other.figures.some((f: { origin: string }) => f.origin === 'tenant')).toBe(false);
  });
});
