/** Black-box: the approval workflow (four eyes), templates and their versions, scenarios. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createUserAndLogin,
  type E2eServer,
  e2eBackends,
  printOutputOnFailure,
  START_TIMEOUT_MS,
  startServer,
} from './server.ts';

const YEAR = String(new Date().getUTCFullYear() + 1);

describe.each(e2eBackends())('planning routes over HTTP on %s', (backend) => {
  let s: E2eServer;
  let admin: string;
  let planner: { userId: string; token: string };
  let approver: { userId: string; token: string };
  printOutputOnFailure(() => s);

  beforeAll(async () => {
    s = await startServer(backend, { redisDb: 2 });
    admin = await s.token();
    planner = await createUserAndLogin(s, admin, ['planner']);
    approver = await createUserAndLogin(s, admin, ['approver']);
  }, START_TIMEOUT_MS);
  afterAll(() => s?.stop());

  const createBudget = async (name: string, lines: Record<string, unknown>[] = [], token = planner.token) => {
    const res = await s.call('POST', '/budgets', {
      token,
      json: {
        budget_name: name,
        budget_type: 'annual',
        fiscal_year: YEAR,
        total_amount: '10000.00',
        base_currency: 'USD',
        budget_lines: lines,
      },
    });
    expect(res.status, res.text).toBe(201);
    return res.json as { budget_id: string; version: number; budget_name: string };
  };

  it('workflow: submit, the submitter may not approve, a second user with approve rights approves', async () => {
    const b = await createBudget('Four eyes');
    const submitted = await s.call('POST', `/budgets/${b.budget_id}/submit`, {
      token: planner.token,
      json: { version: 1, comment: 'ready' },
    });
    expect(submitted.status, submitted.text).toBe(200);
    expect(submitted.json).toMatchObject({ status: 'under_review', version: 2 });
    // The planner has no approve right at all; an admin who submitted is refused by four eyes.
    const noRight = await s.call('POST', `/budgets/${b.budget_id}/approve`, {
      token: planner.token,
      json: { version: 2 },
    });
    expect(noRight.status).toBe(403);
    const adminBudget = await createBudget('Admin four eyes', [], admin);
    await s.call('POST', `/budgets/${adminBudget.budget_id}/submit`, { token: admin, json: { version: 1 } });
    const self = await s.call('POST', `/budgets/${adminBudget.budget_id}/approve`, {
      token: admin,
      json: { version: 2 },
    });
    expect(self.status).toBe(422);
    expect(self.json.code).toBe('approver_is_submitter');

    const stale = await s.call('POST', `/budgets/${b.budget_id}/approve`, {
      token: approver.token,
      json: { version: 1 },
    });
    expect(stale.status).toBe(409);
    const approved = await s.call('POST', `/budgets/${b.budget_id}/approve`, {
      token: approver.token,
      json: { version: 2, comment: 'fine' },
    });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.json).toMatchObject({ status: 'approved', approved_by: approver.userId, version: 3 });
    // Approved budgets are read-only.
    const edit = await s.call('PUT', `/budgets/${b.budget_id}`, {
      token: planner.token,
      json: { version: 3, total_amount: '1.00' },
    });
    expect(edit.status).toBe(422);
    expect(edit.json.code).toBe('budget_not_editable');

    const history = await s.call('GET', `/budgets/${b.budget_id}/workflow`, { token: planner.token });
    expect(history.status).toBe(200);
    expect(
      history.json.items.map((e: Record<string, string>) => [
        e.action,
        e.from_status,
        e.to_status,
        e.actor,
        e.comment,
      ]),
    ).toEqual([
      ['submit', 'draft', 'under_review', planner.userId, 'ready'],
      ['approve', 'under_review', 'approved', approver.userId, 'fine'],
    ]);
    expect(history.json.allowed_actions).toEqual(expect.arrayContaining(['activate', 'lock', 'archive']));
  });

  it('workflow: reject needs a reason, is kept in the history, and reopen makes the budget editable', async () => {
    const b = await createBudget('To reject');
    await s.call('POST', `/budgets/${b.budget_id}/submit`, { token: planner.token, json: { version: 1 } });
    const noReason = await s.call('POST', `/budgets/${b.budget_id}/reject`, {
      token: approver.token,
      json: { version: 2 },
    });
    expect(noReason.status).toBe(400);
    expect(noReason.json.errors[0].path).toBe('reason');
    const rejected = await s.call('POST', `/budgets/${b.budget_id}/reject`, {
      token: approver.token,
      json: { version: 2, reason: 'Travel too high' },
    });
    expect(rejected.status, rejected.text).toBe(200);
    expect(rejected.json.status).toBe('rejected');
    const illegal = await s.call('POST', `/budgets/${b.budget_id}/approve`, {
      token: approver.token,
      json: { version: 3 },
    });
    expect(illegal.status).toBe(422);
    expect(illegal.json).toMatchObject({ code: 'illegal_transition', status: 'rejected' });
    const reopened = await s.call('POST', `/budgets/${b.budget_id}/reopen`, {
      token: planner.token,
      json: { version: 3 },
    });
    expect(reopened.json).toMatchObject({ status: 'draft', version: 4 });
    const history = await s.call('GET', `/budgets/${b.budget_id}/workflow`, { token: planner.token });
    expect(history.json.items.map((e: Record<string, string>) => [e.action, e.comment])).toEqual([
      ['submit', null],
      ['reject', 'Travel too high'],
      ['reopen', null],
    ]);
    const audit = await s.call('GET', `/audit?entity_type=budget&entity_id=${b.budget_id}`, { token: admin });
    expect(audit.json.items.map((i: { action: string }) => i.action)).toEqual(
      expect.arrayContaining(['budget.submitted', 'budget.rejected']),
    );
  });

  it('templates: every update is a new immutable version; a budget is created from an old version', async () => {
    const created = await s.call('POST', '/templates', {
      token: admin,
      json: {
        name: 'Department template',
        defaults: { budget_type: 'annual', base_currency: 'EUR', total_amount: '5000.00' },
        lines: [{ line_name: 'Pay', line_type: 'expense', category: 'people', amount: '3000.00' }],
        comment: 'first',
      },
    });
    expect(created.status, created.text).toBe(201);
    const id = created.json.template_id;
    expect(created.json).toMatchObject({ current_version: 1, version: 1, line_count: 1 });
    const updated = await s.call('PUT', `/templates/${id}`, {
      token: admin,
      json: {
        version: 1,
        lines: [
          { line_name: 'Pay', line_type: 'expense', category: 'people', amount: '3100.00' },
          { line_name: 'Tools', line_type: 'expense', category: 'it', amount: '99.99' },
        ],
        comment: 'second',
      },
    });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.json).toMatchObject({ current_version: 2, version: 2, line_count: 2 });
    const stale = await s.call('PUT', `/templates/${id}`, {
      token: admin,
      json: { version: 1, comment: 'x' },
    });
    expect(stale.status).toBe(409);

    const versions = await s.call('GET', `/templates/${id}/versions`, { token: admin });
    expect(
      versions.json.items.map((v: { version: number; comment: string }) => [v.version, v.comment]),
    ).toEqual([
      [2, 'second'],
      [1, 'first'],
    ]);
    const v1 = await s.call('GET', `/templates/${id}/versions/1`, { token: admin });
    expect(v1.json.lines.map((l: { amount: string }) => l.amount)).toEqual(['3000.00']);

    const fromV1 = await s.call('POST', `/templates/${id}/budgets`, {
      token: planner.token,
      json: { budget_name: 'From version 1', fiscal_year: YEAR, template_version: 1 },
    });
    expect(fromV1.status, fromV1.text).toBe(201);
    expect(fromV1.json).toMatchObject({
      status: 'draft',
      base_currency: 'EUR',
      total_amount: '5000.00',
      template_id: id,
      template_version: 1,
      totals: { expense: '3000.00', line_count: 1 },
    });
    const current = await s.call('POST', `/templates/${id}/budgets`, {
      token: planner.token,
      json: { budget_name: 'From current', fiscal_year: YEAR, base_currency: 'USD' },
    });
    expect(current.json).toMatchObject({
      base_currency: 'USD',
      template_version: 2,
      totals: { expense: '3199.99' },
    });
    const missing = await s.call('POST', `/templates/${id}/budgets`, {
      token: planner.token,
      json: { budget_name: 'From nothing', fiscal_year: YEAR, template_version: 9 },
    });
    expect(missing.status).toBe(404);
  });

  it('scenarios: create, compare with exact deltas, promote once to a new draft budget', async () => {
    const b = await createBudget('Scenario base', [
      { line_name: 'Pay', line_type: 'expense', category: 'people', amount: '33.33' },
      { line_name: 'Rent', line_type: 'expense', category: 'rent', amount: '1200.00' },
      { line_name: 'Sales', line_type: 'revenue', category: 'sales', amount: '999.99' },
    ]);
    const raise = await s.call('POST', `/budgets/${b.budget_id}/scenarios`, {
      token: planner.token,
      json: {
        name: 'Raise people 10%',
        adjustments: [{ kind: 'percent', value: '10', filter: { line_type: 'expense', category: 'people' } }],
      },
    });
    expect(raise.status, raise.text).toBe(201);
    const lean = await s.call('POST', `/budgets/${b.budget_id}/scenarios`, {
      token: planner.token,
      json: {
        name: 'No rent',
        adjustments: [{ kind: 'absolute', value: '-5000.00', filter: { category: 'rent' } }],
      },
    });
    expect(lean.status, lean.text).toBe(201);
    const dup = await s.call('POST', `/budgets/${b.budget_id}/scenarios`, {
      token: planner.token,
      json: { name: 'no RENT' },
    });
    expect(dup.status).toBe(409);

    const cmp = await s.call(
      'GET',
      `/budgets/${b.budget_id}/scenarios/compare?scenario_ids=${raise.json.scenario_id},${lean.json.scenario_id}`,
      { token: planner.token },
    );
    expect(cmp.status, cmp.text).toBe(200);
    expect(cmp.json.base.totals.by_line_type).toMatchObject({
      expense: '1233.33',
      revenue: '999.99',
      net: '-233.34',
    });
    const [r, l] = cmp.json.scenarios;
    // 33.33 x 10 % = 3.333 -> 3.33, rounded once per line.
    expect(r.deltas.by_line_type).toMatchObject({ expense: '3.33', net: '-3.33' });
    expect(r.changed_lines).toBe(1);
    // Rent is clamped at zero, not refused.
    expect(l.totals.by_line_type.expense).toBe('33.33');
    expect(l.clamped_lines).toBe(1);

    const promoted = await s.call(
      'POST',
      `/budgets/${b.budget_id}/scenarios/${raise.json.scenario_id}/promote`,
      {
        token: planner.token,
        json: {},
      },
    );
    expect(promoted.status, promoted.text).toBe(201);
    expect(promoted.json).toMatchObject({
      status: 'draft',
      budget_name: 'Scenario base – Raise people 10%',
      totals: { expense: '1236.66', revenue: '999.99' },
      metadata: { promoted_from: { budget_id: b.budget_id, scenario_id: raise.json.scenario_id } },
    });
    const again = await s.call(
      'POST',
      `/budgets/${b.budget_id}/scenarios/${raise.json.scenario_id}/promote`,
      {
        token: planner.token,
        json: { budget_name: 'Again' },
      },
    );
    expect(again.status).toBe(422);
    expect(again.json.code).toBe('scenario_already_promoted');
    const base = await s.call('GET', `/budgets/${b.budget_id}`, { token: planner.token });
    expect(base.json.totals.expense).toBe('1233.33');
  });

  it('negative lines: refused by default, held exactly once the tenant allows contra lines', async () => {
    const contra = {
      line_name: 'Vacancy discount',
      line_type: 'expense',
      category: 'people',
      is_contra: true,
      amount: '-600.06',
    };
    const salaries = { line_name: 'Salaries', line_type: 'expense', category: 'people', amount: '1200.00' };
    const body = (name: string) => ({
      token: admin,
      json: {
        budget_name: name,
        budget_type: 'annual',
        fiscal_year: YEAR,
        total_amount: '0.00',
        base_currency: 'USD',
        budget_lines: [salaries, contra],
      },
    });
    const refused = await s.call('POST', '/budgets', body('Contra refused'));
    expect(refused.status, refused.text).toBe(400);
    expect(refused.json.errors[0]).toMatchObject({
      path: 'budget_lines.1.amount',
      code: 'negative_lines_not_allowed',
    });
    const planner403 = await s.call('PUT', '/settings', {
      token: planner.token,
      json: { allow_negative_lines: true },
    });
    expect(planner403.status).toBe(403);
    const set = await s.call('PUT', '/settings', { token: admin, json: { allow_negative_lines: true } });
    expect(set.status, set.text).toBe(200);
    expect(set.json).toMatchObject({
      allow_negative_lines: true,
      fiscal_years_past: 5,
      fiscal_years_future: 10,
    });
    const created = await s.call('POST', '/budgets', body('Contra held'));
    expect(created.status, created.text).toBe(201);
    expect(created.json.totals).toMatchObject({ expense: '599.94' });
    const grid = await s.call('GET', `/budgets/${created.json.budget_id}/periods`, { token: admin });
    expect(grid.status, grid.text).toBe(200);
    const line = grid.json.lines.find((l: { line_name: string }) => l.line_name === 'Vacancy discount');
    // -600.06 over 12 months: -50.01 and -50.00 (6 cents to the first six months).
    expect(line.periods).toEqual([...Array(6).fill('-50.01'), ...Array(6).fill('-50.00')]);
    await s.call('PUT', '/settings', { token: admin, json: { allow_negative_lines: false } });
  });

  it('history: the fiscal year window is a tenant setting; fiscal_year must agree with the dates', async () => {
    const old = String(new Date().getUTCFullYear() - 12);
    const body = (fiscal_year: string, extra: Record<string, unknown> = {}) => ({
      token: admin,
      json: {
        budget_name: `History ${fiscal_year} ${Object.keys(extra).length}`,
        budget_type: 'annual',
        fiscal_year,
        total_amount: '0.00',
        base_currency: 'USD',
        ...extra,
      },
    });
    const refused = await s.call('POST', '/budgets', body(old));
    expect(refused.status, refused.text).toBe(400);
    expect(refused.json.errors[0]).toMatchObject({ path: 'fiscal_year', code: 'fiscal_year_out_of_range' });
    const set = await s.call('PUT', '/settings', { token: admin, json: { fiscal_years_past: 15 } });
    expect(set.status, set.text).toBe(200);
    expect((await s.call('POST', '/budgets', body(old))).status).toBe(201);
    const mismatch = await s.call(
      'POST',
      '/budgets',
      body(old, { budget_type: 'project', period_start: `${YEAR}-01-01`, period_end: `${YEAR}-03-31` }),
    );
    expect(mismatch.status, mismatch.text).toBe(400);
    expect(mismatch.json.errors[0]).toMatchObject({ path: 'period_start', code: 'fiscal_year_mismatch' });
    await s.call('PUT', '/settings', { token: admin, json: { fiscal_years_past: 5 } });
  });
});
