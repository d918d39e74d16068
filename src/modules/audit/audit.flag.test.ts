import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { budgetBody, newTenant, startTestApp } from '../../../test/helpers/app.ts';
import { queryRows } from '../../platform/db/client.ts';
import { tenantIdFromKey, withTenant } from '../../platform/tenancy/tenancy.ts';

// AUDIT_ENABLED is process-wide, so the two apps of this file run one after the other.
describe('AUDIT_ENABLED', () => {
  const writeAndCount = async (enabled: boolean) => {
    const t = await startTestApp('pglite', { AUDIT_ENABLED: String(enabled) });
    try {
      const tenant = newTenant();
      const token = await t.token(tenant);
      expect((await t.call('POST', '/budgets', token, budgetBody())).statusCode).toBe(201);
      const fx = await t.call('PUT', '/fx-rates', token, {
        rates: [{ period: '2026-01', from: 'EUR', to: 'USD', rate: '1.1' }],
      });
      expect(fx.statusCode).toBe(200);
      const [row] = await withTenant(t.platform.database.db, tenantIdFromKey(tenant), (tx) =>
        queryRows<{ n: number }>(tx, sql`SELECT count(*)::int AS n FROM audit_log`),
      );
      return row!.n;
    } finally {
      await t.close();
    }
  };

  it('when false, no writer records audit rows (budgets and FX alike)', async () => {
    expect(await writeAndCount(false)).toBe(0);
  });

  it('when true, both writes are audited', async () => {
    expect(await writeAndCount(true)).toBe(2);
  });
});
