import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { month, standardScenario } from '../../../test/helpers/variance.ts';
import { API_PREFIX } from '../../platform/http/types.ts';

const AS_OF = month(3).slice(0, 7);
const CSV = 'line_name,line_type,category,amount\nIntruder,expense,x,1.00\n';

describe.each(backends())('variance and Excel security on %s', (backend) => {
  let t: TestApp;
  let owner: string;
  let budgetId: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    owner = newTenant();
    budgetId = (await standardScenario(t, owner, await t.token(owner))).id;
  });
  afterAll(() => t?.close());

  const request = (method: 'GET' | 'POST', path: string, token: string, csv = false, body?: object) =>
    t.app.inject({
      method,
      url: `${API_PREFIX}${path}`,
      headers: {
        authorization: `Bearer ${token}`,
        ...(csv ? { 'content-type': 'text/csv' } : {}),
      },
      ...(csv ? { payload: CSV } : body ? { payload: body } : {}),
    });
  const routes = (id: string): [string, 'GET' | 'POST', string, boolean, object?][] => [
    ['variance', 'GET', `/budgets/${id}/variance?as_of=${AS_OF}`, false],
    ['variance job', 'POST', `/budgets/${id}/variance/jobs`, false, { as_of: AS_OF }],
    ['budget export', 'GET', `/budgets/${id}/export.xlsx`, false],
    ['variance export', 'GET', `/budgets/${id}/variance/export.xlsx?as_of=${AS_OF}`, false],
    ['line import', 'POST', `/budgets/${id}/lines/import`, true],
  ];

  it('another tenant gets 404 on every route, even as admin, and changes nothing', async () => {
    const intruder = await t.token(newTenant(), { roles: ['admin'] });
    for (const [name, method, path, csv, body] of routes(budgetId)) {
      const res = await request(method, path, intruder, csv, body);
      expect(res.statusCode, name).toBe(404);
      expect(res.json().code, name).toBe('not_found');
    }
    const lines = await t.call('GET', `/budgets/${budgetId}/lines`, await t.token(owner));
    expect(lines.json().items.map((l: { line_name: string }) => l.line_name)).not.toContain('Intruder');
  });

  it("another tenant's actuals never reach a report", async () => {
    const other = newTenant();
    const otherBudget = (await standardScenario(t, other, await t.token(other))).id;
    const mine = (
      await request('GET', `/budgets/${budgetId}/variance?as_of=${AS_OF}`, await t.token(owner))
    ).json();
    const theirs = (
      await request('GET', `/budgets/${otherBudget}/variance?as_of=${AS_OF}`, await t.token(other))
    ).json();
    // Same fixture in both tenants: identical figures, so neither saw the other's rows.
    expect(theirs.totals).toEqual(mine.totals);
    expect(theirs.unmatched.actual_rows).toBe(2);
  });

  it('a viewer reads variance and exports but cannot import lines or change thresholds', async () => {
    const viewer = await t.token(owner, { roles: ['viewer'] });
    for (const [name, method, path, csv, body] of routes(budgetId)) {
      const res = await request(method, path, viewer, csv, body);
      expect(res.statusCode, name).toBe(name === 'line import' ? 403 : name === 'variance job' ? 202 : 200);
    }
    expect((await request('GET', '/variance/thresholds', viewer)).statusCode).toBe(200);
    const put = await t.app.inject({
      method: 'PUT',
      url: `${API_PREFIX}/variance/thresholds`,
      headers: { authorization: `Bearer ${viewer}` },
      payload: { threshold_amount: '1.00', threshold_percent: '1.00' },
    });
    expect(put.statusCode).toBe(403);
  });

  it('variance needs actuals:read as well as budgets:read', async () => {
    const budgetsOnly = await t.token(owner, { permissions: ['budgets:read'] });
    for (const path of [
      `/budgets/${budgetId}/variance?as_of=${AS_OF}`,
      `/budgets/${budgetId}/variance/export.xlsx?as_of=${AS_OF}`,
    ]) {
      const res = await request('GET', path, budgetsOnly);
      expect(res.statusCode, path).toBe(403);
      expect(res.json().errors[0].message).toContain('actuals:read');
    }
    const job = await request('POST', `/budgets/${budgetId}/variance/jobs`, budgetsOnly, false, {
      as_of: AS_OF,
    });
    expect(job.statusCode).toBe(403);
    const actualsOnly = await t.token(owner, { permissions: ['actuals:read'] });
    expect((await request('GET', `/budgets/${budgetId}/variance`, actualsOnly)).statusCode).toBe(403);
  });

  it('no token is 401 on every route', async () => {
    for (const [name, method, path, csv, body] of routes(budgetId)) {
      const res = await t.app.inject({
        method,
        url: `${API_PREFIX}${path}`,
        ...(csv ? { headers: { 'content-type': 'text/csv' }, payload: CSV } : body ? { payload: body } : {}),
      });
      expect(res.statusCode, name).toBe(401);
    }
  });
});
