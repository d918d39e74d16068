/**
 * Idempotency-Key on POST over a real socket (fetch): Stripe's semantics, tenant scope, parallel
 * retries, expiry and release on failure.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantIdFromKey, withTenant } from '../src/platform/tenancy/tenancy.ts';
import { budgetBody, newTenant, startTestApp, type TestApp } from './helpers/app.ts';
import { backends } from './helpers/databases.ts';
import { http, httpBase } from './helpers/http.ts';

describe.each(backends())('idempotency keys over real HTTP on %s', (backend) => {
  let t: TestApp;
  let base: string;
  const tenant = newTenant();
  const other = newTenant();
  let admin: string;
  let otherAdmin: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    base = await httpBase(t);
    admin = await t.token(tenant, { user: 'root' });
    otherAdmin = await t.token(other, { user: 'mallory' });
  });
  afterAll(() => t?.close());

  const post = (body: unknown, key?: string, token = admin) =>
    http(base, 'POST', '/budgets', token, body, key === undefined ? {} : { 'idempotency-key': key });
  const count = async () => {
    const result = await withTenant(t.platform.database.db, tenantIdFromKey(tenant), (tx) =>
      tx.execute(sql`SELECT count(*)::int AS n FROM budgets`),
    );
    const rows = ((result as unknown as { rows?: { n: number }[] }).rows ?? result) as { n: number }[];
    return rows[0]!.n;
  };

  it('a retry with the same key and body replays the first response and creates nothing more', async () => {
    const body = budgetBody({ budget_name: 'Idem A' });
    const before = await count();
    const first = await post(body, 'key-a');
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await post(body, 'key-a');
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('content-type')).toMatch(/application\/json/);
    expect(await count()).toBe(before + 1);
  });

  it('the same key with another body is 422 naming the header', async () => {
    await post(budgetBody({ budget_name: 'Idem B' }), 'key-b');
    const res = await post(budgetBody({ budget_name: 'Idem B, changed' }), 'key-b');
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('idempotency_key_reused');
    expect(res.body.errors[0].path).toBe('headers.idempotency-key');
  });

  it('parallel retries with one key create exactly one budget; the others replay it or are told to wait', async () => {
    const body = budgetBody({ budget_name: 'Idem parallel' });
    const before = await count();
    const results = await Promise.all(Array.from({ length: 8 }, () => post(body, 'key-parallel')));
    const created = results.filter((r) => r.status === 201);
    const waiting = results.filter((r) => r.status === 409);
    expect(created.length + waiting.length).toBe(8);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.budget_id)).size).toBe(1);
    for (const r of waiting) {
      expect(r.body.code).toBe('idempotency_key_in_use');
      expect(r.headers.get('retry-after')).toBe('1');
    }
    expect(await count()).toBe(before + 1);
  });

  it('keys are scoped per tenant: another tenant using the same key gets its own budget', async () => {
    const body = budgetBody({ budget_name: 'Idem scoped' });
    const mine = await post(body, 'key-shared');
    const theirs = await post(body, 'key-shared', otherAdmin);
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.body.budget_id).not.toBe(mine.body.budget_id);
  });

  it('a request refused by its shape claims nothing: the corrected retry with the same key runs', async () => {
    const bad = await post({ name: 'x' }, 'key-fixed');
    expect(bad.status).toBe(400);
    const good = await post(budgetBody({ budget_name: 'Idem fixed' }), 'key-fixed');
    expect(good.status).toBe(201);
    expect(good.headers.get('idempotent-replayed')).toBeNull();
  });

  it('a 4xx from the handler is stored and replayed like Stripe does (a conflict stays a conflict)', async () => {
    const created = await post(budgetBody({ budget_name: 'Idem dup' }));
    expect(created.status).toBe(201);
    const dup = await post(budgetBody({ budget_name: 'Idem dup' }), 'key-dup');
    const replay = await post(budgetBody({ budget_name: 'Idem dup' }), 'key-dup');
    expect(replay.status).toBe(dup.status);
    expect(replay.body.code).toBe(dup.body.code);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });

  it('a malformed key is a 400 on the header', async () => {
    const res = await post(budgetBody({ budget_name: 'Idem bad key' }), 'x'.repeat(256));
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({
      path: 'headers.idempotency-key',
      code: 'invalid_idempotency_key',
    });
  });

  it('an expired key runs again (kept IDEMPOTENCY_TTL_HOURS)', async () => {
    const body = budgetBody({ budget_name: 'Idem expiry' });
    const first = await post(body, 'key-old');
    await withTenant(t.platform.database.db, tenantIdFromKey(tenant), (tx) =>
      tx.execute(
        sql`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'key-old'`,
      ),
    );
    const later = await post(body, 'key-old');
    expect(later.headers.get('idempotent-replayed')).toBeNull();
    expect(later.body.budget_id).not.toBe(first.body.budget_id);
  });

  it('the keys table is under row-level security: another tenant sees none of our keys', async () => {
    const rows = await withTenant(t.platform.database.db, tenantIdFromKey(other), (tx) =>
      tx.execute(sql`SELECT key FROM idempotency_keys WHERE key IN ('key-a', 'key-b', 'key-parallel')`),
    );
    expect((rows as unknown as { rows?: unknown[] }).rows ?? rows).toHaveLength(0);
  });
});
