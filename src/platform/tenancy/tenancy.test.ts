import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backends, createTestDatabase, type TestDatabase } from '../../../test/helpers/databases.ts';
import type { Tx } from '../db/client.ts';
import { tenants } from '../db/schema.ts';
import { afterCommit, tenantIdFromKey, withTenant } from './tenancy.ts';

describe.each(backends())('after-commit effects on %s', (backend) => {
  let t: TestDatabase;
  const tenantId = tenantIdFromKey(`after-commit-${backend}`);
  const setMonth = (tx: Tx, m: number) =>
    tx.update(tenants).set({ fiscalYearStartMonth: m }).where(eq(tenants.id, tenantId));
  const month = () =>
    withTenant(t.database.db, tenantId, async (tx) => {
      const [row] = await tx.select().from(tenants).where(eq(tenants.id, tenantId));
      return row!.fiscalYearStartMonth;
    });

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    await t.database.db.insert(tenants).values({ id: tenantId, externalKey: tenantId, name: 'after-commit' });
  });
  afterAll(() => t?.drop());

  it('runs an effect once, after the commit, before withTenant returns', async () => {
    const seen: number[] = [];
    const result = await withTenant(t.database.db, tenantId, async (tx) => {
      await setMonth(tx, 4);
      // A new transaction inside the effect sees the write: it has committed by then.
      afterCommit(tx, async () => void seen.push(await month()));
      return 'done';
    });
    expect(result).toBe('done');
    expect(seen).toEqual([4]);
  });

  it('runs effects in the order they were registered', async () => {
    const order: string[] = [];
    await withTenant(t.database.db, tenantId, async (tx) => {
      afterCommit(tx, () => void order.push('invalidate'));
      afterCommit(tx, async () => void order.push('publish'));
      afterCommit(tx, () => void order.push('enqueue'));
    });
    expect(order).toEqual(['invalidate', 'publish', 'enqueue']);
  });

  it('drops the effects of a transaction that rolls back', async () => {
    const effect = vi.fn();
    await expect(
      withTenant(t.database.db, tenantId, async (tx) => {
        await setMonth(tx, 9);
        afterCommit(tx, effect);
        throw new Error('rule broken');
      }),
    ).rejects.toThrow('rule broken');
    expect(effect).not.toHaveBeenCalled();
    expect(await month()).toBe(4);
  });

  it('logs a failing effect instead of failing the committed write, and still runs the rest', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const later = vi.fn();
    try {
      const result = await withTenant(t.database.db, tenantId, async (tx) => {
        await setMonth(tx, 6);
        afterCommit(tx, () => {
          throw new Error('redis down');
        });
        afterCommit(tx, async () => Promise.reject(new Error('pubsub down')));
        afterCommit(tx, later);
        return 'committed';
      });
      expect(result).toBe('committed');
      expect(later).toHaveBeenCalledOnce();
      const lines = stderr.mock.calls.map((c) => JSON.parse(String(c[0])));
      expect(lines.map((l) => [l.msg, l.err.message])).toEqual([
        ['after-commit effect failed', 'redis down'],
        ['after-commit effect failed', 'pubsub down'],
      ]);
    } finally {
      stderr.mockRestore();
    }
    expect(await month()).toBe(6);
  });

  it('refuses an effect registered on a transaction that has ended', async () => {
    let done: Parameters<typeof afterCommit>[0] | undefined;
    await withTenant(t.database.db, tenantId, async (tx) => {
      done = tx;
    });
    expect(() => afterCommit(done!, () => {})).toThrow(/open transaction/);
  });
});
