/**
 * Read cache for budgets: an optimisation only, so no cache failure ever reaches a caller.
 * Keys are tenant-scoped and carry two tokens read before the database: the budget's
 * generation (replaced by every write after it commits, so an entry filled by a read that raced
 * a write is never served after that write returns) and the cache epoch (replaced whenever an
 * invalidation may have been missed, e.g. during a Redis outage, so no entry written before it
 * is served after Redis returns). While the cache is unavailable, reads go to the database.
 */
import { v7 as uuidv7 } from 'uuid';
import { CACHE_EPOCH_KEY, type Cache } from '../../platform/cache/cache.ts';
import type { Tx } from '../../platform/db/client.ts';
import type { JsonBody } from '../../platform/http/precompressed.ts';
import type { ScopeKeys } from '../../platform/tenancy/scope-keys.ts';
import { afterCommit, type TenantContext } from '../../platform/tenancy/tenancy.ts';

const MISS = { store: async () => {} };

// A cached body kept as its gzip (large budgets: a tenth of the memory and of the transfer
// from Redis, and no compression per read) is stored as this prefix and the base64 of the gzip.
const GZIP_PREFIX = 'gz:';

export class BudgetCache {
  constructor(
    private readonly cache: Cache,
    private readonly enabled: boolean,
    private readonly ttlSeconds: number,
    private readonly scopes: ScopeKeys,
  ) {}

  private genKey(tenantId: string, id: string) {
    return `t:${tenantId}:budget:${id}:gen`;
  }

  /**
   * Returns the cached JSON, or a `store` function to cache the JSON read now. The entry is
   * what the user's department scope sees: the scope is part of the key (docs/department-scope.md),
   * read with the epoch and the budget's generation in one round trip (scope-keys.ts).
   */
  async lookup(
    ctx: TenantContext,
    id: string,
    withLines: boolean,
  ): Promise<{ hit?: JsonBody; store: (body: JsonBody) => Promise<void> }> {
    if (!this.enabled || !this.cache.available()) return MISS;
    try {
      const { tenantId } = ctx;
      const genKey = this.genKey(tenantId, id);
      let [epoch, gen, scopeGen] = await this.cache.getMany([
        CACHE_EPOCH_KEY,
        genKey,
        this.scopes.generationKey(tenantId),
      ]);
      epoch ??= await this.cache.setIfAbsent(CACHE_EPOCH_KEY, uuidv7());
      gen ??= await this.cache.setIfAbsent(genKey, uuidv7());
      scopeGen = await this.scopes.ensureGeneration(tenantId, scopeGen);
      const scope = await this.scopes.key(ctx, epoch, scopeGen);
      const key = `t:${tenantId}:budget:${id}:${epoch}:${gen}:${withLines ? 'l' : 'b'}:${scope}`;
      const raw = await this.cache.get(key);
      const hit: JsonBody | undefined = !raw
        ? undefined
        : raw.startsWith(GZIP_PREFIX)
          ? { gzip: Buffer.from(raw.slice(GZIP_PREFIX.length), 'base64') }
          : { json: raw };
      return {
        ...(hit ? { hit } : {}),
        store: (body) =>
          this.cache
            .set(key, body.gzip ? GZIP_PREFIX + body.gzip.toString('base64') : body.json, this.ttlSeconds)
            .catch(() => {}),
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
