/** Budget-level changes reach open sessions over real sockets: workflow transitions and deletion. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { connect, join, listen, type Msg } from '../../../test/helpers/ws-client.ts';

describe.each(backends())('budget events in collaboration sessions on %s', (backend) => {
  let t: TestApp;
  let base: string;
  const tenant = newTenant();
  let alice: string;
  let bob: string;
  let approver: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    base = await listen(t);
    alice = await t.token(tenant, { user: 'alice', roles: ['admin'] });
    bob = await t.token(tenant, { user: 'bob', roles: ['viewer'] });
    approver = await t.token(tenant, { user: 'approver-1', roles: ['approver'] });
  });
  afterAll(() => t?.close());

  /** A budget with a line and a session on it, alice (owner) and bob (viewer) connected. */
  async function live() {
    const budget = (
      await t.call('POST', '/budgets', alice, budgetBody({ budget_lines: [lineBody()] }))
    ).json();
    const s = await t.call('POST', '/collaboration/sessions', alice, {
      session_name: 'Live',
      budget_id: budget.budget_id,
    });
    expect(s.statusCode).toBe(201);
    const sessionId = s.json().session_id as string;
    expect((await t.call('POST', `/collaboration/sessions/${sessionId}/join`, bob, {})).statusCode).toBe(200);
    const a = await join(base, sessionId, alice);
    const b = await join(base, sessionId, bob);
    return { budgetId: budget.budget_id as string, version: budget.version as number, sessionId, a, b };
  }

  const act = (id: string, action: string, version: number, token: string) =>
    t.call('POST', `/budgets/${id}/${action}`, token, { version });

  it('workflow transitions reach every socket as budget_updated with the new status and version, logged in order', async () => {
    const { budgetId, version, sessionId, a, b } = await live();

    const submitted = await act(budgetId, 'submit', version, alice);
    expect(submitted.statusCode, submitted.body).toBe(200);
    const review = submitted.json().status as string;
    expect(review).not.toBe('draft');
    const s1 = await b.nextOf('budget_updated');
    expect(s1).toMatchObject({
      target_id: budgetId,
      status: review,
      version: submitted.json().version,
      changes: { status: review },
      user_id: 'alice',
      budget: { budget_id: budgetId, status: review },
    });
    // Made over REST: alice's socket did not send it, so it gets the broadcast too.
    expect((await a.nextOf('budget_updated')).sequence).toBe(s1.sequence);

    const approved = await act(budgetId, 'approve', submitted.json().version, approver);
    expect(approved.statusCode, approved.body).toBe(200);
    const s2 = await b.nextOf('budget_updated');
    expect(s2).toMatchObject({
      status: 'approved',
      version: approved.json().version,
      changes: { status: 'approved' },
      user_id: 'approver-1',
    });
    expect(s2.sequence).toBe(s1.sequence + 1);

    // A refused transition (stale version) is not announced.
    expect((await act(budgetId, 'activate', version, approver)).statusCode).toBe(409);
    await b.roundTrip();
    expect(b.all('budget_updated')).toHaveLength(2);

    const log = (await t.call('GET', `/collaboration/sessions/${sessionId}/changes`, alice)).json();
    expect(log.items.map((c: Msg) => [c.type, c.status])).toEqual([
      ['budget_updated', review],
      ['budget_updated', 'approved'],
    ]);
    await Promise.all([a.close(), b.close()]);
  });

  it('a soft-deleted budget closes its sessions: budget_deleted, session_closed, then 4010 on every socket', async () => {
    const { budgetId, sessionId, a, b } = await live();

    expect((await t.call('DELETE', `/budgets/${budgetId}`, alice)).statusCode).toBe(200);
    for (const s of [a, b]) {
      expect(await s.nextOf('budget_deleted')).toMatchObject({ target_id: budgetId, user_id: 'alice' });
      expect(await s.nextOf('session_closed')).toMatchObject({
        closed_by: 'alice',
        reason: 'budget_deleted',
      });
      expect(await s.closed).toMatchObject({ code: 4010 });
    }

    const session = (await t.call('GET', `/collaboration/sessions/${sessionId}`, alice)).json();
    expect(session.status).toBe('closed');
    const again = await connect(base, sessionId, bob);
    expect(await again.closed).toMatchObject({ code: 4010 });
    expect(
      (await t.call('GET', `/collaboration/sessions?budget_id=${budgetId}`, alice)).json().items,
    ).toHaveLength(0);
  });

  it('a hard-deleted budget closes its sessions too', async () => {
    const { budgetId, a, b } = await live();
    const res = await t.call('DELETE', `/budgets/${budgetId}?soft_delete=false`, alice);
    expect(res.statusCode, res.body).toBe(200);
    for (const s of [a, b]) {
      expect(await s.nextOf('session_closed')).toMatchObject({ reason: 'budget_deleted' });
      expect(await s.closed).toMatchObject({ code: 4010 });
    }
  });

  it('a refused delete (locked budget) leaves the session open and announces nothing', async () => {
    const { budgetId, version, a, b } = await live();
    let v = version;
    for (const action of ['submit', 'approve', 'activate', 'lock']) {
      const res = await act(budgetId, action, v, action === 'submit' ? alice : approver);
      expect(res.statusCode, res.body).toBe(200);
      v = res.json().version;
      expect(await b.nextOf('budget_updated')).toMatchObject({ version: v, status: res.json().status });
    }
    expect(b.all('budget_updated').at(-1)!.status).toBe('locked');

    const res = await t.call('DELETE', `/budgets/${budgetId}`, alice);
    expect(res.json().code).toBe('budget_locked');
    await b.roundTrip();
    expect(b.all('budget_deleted')).toHaveLength(0);
    expect(b.all('session_closed')).toHaveLength(0);
    await Promise.all([a.close(), b.close()]);
  });
});
