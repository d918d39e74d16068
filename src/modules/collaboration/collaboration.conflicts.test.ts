/** Each conflict strategy, with two real WebSocket clients editing the same line from the same version. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { join, listen, type TestSocket } from '../../../test/helpers/ws-client.ts';

describe.each(backends())('conflict strategies on %s', (backend) => {
  let t: TestApp;
  let base: string;
  const tenant = newTenant();
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    base = await listen(t);
    alice = await t.token(tenant, { user: 'alice', roles: ['planner'] });
    bob = await t.token(tenant, { user: 'bob', roles: ['planner'] });
  });
  afterAll(() => t?.close());

  /** A session of the strategy; alice's edit of the line (version 1 -> 2) is already applied. */
  async function afterAliceEdits(strategy: string) {
    const budget = (
      await t.call('POST', '/budgets', alice, budgetBody({ budget_lines: [lineBody()] }))
    ).json();
    const budgetId = budget.budget_id as string;
    const lineId = (await t.call('GET', `/budgets/${budgetId}/lines`, alice)).json().items[0]
      .line_id as string;
    const session = (
      await t.call('POST', '/collaboration/sessions', alice, {
        session_name: strategy,
        budget_id: budgetId,
        conflict_strategy: strategy,
      })
    ).json();
    const sessionId = session.session_id as string;
    await t.call('POST', `/collaboration/sessions/${sessionId}/join`, bob, { role: 'editor' });
    const a = await join(base, sessionId, alice);
    const b = await join(base, sessionId, bob);
    a.send({
      type: 'budget_line_edit',
      target_id: lineId,
      changes: { amount: '200.00' },
      version: 1,
      client_msg_id: 'a1',
    });
    await a.nextOf('ack', (m) => m.client_msg_id === 'a1');
    // Bob's next edit is made on version 1: he has not applied alice's change.
    const seen = await b.nextOf('budget_line_updated');
    return { budgetId, lineId, sessionId, a, b, seen };
  }

  const amountOf = async (budgetId: string) =>
    (await t.call('GET', `/budgets/${budgetId}/lines`, alice)).json().items[0] as {
      amount: string;
      version: number;
    };

  async function closeAll(...sockets: TestSocket[]) {
    for (const s of sockets) await s.close();
  }

  it('optimistic_locking refuses the stale edit with the current value; a retry on the new version wins', async () => {
    const { budgetId, lineId, a, b } = await afterAliceEdits('optimistic_locking');
    b.send({
      type: 'budget_line_edit',
      target_id: lineId,
      changes: { amount: '300.00' },
      version: 1,
      base_sequence: 0,
      client_msg_id: 'b1',
    });
    const conflict = await b.nextOf('conflict_detected');
    expect(conflict).toMatchObject({
      resolution: 'rejected',
      current_version: 2,
      client_msg_id: 'b1',
      strategy: 'optimistic_locking',
    });
    expect(conflict.current.amount).toBe('200.00');
    expect(conflict.conflicting_edits[0].user_id).toBe('alice');
    expect(await amountOf(budgetId)).toMatchObject({ amount: '200.00', version: 2 });
    b.send({
      type: 'budget_line_edit',
      target_id: lineId,
      changes: { amount: '300.00' },
      version: 2,
      client_msg_id: 'b2',
    });
    await b.nextOf('ack', (m) => m.client_msg_id === 'b2');
    expect(await amountOf(budgetId)).toMatchObject({ amount: '300.00', version: 3 });
    expect(a.all('conflict_detected')).toHaveLength(0);
    await closeAll(a, b);
  });

  it('last_writer_wins applies the later edit and tells its sender what it overwrote', async () => {
    const { budgetId, lineId, a, b } = await afterAliceEdits('last_writer_wins');
    b.send({
      type: 'budget_line_edit',
      target_id: lineId,
      changes: { amount: '300.00' },
      version: 1,
      client_msg_id: 'b1',
    });
    const notice = await b.nextOf('conflict_detected');
    expect(notice).toMatchObject({ resolution: 'last_writer_wins', applied: true });
    expect(notice.conflicting_edits[0].changes).toEqual({ amount: '200.00' });
    await b.nextOf('ack', (m) => m.client_msg_id === 'b1');
    expect((await a.nextOf('budget_line_updated')).line.amount).toBe('300.00');
    expect(await amountOf(budgetId)).toMatchObject({ amount: '300.00', version: 3 });
    await closeAll(a, b);
  });

  it('first_writer_wins refuses other users’ edits of the line within the window, even on the current version', async () => {
    const { budgetId, lineId, a, b } = await afterAliceEdits('first_writer_wins');
    b.send({
      type: 'budget_line_edit',
      target_id: lineId,
      changes: { amount: '300.00' },
      version: 2,
      client_msg_id: 'b1',
    });
    expect(await b.nextOf('conflict_detected')).toMatchObject({
      resolution: 'rejected',
      strategy: 'first_writer_wins',
    });
    // The first writer may go on editing.
    a.send({
      type: 'budget_line_edit',
      target_id: lineId,
      changes: { amount: '250.00' },
      version: 2,
      client_msg_id: 'a2',
    });
    await a.nextOf('ack', (m) => m.client_msg_id === 'a2');
    expect(await amountOf(budgetId)).toMatchObject({ amount: '250.00', version: 3 });
    await closeAll(a, b);
  });

  it('manual_resolution stores, broadcasts, lists and resolves the conflict (once)', async () => {
    const { budgetId, lineId, sessionId, a, b } = await afterAliceEdits('manual_resolution');
    b.send({
      type: 'budget_line_edit',
      target_id: lineId,
      changes: { amount: '300.00' },
      version: 1,
      client_msg_id: 'b1',
    });
    const held = await a.nextOf('conflict_detected');
    expect(held).toMatchObject({
      resolution: 'pending',
      proposed_changes: { amount: '300.00' },
      user_id: 'bob',
    });
    const ack = await b.nextOf('ack', (m) => m.client_msg_id === 'b1');
    expect(ack.change.conflict_id).toBe(held.conflict_id);
    expect(await amountOf(budgetId)).toMatchObject({ amount: '200.00' });

    const listed = await t.call(
      'GET',
      `/collaboration/sessions/${sessionId}/conflicts?status=pending`,
      alice,
    );
    expect(listed.json().items).toHaveLength(1);
    const viewer = await t.token(tenant, { user: 'vic', roles: ['viewer'] });
    await t.call('POST', `/collaboration/sessions/${sessionId}/join`, viewer, { role: 'viewer' });
    const url = `/collaboration/sessions/${sessionId}/conflicts/${held.conflict_id}/resolve`;
    expect((await t.call('POST', url, viewer, { action: 'accept' })).statusCode).toBe(403);

    const resolved = await t.call('POST', url, alice, { action: 'accept' });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json()).toMatchObject({ status: 'accepted', resolved_by: 'alice' });
    expect((await b.nextOf('conflict_resolved')).conflict_id).toBe(held.conflict_id);
    expect((await b.nextOf('budget_line_updated')).line.amount).toBe('300.00');
    expect(await amountOf(budgetId)).toMatchObject({ amount: '300.00', version: 3 });
    expect((await t.call('POST', url, bob, { action: 'reject' })).json().code).toBe(
      'conflict_already_resolved',
    );
    await closeAll(a, b);
  });
});
