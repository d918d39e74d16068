/**
 * The acting user's department scope as a cache-key part, without a database round trip per
 * request. Row-level security decides what a user sees (`bf_department_scope()`, migration
 * 0019); caches that hold what a user saw must key their entries by that scope, and reading it
 * from PostgreSQL was one more transaction before every cache hit (docs/department-scope.md).
 *
 * Each tenant has a scope generation in the cache, replaced after every committed change that
 * may change what any of its users' scopes cover (a scope set or cleared). Callers read the
 * generation together with their own keys (one round trip) and pass it here: the user's scope
 * key is remembered in-process per (epoch, generation), so a change made by any process makes
 * every remembered scope of the tenant unreachable at once, and a new cache epoch (Redis back
 * after an outage, when a replacement may have been missed) does the same.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import { v7 as uuidv7 } from 'uuid';
import type { Cache } from '../cache/cache.ts';
import type { Db, Tx } from '../db/client.ts';
import type { PubSub } from '../pubsub/pubsub.ts';
import { afterCommit, type TenantContext, withTenant } from './tenancy.ts';

/** `*`: the user is unrestricted. */
export const UNRESTRICTED_SCOPE = '*';

const GENERATION_TTL_SECONDS = 60 * 60 * 24 * 30;

export class ScopeKeys {
  private readonly known = new LRUCache<string, string>({ max: 50_000 });

  constructor(
    private readonly db: Db,
    private readonly cache: Cache,
    /** Where holders of a scope (collaboration sockets) hear that scopes may have changed. */
    private readonly pubsub?: PubSub,
  ) {}

  /** The cache key holding the tenant's scope generation (read it with your own keys). */
  generationKey(tenantId: string): string {
    return `t:${tenantId}:scope:gen`;
  }

  /** Returns the stored generation, creating one when there is none yet. */
  async ensureGeneration(tenantId: string, read: string | undefined): Promise<string> {
    return read ?? (await this.cache.setIfAbsent(this.generationKey(tenantId), uuidv7()));
  }

  /**
   * The user's scope as a key part: `*` unrestricted, else a hash of the sorted codes (users
   * with the same scope share entries). `epoch` and `generation` are the values just read.
   */
  async key(ctx: TenantContext, epoch: string, generation: string): Promise<string> {
    const memo = `${ctx.tenantId}|${ctx.userId}|${epoch}|${generation}`;
    const known = this.known.get(memo);
    if (known !== undefined) return known;
    const key = await this.read(ctx);
    this.known.set(memo, key);
    return key;
  }

  /** Reads the user's scope from the database (the same function the policies call). */
  async read(ctx: TenantContext): Promise<string> {
    const scope = await withTenant(this.db, ctx, departmentCodes);
    if (!scope) return UNRESTRICTED_SCOPE;
    return createHash('sha256')
      .update(JSON.stringify([...scope].sort()))
      .digest('hex')
      .slice(0, 32);
  }

  /**
   * Replaces the tenant's generation once the write in `tx` commits. When the cache cannot be
   * written, the cache itself starts a new epoch before it serves again (cache.ts), which makes
   * every remembered scope unreachable too.
   */
  invalidateAfterCommit(tx: Tx, tenantId: string): void {
    afterCommit(tx, async () => {
      await this.cache.set(this.generationKey(tenantId), uuidv7(), GENERATION_TTL_SECONDS).catch(() => {});
      // A lost message is repaired by the subscribers' re-read when pub/sub recovers (RESYNC).
      await this.pubsub?.publish(scopeChannel(tenantId), '{"kind":"scopes_changed"}').catch(() => {});
    });
  }
}

/** The pub/sub channel that says a tenant's department scopes may have changed. */
export const scopeChannel = (tenantId: string) => `t:${tenantId}:scopes`;

/** A user's department codes (subtrees included), or null when unrestricted. */
export type DepartmentCodes = ReadonlySet<string> | null;

/** The acting user's department codes, read in `tx` by the function the policies call. */
export async function departmentCodes(tx: Tx): Promise<DepartmentCodes> {
  const r = (await tx.execute(sql`SELECT to_jsonb(bf_department_scope()) AS s`)) as unknown as {
    rows: { s: string[] | null }[];
  };
  const s = r.rows[0]?.s ?? null;
  return s ? new Set(s) : null;
}
