/**
 * The outbox table and emit(): an event is written with its change or not at all, the tenant's
 * RLS hides other tenants' events from the application role, which may not alter one; only the
 * relay role reads across tenants.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestDatabase, type TestDatabase } from '../../../test/helpers/databases.ts';
import { queryRows } from '../db/client.ts';
import { tenantIdFromKey, withTenant } from '../tenancy/tenancy.ts';
import { emit, outboxSignal } from './outbox.ts';
import { outboxLag, purgePublishedEvents } from './relay.ts';

describe.each(backends())('the outbox on %s', (backend) => {
  let t: TestDatabase;
  const a = { tenantId: tenantIdFromKey(`outbox-a-${backend}`), userId: 'u-a' };
  const b = { tenantId: tenantIdFromKey(`outbox-b-${backend}`), userId: 'u-b' };
  const budgetId = '0190f0f0-0000-7000-8000-000000000001';
  const deleted = (subjectId: string) => ({
    type: 'budget.deleted' as const,
    subjectId,
    data: { budget_id: subjectId, soft: true },
  });
  const count = (tenant: string) =>
    withTenant(t.database.db, tenant, async (tx) =>
      Number((await queryRows<{ n: number }>(tx, sql`SELECT count(*)::int n FROM outbox_events`))[0]!.n),
    );

  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t?.drop());

  it('has forced row-level security', async () => {
    const [row] = await queryRows<{ r: boolean; f: boolean }>(
      t.database.db,
      sql`SELECT relrowsecurity r, relforcerowsecurity f FROM pg_class WHERE relname = 'outbox_events'`,
    );
    expect(row).toEqual({ r: true, f: true });
  });

  it('writes the event with the commit, nudges the relays once per transaction, and nothing on rollback', async () => {
    let nudges = 0;
    const onWritten = () => void nudges++;
    outboxSignal.on('written', onWritten);
    try {
      await withTenant(t.database.db, a.tenantId, async (tx) => {
        await emit(tx, a, deleted(budgetId));
        await emit(tx, a, deleted(budgetId));
        expect(nudges).toBe(0);
      });
      expect(nudges).toBe(1);
      await expect(
        withTenant(t.database.db, a.tenantId, async (tx) => {
          await emit(tx, a, deleted(budgetId));
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      expect(nudges).toBe(1);
    } finally {
      outboxSignal.off('written', onWritten);
    }
    expect(await count(a.tenantId)).toBe(2);
  });

  it('refuses an event whose data breaks its schema (the change rolls back with it)', async () => {
    await expect(
      withTenant(t.database.db, a.tenantId, (tx) =>
        emit(tx, a, { type: 'budget.deleted', subjectId: budgetId, data: { budget_id: 'nope', soft: true } }),
      ),
    ).rejects.toThrow();
    expect(await count(a.tenantId)).toBe(2);
  });

  it("hides another tenant's events from the app role and lets it neither update nor delete one", async () => {
    await withTenant(t.database.db, b.tenantId, (tx) => emit(tx, b, deleted(budgetId)));
    expect(await count(b.tenantId)).toBe(1);
    expect(await count(a.tenantId)).toBe(2);
    // drizzle wraps the driver's error: the database's reason is its cause.
    const reason = (p: Promise<unknown>) =>
      p.then(
        () => 'succeeded',
        (e: { cause?: { message?: string } }) => e.cause?.message ?? String(e),
      );
    const asA = (q: ReturnType<typeof sql>) =>
      reason(withTenant(t.database.db, a.tenantId, (tx) => tx.execute(q)));
    expect(await asA(sql`UPDATE outbox_events SET published_at = now()`)).toMatch(/permission denied/);
    expect(await asA(sql`DELETE FROM outbox_events`)).toMatch(/permission denied/);
  });

  it('lets the relay role see every tenant (the lag of /metrics)', async () => {
    const lag = await outboxLag(t.database.db);
    expect(lag.unpublished).toBe(3);
    expect(lag.oldestSeconds).toBeGreaterThanOrEqual(0);
  });

  it('emits once per dedupe key: a retried job re-running its transaction writes no second event', async () => {
    const jobId = '0190f0f0-0000-7000-8000-00000000f00d';
    const once = { ...deleted(budgetId), dedupeKey: `job:${jobId}` };
    const before = await count(a.tenantId);
    const first = await withTenant(t.database.db, a.tenantId, (tx) => emit(tx, a, once));
    const second = await withTenant(t.database.db, a.tenantId, (tx) => emit(tx, a, once));
    expect(second).toBe(first);
    expect(await count(a.tenantId)).toBe(before + 1);
    // The key is per tenant, and events without a key never clash.
    await withTenant(t.database.db, b.tenantId, (tx) => emit(tx, b, once));
    await withTenant(t.database.db, a.tenantId, async (tx) => {
      await emit(tx, a, deleted(budgetId));
      await emit(tx, a, deleted(budgetId));
    });
    expect(await count(a.tenantId)).toBe(before + 3);
  });

  it('purges only events published longer ago than the retention', async () => {
    const asOwner = (q: ReturnType<typeof sql>) => t.database.db.execute(q);
    const [oldId, recentId, pendingId] = await withTenant(t.database.db, a.tenantId, async (tx) => [
      await emit(tx, a, deleted(budgetId)),
      await emit(tx, a, deleted(budgetId)),
      await emit(tx, a, deleted(budgetId)),
    ]);
    await asOwner(sql`UPDATE outbox_events SET published_at = now() - interval '8 days' WHERE id = ${oldId}`);
    await asOwner(
      sql`UPDATE outbox_events SET published_at = now() - interval '6 days' WHERE id = ${recentId}`,
    );
    await asOwner(
      sql`UPDATE outbox_events SET occurred_at = now() - interval '30 days' WHERE id = ${pendingId}`,
    );
    expect(await purgePublishedEvents(t.database.db, 7)).toBe(1);
    const left = await withTenant(t.database.db, a.tenantId, (tx) =>
      queryRows<{ id: string }>(
        tx,
        sql`SELECT id FROM outbox_events WHERE id IN (${oldId}, ${recentId}, ${pendingId})`,
      ),
    );
    expect(left.map((r) => r.id).sort()).toEqual([recentId, pendingId].sort());
    expect(await purgePublishedEvents(t.database.db, 7)).toBe(0);
  });
});
