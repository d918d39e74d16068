/**
 * Tenant context and the one way application code touches tenant data: `withTenant` opens a
 * transaction, drops to the non-owner role `bf_app` (so RLS applies even on a superuser
 * connection and on PGlite) and sets `app.tenant_id` transaction-locally (safe with pools and
 * PgBouncer in transaction mode).
 */
import { sql } from 'drizzle-orm';
import { validate as isUuid, v5 as uuidv5 } from 'uuid';
import type { Db, Tx } from '../db/client.ts';

/** Who is acting, for which tenant, in which request. */
export interface TenantContext {
  tenantId: string;
  /** The token's tenant identifier as issued (a UUID or a slug). */
  tenantKey: string;
  userId: string;
  email?: string | undefined;
  roles: string[];
  permissions: ReadonlySet<string>;
  requestId?: string | undefined;
}

// Namespace for tenant keys that are not UUIDs ("acme" -> a stable UUIDv5).
const TENANT_NAMESPACE = '3f1c2b9e-8a4d-5e6f-9b0a-1c2d3e4f5a6b';

/** Maps a token's tenant identifier to the tenant's UUID, deterministically. */
export function tenantIdFromKey(key: string): string {
  return isUuid(key) ? key.toLowerCase() : uuidv5(key, TENANT_NAMESPACE);
}

/**
 * Whether two token identifiers are the same tenant key: UUIDs compare case-insensitively,
 * slugs exactly. `acme` and `uuidv5("acme")` map to one tenant id but are different keys.
 */
export function sameTenantKey(a: string, b: string): boolean {
  return isUuid(a) && isUuid(b) ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** Work to do once a transaction has committed (cache invalidation, publishing, queueing). */
export type Effect = () => void | Promise<void>;

// The effects of each open withTenant transaction, keyed by its transaction object.
const pending = new WeakMap<Tx, Effect[]>();

/**
 * Registers an effect of the write in `tx`: it runs after the transaction commits, in
 * registration order, once; it is dropped when the transaction rolls back. Only for a
 * transaction opened by withTenant (a programming error otherwise).
 */
export function afterCommit(tx: Tx, effect: Effect): void {
  const effects = pending.get(tx);
  if (!effects) throw new Error('afterCommit() needs an open transaction from withTenant()');
  effects.push(effect);
}

/**
 * Who a transaction acts for: a tenant id alone (system work: unrestricted within the tenant),
 * or a tenant and a user, whose department scope the database then applies
 * (docs/department-scope.md). A TenantContext is one.
 */
export type TenantScope = string | { readonly tenantId: string; readonly userId?: string | undefined };

/** The tenant id of a scope. */
export function tenantOf(scope: TenantScope): string {
  return typeof scope === 'string' ? scope : scope.tenantId;
}

/**
 * Runs fn in one transaction scoped to the tenant; RLS hides every other tenant's rows and,
 * given a user, the rows outside the user's department scope (`app.user_id`). After
 * the commit it runs the effects fn registered with afterCommit, before it returns; an effect
 * that fails is logged, never thrown: the write has committed and its caller must hear so.
 */
export async function withTenant<T>(db: Db, scope: TenantScope, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const tenantId = tenantOf(scope);
  const userId = typeof scope === 'string' ? '' : (scope.userId ?? '');
  const effects: Effect[] = [];
  let open: Tx | undefined;
  try {
    const result = await db.transaction(async (tx) => {
      open = tx;
      pending.set(tx, effects);
      // One round trip: set_config('role', ..., true) is SET LOCAL ROLE.
      await tx.execute(
        sql`SELECT set_config('role', 'bf_app', true), set_config('app.tenant_id', ${tenantId}, true), set_config('app.user_id', ${userId}, true)`,
      );
      return fn(tx);
    });
    await runEffects(effects);
    return result;
  } finally {
    // Registering on a finished transaction throws instead of queueing work that never runs.
    if (open) pending.delete(open);
  }
}

async function runEffects(effects: Effect[]): Promise<void> {
  // splice: each effect runs once even if one of them registers more on the same list.
  for (const effect of effects.splice(0)) {
    try {
      await effect();
    } catch (error) {
      reportEffectFailure(error);
    }
  }
}

/**
 * An effect failed after its commit. Effects own their recovery (the cache starts a new epoch,
 * sockets catch up from the change log), so this only makes the failure visible: one JSON line
 * on stderr in pino's shape (level 40 = warn), as no request logger reaches this layer.
 */
function reportEffectFailure(error: unknown): void {
  const err =
    error instanceof Error ? { type: error.name, message: error.message, stack: error.stack } : error;
  process.stderr.write(
    `${JSON.stringify({ level: 40, time: Date.now(), msg: 'after-commit effect failed', err })}\n`,
  );
}
