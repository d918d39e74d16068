/**
 * The department scope as a cache-key part without a database round trip per request: it is
 * remembered per (epoch, tenant generation), and a committed scope change made through any
 * instance (another process) replaces the generation, so the next read sees the new scope.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/databases.ts';
import { CACHE_EPOCH_KEY, createMemoryCache } from '../cache/cache.ts';
import type { Tx } from '../db/client.ts';
import { tenants } from '../db/schema.ts';
import { ScopeKeys, UNRESTRICTED_SCOPE } from './scope-keys.ts';
import { type TenantContext, tenantIdFromKey, withTenant } from './tenancy.ts';

const ctx: TenantContext = {
  tenantId: tenantIdFromKey('scope-keys-test'),
  tenantKey: 'scope-keys-test',
  userId: 'dana',
  roles: ['planner'],
  permissions: new Set(),
  requestId: 'test',
};

describe('ScopeKeys', () => {
  let t: TestDatabase;
  const cache = createMemoryCache();
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    await withTenant(t.database.db, ctx.tenantId, (tx) =>
      tx.insert(tenants).values({ id: ctx.tenantId, externalKey: ctx.tenantKey, name: 'Scope keys' }),
    );
  });
  afterAll(() => t?.drop());

  const setScope = (tx: Tx, departments: string[]) =>
    tx.execute(sql`INSERT INTO department_scopes (tenant_id, user_id, departments, updated_by)
      VALUES (${ctx.tenantId}, ${ctx.userId}, ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(departments)}::jsonb)), 'admin')
      ON CONFLICT (tenant_id, user_id) DO UPDATE SET departments = EXCLUDED.departments`);

  async function keyOf(keys: ScopeKeys): Promise<string> {
    const [epoch, generation] = await cache.getMany([CACHE_EPOCH_KEY, keys.generationKey(ctx.tenantId)]);
    return keys.key(ctx, epoch ?? 'e0', await keys.ensureGeneration(ctx.tenantId, generation));
  }

  it('sees a scope committed through another instance, and only after it commits', async () => {
    const reader = new ScopeKeys(t.database.db, cache);
    const writer = new ScopeKeys(t.database.db, cache);
    expect(await keyOf(reader)).toBe(UNRESTRICTED_SCOPE);

    // Without a replaced generation the remembered key stands: that is what saves the round trip.
    await withTenant(t.database.db, ctx.tenantId, (tx) => setScope(tx, ['D10']));
    expect(await keyOf(reader)).toBe(UNRESTRICTED_SCOPE);

    // A rolled-back change replaces nothing.
    await withTenant(t.database.db, ctx.tenantId, async (tx) => {
      await setScope(tx, ['D20']);
      writer.invalidateAfterCommit(tx, ctx.tenantId);
      throw new Error('rolled back');
    }).catch(() => {});
    expect(await keyOf(reader)).toBe(UNRESTRICTED_SCOPE);

    await withTenant(t.database.db, ctx.tenantId, async (tx) => {
      await setScope(tx, ['D20', 'D10']);
      writer.invalidateAfterCommit(tx, ctx.tenantId);
    });
    const scoped = await keyOf(reader);
    expect(scoped).toMatch(/^[0-9a-f]{32}$/);
    // Users with the same departments, in any order, share the key part.
    expect(scoped).toBe(await new ScopeKeys(t.database.db, cache).read(ctx));
  });

  it('reads the scope again under a new cache epoch (an invalidation may have been missed)', async () => {
    const keys = new ScopeKeys(t.database.db, cache);
    const [generation] = await cache.getMany([keys.generationKey(ctx.tenantId)]);
    const gen = await keys.ensureGeneration(ctx.tenantId, generation);
    const before = await keys.key(ctx, 'epoch-1', gen);
    await withTenant(t.database.db, ctx.tenantId, (tx) =>
      tx.execute(sql`DELETE FROM department_scopes WHERE user_id = ${ctx.userId}`),
    );
    expect(await keys.key(ctx, 'epoch-1', gen)).toBe(before);
    expect(await keys.key(ctx, 'epoch-2', gen)).toBe(UNRESTRICTED_SCOPE);
  });
});
