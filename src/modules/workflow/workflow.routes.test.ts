import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { BUDGET_STATUSES, type BudgetStatus } from '../../shared/enums.ts';
import { allowedActions, WORKFLOW_ACTIONS, type WorkflowAction } from './workflow.domain.ts';

/** Actions that bring a fresh draft budget to each status (approvals by a second user). */
const PATH_TO: Record<BudgetStatus, WorkflowAction[]> = {
  draft: [],
  under_review: ['submit'],
  approved: ['submit', 'approve'],
  active: ['submit', 'approve', 'activate'],
  locked: ['submit', 'approve', 'activate', 'lock'],
  rejected: ['submit', 'reject'],
  archived: ['archive'],
};

const EXPECTED_TO: Record<WorkflowAction, BudgetStatus> = {
  submit: 'under_review',
  approve: 'approved',
  reject: 'rejected',
  reopen: 'draft',
  activate: 'active',
  lock: 'locked',
  unlock: 'active', // every budget in this table was locked from active
  archive: 'archived',
};

describe.each(backends())('approval workflow API on %s', (backend) => {
  let t: TestApp;
  let tenant: string;
  let planner: string;
  let approver: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    tenant = newTenant();
    planner = await t.token(tenant, { roles: ['admin'], user: 'planner-1' });
    approver = await t.token(tenant, { roles: ['approver'], user: 'approver-1' });
  });
  afterAll(() => t?.close());

  const newBudget = async (lines: Record<string, unknown>[] = [lineBody()]) => {
    const res = await t.call('POST', '/budgets', planner, budgetBody({ budget_lines: lines }));
    expect(res.statusCode).toBe(201);
    return res.json() as { budget_id: string; version: number };
  };
  const act = (id: string, action: WorkflowAction, version: number, token = planner, extra = {}) =>
    t.call('POST', `/budgets/${id}/${action}`, token, {
      version,
      ...(action === 'reject' ? { reason: 'Too high' } : {}),
      ...extra,
    });
  /** A budget driven to the status; returns its id and current version. */
  const budgetIn = async (status: BudgetStatus) => {
    const b = await newBudget();
    let version = b.version;
    for (const action of PATH_TO[status]) {
      const token = ['approve', 'reject', 'activate', 'lock'].includes(action) ? approver : planner;
      const res = await act(b.budget_id, action, version, token);
      expect(res.statusCode, res.body).toBe(200);
      version = res.json().version;
    }
    return { id: b.budget_id, version };
  };

  it('runs a budget through submit, approve, activate, lock, unlock and archive, keeping every step', async () => {
    const { budget_id: id } = await newBudget();
    const submitted = (await act(id, 'submit', 1, planner, { comment: 'Please review' })).json();
    expect(submitted).toMatchObject({ status: 'under_review', version: 2 });
    const runId = submitted.approval_workflow_id;
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    const approved = (await act(id, 'approve', 2, approver)).json();
    expect(approved).toMatchObject({
      status: 'approved',
      approved_by: 'approver-1',
      approval_workflow_id: runId,
    });
    expect(Date.parse(approved.approved_at)).not.toBeNaN();
    expect((await act(id, 'activate', 3, approver)).json().status).toBe('active');
    expect((await act(id, 'lock', 4, approver)).json().status).toBe('locked');
    expect((await act(id, 'unlock', 5, approver)).json().status).toBe('active');
    expect((await act(id, 'archive', 6, planner)).json().status).toBe('archived');

    const history = (await t.call('GET', `/budgets/${id}/workflow`, planner)).json();
    expect(history.status).toBe('archived');
    expect(history.allowed_actions).toEqual([]);
    expect(history.items.map((e: { action: string }) => e.action)).toEqual([
      'submit',
      'approve',
      'activate',
      'lock',
      'unlock',
      'archive',
    ]);
    expect(history.items[0]).toMatchObject({
      from_status: 'draft',
      to_status: 'under_review',
      actor: 'planner-1',
      comment: 'Please review',
      workflow_id: runId,
    });
    expect(history.items[1]).toMatchObject({
      actor: 'approver-1',
      from_status: 'under_review',
      to_status: 'approved',
    });
    const audit = (await t.call('GET', `/audit?entity_id=${id}`, planner)).json();
    const actions = audit.items.map((a: { action: string }) => a.action);
    for (const a of [
      'budget.submitted',
      'budget.approved',
      'budget.locked',
      'budget.unlocked',
      'budget.archived',
    ]) {
      expect(actions).toContain(a);
    }
  });

  it('unlock returns a budget locked from approved to approved', async () => {
    const { id, version } = await budgetIn('approved');
    const locked = (await act(id, 'lock', version, approver)).json();
    const unlocked = (await act(id, 'unlock', locked.version, approver)).json();
    expect(unlocked).toMatchObject({ status: 'approved', approved_by: 'approver-1' });
  });

  describe('every status x action: legal moves succeed, the others are 422 naming the allowed ones', () => {
    for (const status of BUDGET_STATUSES) {
      it(`from ${status}`, async () => {
        const allowed = allowedActions(status);
        const fixed = await budgetIn(status);
        for (const action of WORKFLOW_ACTIONS) {
          if (allowed.includes(action)) {
            const fresh = await budgetIn(status);
            const res = await act(fresh.id, action, fresh.version, approver);
            expect(res.statusCode, `${status} -> ${action}: ${res.body}`).toBe(200);
            expect(res.json().status).toBe(EXPECTED_TO[action]);
          } else {
            const res = await act(fixed.id, action, fixed.version, approver);
            expect(res.statusCode, `${status} -> ${action}`).toBe(422);
            expect(res.json()).toMatchObject({
              code: 'illegal_transition',
              status,
              allowed_actions: allowed,
            });
            expect(res.json().message).toContain(`allowed from ${status}`);
          }
        }
      });
    }
  });

  it('refuses an approval by the user who submitted, even an admin', async () => {
    const { budget_id: id } = await newBudget();
    await act(id, 'submit', 1, planner);
    const res = await act(id, 'approve', 2, planner);
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('approver_is_submitter');
  });

  it('needs budgets:approve to approve, reject, activate, lock and unlock (403)', async () => {
    const viewer = await t.token(tenant, { roles: ['planner'], user: 'planner-2' });
    const { id, version } = await budgetIn('under_review');
    for (const action of ['approve', 'reject', 'activate', 'lock', 'unlock'] as const) {
      expect((await act(id, action, version, viewer)).statusCode).toBe(403);
    }
    const readOnly = await t.token(tenant, { roles: ['viewer'], user: 'viewer-1' });
    expect((await act(id, 'archive', version, readOnly)).statusCode).toBe(403);
  });

  it('requires a reason to reject, keeps it, and a reopened budget is editable and starts a new run', async () => {
    const { id, version } = await budgetIn('under_review');
    const noReason = await t.call('POST', `/budgets/${id}/reject`, approver, { version });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0].path).toBe('reason');
    const blank = await t.call('POST', `/budgets/${id}/reject`, approver, { version, reason: '   ' });
    expect(blank.statusCode).toBe(400);
    const rejected = await t.call('POST', `/budgets/${id}/reject`, approver, {
      version,
      reason: 'Cut travel',
    });
    expect(rejected.json().status).toBe('rejected');
    const firstRun = rejected.json().approval_workflow_id;
    const history = (await t.call('GET', `/budgets/${id}/workflow`, planner)).json();
    expect(history.items.at(-1)).toMatchObject({ action: 'reject', comment: 'Cut travel' });
    // Rejected budgets may be edited before reopening.
    const edit = await t.call('PUT', `/budgets/${id}`, planner, {
      notes: 'cut',
      version: rejected.json().version,
    });
    expect(edit.statusCode).toBe(200);
    const reopened = (await act(id, 'reopen', edit.json().version)).json();
    expect(reopened.status).toBe('draft');
    const again = (await act(id, 'submit', reopened.version)).json();
    expect(again.approval_workflow_id).not.toBe(firstRun);
  });

  it('answers 409 with the current version to a stale version', async () => {
    const { budget_id: id } = await newBudget();
    const res = await act(id, 'submit', 7);
    expect(res.statusCode).toBe(409);
    expect(res.json().current_version).toBe(1);
  });

  it('makes a locked budget read-only over REST: lines, periods, budget fields, deletion (422)', async () => {
    const { id, version } = await budgetIn('locked');
    const line = (await t.call('GET', `/budgets/${id}/lines`, planner)).json().items[0];
    const lineUrl = `/budgets/${id}/lines/${line.line_id}`;
    const attempts = [
      await t.call('POST', `/budgets/${id}/lines`, planner, lineBody()),
      await t.call('POST', `/budgets/${id}/lines/bulk`, planner, { mode: 'append', lines: [lineBody()] }),
      await t.call('PUT', lineUrl, planner, { amount: '5.00', version: line.version }),
      await t.call('DELETE', `${lineUrl}?version=${line.version}`, planner),
      await t.call('PUT', `${lineUrl}/periods`, planner, {
        version: line.version,
        periods: [{ period_index: 0, amount: '1.00' }],
      }),
      await t.call('PUT', `/budgets/${id}`, planner, { notes: 'x', version }),
    ];
    for (const res of attempts) {
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().code).toBe('budget_not_editable');
    }
    const del = await t.call('DELETE', `/budgets/${id}`, planner);
    expect(del.statusCode).toBe(422);
    expect(del.json().code).toBe('budget_locked');
  });

  it.each(['under_review', 'approved', 'active', 'archived'] as const)(
    'refuses budget and line edits of a budget that is %s',
    async (status) => {
      const { id, version } = await budgetIn(status);
      const put = await t.call('PUT', `/budgets/${id}`, planner, { notes: 'x', version });
      expect(put.statusCode).toBe(422);
      expect((await t.call('POST', `/budgets/${id}/lines`, planner, lineBody())).statusCode).toBe(422);
    },
  );

  it('lists the lines an approver must review, with why', async () => {
    const { budget_id: id } = await newBudget([
      lineBody({ line_name: 'plain', amount: '10.00' }),
      lineBody({ line_name: 'flagged', amount: '10.00', requires_approval: true }),
      lineBody({ line_name: 'over', amount: '500.01', approval_threshold: '500.00' }),
      lineBody({ line_name: 'at threshold', amount: '500.00', approval_threshold: '500.00' }),
      lineBody({ line_name: 'both', amount: '9.00', approval_threshold: '1.00', requires_approval: true }),
    ]);
    const res = await t.call('GET', `/budgets/${id}/approval-lines`, approver);
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { line_name: string; approval_reasons: string[] }[];
    expect(Object.fromEntries(items.map((l) => [l.line_name, l.approval_reasons]))).toEqual({
      flagged: ['requires_approval'],
      over: ['above_threshold'],
      both: ['requires_approval', 'above_threshold'],
    });
  });

  it("answers 404 on every workflow route for another tenant's budget and changes nothing", async () => {
    const { budget_id: id } = await newBudget();
    const intruder = await t.token(newTenant(), { roles: ['admin'], user: 'intruder' });
    for (const action of WORKFLOW_ACTIONS) {
      const res = await act(id, action, 1, intruder);
      expect(res.statusCode, action).toBe(404);
    }
    expect((await t.call('GET', `/budgets/${id}/workflow`, intruder)).statusCode).toBe(404);
    expect((await t.call('GET', `/budgets/${id}/approval-lines`, intruder)).statusCode).toBe(404);
    const mine = (await t.call('GET', `/budgets/${id}`, planner)).json();
    expect(mine).toMatchObject({ status: 'draft', version: 1 });
  });

  it('shows the new status at once in budget reads (cache invalidated after commit)', async () => {
    const { budget_id: id } = await newBudget();
    expect((await t.call('GET', `/budgets/${id}`, planner)).json().status).toBe('draft');
    await act(id, 'submit', 1);
    expect((await t.call('GET', `/budgets/${id}`, planner)).json().status).toBe('under_review');
  });
});
