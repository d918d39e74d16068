/**
 * Read cache for budgets: an optimisation only, so no cache failure ever reaches a caller.
 * Keys are tenant-scoped and carry two tokens read before the database: the budget's
 * generation (replaced by every write after it commits, so an entry filled by a read that raced
 * a write is never served after that write returns) and the cache epoch (replaced whenever an
 * invalidation may have been missed, e.g. during a Redis outage, so no entry written before it
 * is served after Redis returns). While the cache is unavailable, reads go to the database.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { CACHE_EPOCH_KEY, type Cache } from '../../platform/cache/cache.ts';
import type { Db, Tx } from '../../platform/db/client.ts';
import { afterCommit, type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';

const MISS = { store: async () => {} };

/**
 * The user's department scope as a cache-key part: `*` unrestricted, else a hash of the
 * sorted codes. Read from the database (docs/department-scope.md): a cached budget must never
 * show one user what another's scope sees.
 */
export async function scopeKey(db: Db, ctx: TenantContext): Promise<string> {
  const scope = await withTenant(db, ctx, async (tx) => {
    const r = (await tx.execute(sql`SELECT to_jsonb(bf_department_scope()) AS s`)) as unknown as {
      rows: { s: string[] | null }[];
    };
    return r.rows[0]?.s ?? null;
  });
  if (!scope) return '*';
  return createHash('sha256')
    .update(JSON.stringify([...scope].sort()))
    .digest('hex')
    .slice(0, 32);
}

export class BudgetCache {
  constructor(
    private readonly cache: Cache,
    private readonly enabled: boolean,
    private readonly ttlSeconds: number,
  ) {}

  private genKey(tenantId: string, id: string) {
    return `t:${tenantId}:budget:${id}:gen`;
  }

  /** Returns the cached JSON, or a `store` function to cache the JSON read now. */
  async lookup(
    tenantId: string,
    id: string,
    withLines: boolean,
    scope = '*',
  ): Promise<{ hit?: string; store: (json: string) => Promise<void> }> {
    if (!this.enabled || !this.cache.available()) return MISS;
    try {
      const genKey = this.genKey(tenantId, id);
      let [epoch, gen] = await this.cache.getMany([CACHE_EPOCH_KEY, genKey]);
      epoch ??= await this.cache.setIfAbsent(CACHE_EPOCH_KEY, uuidv7());
      gen ??= await this.cache.setIfAbsent(genKey, uuidv7());
      const key = `t:${tenantId}:budget:${id}:${epoch}:${gen}:${withLines ? 'l' : 'b'}:${scope}`;
      const raw = await this.cache.get(key);
      return {
        ...(raw ? { hit: raw } : {}),
        store: (json) => this.cache.set(key, json, this.ttlSeconds).catch(() => {}),
      };
    } catch {
      return MISS;
    }
  }

  /**
   * Makes every cached view of the budget unreachable. Call after the write commits; never
   * throws: when the cache cannot be written, it starts a new epoch before it serves again.
   */
  async invalidate(tenantId: string, id: string): Promise<void> {
    if (!this.enabled) return;
    await this.cache.set(this.genKey(tenantId, id), uuidv7(), 60 * 60 * 24 * 30).catch(() => {});
  }

  /** Invalidates the budget once the write in `tx` commits (nothing on rollback). */
  invalidateAfterCommit(tx: Tx, tenantId: string, id: string): void {
    afterCommit(tx, () => this.invalidate(tenantId, id));
  }
}
