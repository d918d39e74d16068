/**
 * Black-box: GET /events over real HTTP against `npm start` without AMQP_URL — the domain events
 * of the tenant's writes stay in the outbox and are listed with filters and a cursor, under the
 * tenant's RLS and the audit:read permission.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type E2eServer,
  e2eBackends,
  printOutputOnFailure,
  START_TIMEOUT_MS,
  startServer,
} from './server.ts';

const YEAR = String(new Date().getUTCFullYear() + 1);

describe.each(e2eBackends())('GET /events over HTTP on %s', (backend) => {
  let s: E2eServer;
  let admin: string;
  let budgetId: string;
  const started = new Date(Date.now() - 1000).toISOString();
  printOutputOnFailure(() => s);

  beforeAll(async () => {
    s = await startServer(backend, { redisDb: 7 });
    admin = await s.token({ user: 'planner-1' });
    const created = await s.call('POST', '/budgets', {
      token: admin,
      json: {
        budget_name: 'Events',
        budget_type: 'annual',
        fiscal_year: YEAR,
        total_amount: '5000.00',
        base_currency: 'EUR',
        budget_lines: [{ line_name: 'Rent', line_type: 'expense', category: 'office', amount: '1200.50' }],
      },
    });
    expect(created.status, created.text).toBe(201);
    budgetId = created.json.budget_id;
    const line = await s.call('POST', `/budgets/${budgetId}/lines`, {
      token: admin,
      json: { line_name: 'Power', line_type: 'expense', category: 'office', amount: '99.99' },
    });
    expect(line.status, line.text).toBe(201);
    const submit = await s.call('POST', `/budgets/${budgetId}/submit`, {
      token: admin,
      json: { version: created.json.version },
    });
    expect(submit.status, submit.text).toBe(200);
  }, START_TIMEOUT_MS);
  afterAll(() => s?.stop());

  it('lists the events of the writes, oldest first, unpublished without a broker', async () => {
    const r = await s.call('GET', '/events', { token: admin });
    expect(r.status, r.text).toBe(200);
    const mine = r.json.items.filter((e: { subject: { id: string } }) => e.subject.id === budgetId);
    expect(mine.map((e: { type: string }) => e.type)).toEqual([
      'budget.created',
      'lines.changed',
      'budget.submitted',
    ]);
    const [created, lines, submitted] = mine;
    expect(created).toMatchObject({
      version: 1,
      actor: { user_id: 'planner-1' },
      subject: { type: 'budget', id: budgetId },
      data: { budget_name: 'Events', total_amount: '5000.00', base_currency: 'EUR', line_count: 1 },
      published_at: null,
    });
    expect(lines.data).toMatchObject({
      budget_id: budgetId,
      change: 'added',
      added: 1,
      updated: 0,
      deleted: 0,
    });
    expect(submitted.data).toMatchObject({ from_status: 'draft', to_status: 'under_review' });
    expect(new Set(mine.map((e: { tenant_id: string }) => e.tenant_id)).size).toBe(1);
  });

  it('filters by type, subject and time, and pages with the cursor through every event once', async () => {
    const byType = await s.call('GET', '/events?type=budget.submitted', { token: admin });
    expect(byType.json.items.map((e: { type: string }) => e.type)).toEqual(['budget.submitted']);
    const bySubject = await s.call(
      'GET',
      `/events?subject_id=${budgetId}&since=${encodeURIComponent(started)}`,
      {
        token: admin,
      },
    );
    expect(bySubject.json.items).toHaveLength(3);
    const later = await s.call(
      'GET',
      `/events?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
      {
        token: admin,
      },
    );
    expect(later.json.items).toEqual([]);
    const all = (await s.call('GET', '/events?limit=500', { token: admin })).json.items.map(
      (e: { id: string }) => e.id,
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; json: { items: { id: string }[]; next_cursor: string | null } } =
        await s.call('GET', `/events?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { token: admin });
      expect(page.status).toBe(200);
      seen.push(...page.json.items.map((e) => e.id));
      cursor = page.json.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all);
    const after = await s.call('GET', `/events?after_id=${all[0]}`, { token: admin });
    expect(after.json.items.map((e: { id: string }) => e.id)).toEqual(all.slice(1));
  });

  it('refuses without audit:read, shows another tenant nothing, and names the field of a bad filter', async () => {
    const reader = await s.token({ user: 'reader', roles: [], permissions: ['budgets:read'] });
    const denied = await s.call('GET', '/events', { token: reader });
    expect(denied.status).toBe(403);
    const other = await s.token({ tenant: `${s.tenant}-other` });
    const none = await s.call('GET', '/events', { token: other });
    expect(none.status).toBe(200);
    expect(none.json.items).toEqual([]);
    const bad = await s.call('GET', '/events?type=budget.exploded&since=yesterday', { token: admin });
    expect(bad.status).toBe(400);
    const paths = bad.json.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(['query.since', 'query.type']);
    const cursor = await s.call('GET', '/events?cursor=nope', { token: admin });
    expect(cursor.status).toBe(400);
    expect(cursor.json.errors[0]).toMatchObject({ path: 'query.cursor', code: 'invalid_cursor' });
  });
});
