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

/** Runs fn in one transaction scoped to the tenant; RLS hides every other tenant's rows. */
export async function withTenant<T>(db: Db, tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    // One round trip: set_config('role', ..., true) is SET LOCAL ROLE.
    await tx.execute(
      sql`SELECT set_config('role', 'bf_app', true), set_config('app.tenant_id', ${tenantId}, true)`,
    );
    return fn(tx);
  });
}
