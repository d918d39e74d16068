/**
 * Department scopes of users (docs/department-scope.md): which departments a user may see and
 * edit. The database enforces them (row-level security reads `department_scopes` for
 * `app.user_id`); this service only writes them, audited, and refuses a grant wider than the
 * granting admin's own scope.
 */
import { and, eq, sql } from 'drizzle-orm';
import { validate as isUuid } from 'uuid';
import type { Cache } from '../../platform/cache/cache.ts';
import type { Db, Tx } from '../../platform/db/client.ts';
import { departmentScopes } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/http/errors.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.ts';
import { ScopeKeys } from '../../platform/tenancy/scope-keys.ts';
import { type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import { recordAudit } from '../audit/index.ts';

/** A user's scope as the API shows it; `departments: null` is unrestricted. */
export interface DepartmentScopeView {
  user_id: string;
  departments: string[] | null;
  updated_at: string | null;
  updated_by: string | null;
}

/** The acting user's own scope, as the database resolves it (null: unrestricted). */
async function actorScope(tx: Tx): Promise<string[] | null> {
  // to_jsonb: one shape from both drivers (pg and PGlite parse arrays their own ways).
  const result = (await tx.execute(sql`SELECT to_jsonb(bf_department_scope()) AS scope`)) as unknown as {
    rows: { scope: string[] | null }[];
  };
  return result.rows[0]?.scope ?? null;
}

// The audit log's entity_id is a UUID: a local user's id is one, an identity provider's
// subject may not be (it is in before/after either way).
function auditId(userId: string): string | null {
  return isUuid(userId) ? userId : null;
}

function notWithin(message: string): AppError {
  return new AppError(403, 'grant_not_allowed', message, [
    { path: 'departments', code: 'grant_not_allowed', message },
  ]);
}

interface ScopeRow {
  departments: string[];
  updated_at: string;
  updated_by: string;
}

// Raw SQL with the array as JSON: one shape from both drivers (pg and PGlite bind and parse
// text[] their own ways).
async function current(tx: Tx, userId: string): Promise<ScopeRow | undefined> {
  const result = (await tx.execute(sql`
    SELECT to_jsonb(departments) AS departments, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at, updated_by
    FROM department_scopes WHERE user_id = ${userId}`)) as unknown as { rows: ScopeRow[] };
  return result.rows[0];
}

async function upsert(tx: Tx, ctx: TenantContext, userId: string, departments: string[]): Promise<void> {
  await tx.execute(sql`
    INSERT INTO department_scopes (tenant_id, user_id, departments, updated_by)
    VALUES (${ctx.tenantId}, ${userId}, ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(departments)}::jsonb)), ${ctx.userId})
    ON CONFLICT (tenant_id, user_id) DO UPDATE
      SET departments = EXCLUDED.departments, updated_at = now(), updated_by = EXCLUDED.updated_by`);
}

function view(userId: string, row: ScopeRow | undefined): DepartmentScopeView {
  return {
    user_id: userId,
    departments: row ? row.departments : null,
    updated_at: row ? row.updated_at : null,
    updated_by: row ? row.updated_by : null,
  };
}

/** Reads and sets users' department scopes. */
export class DepartmentScopeService {
  private readonly scopeKeys: ScopeKeys;

  constructor(
    private readonly db: Db,
    cache: Cache,
    /** Tells open collaboration sockets that scopes may have changed (scope-keys.ts). */
    pubsub?: PubSub,
  ) {
    this.scopeKeys = new ScopeKeys(db, cache, pubsub);
  }

  /** The user's scope (unrestricted when none was set). */
  get(ctx: TenantContext, userId: string): Promise<DepartmentScopeView> {
    return withTenant(this.db, ctx, async (tx) => view(userId, await current(tx, userId)));
  }

  /** Limits the user to these departments (an empty list: to none). */
  set(ctx: TenantContext, userId: string, departments: string[]): Promise<DepartmentScopeView> {
    const wanted = [...new Set(departments)].sort();
    return withTenant(this.db, ctx, async (tx) => {
      const mine = await actorScope(tx);
      if (mine) {
        const outside = wanted.filter((d) => !mine.includes(d));
        if (outside.length)
          throw notWithin(
            `You can grant only departments of your own scope; not yours: ${outside.slice(0, 20).join(', ')}`,
          );
      }
      const before = await current(tx, userId);
      await upsert(tx, ctx, userId, wanted);
      this.scopeKeys.invalidateAfterCommit(tx, ctx.tenantId);
      await recordAudit(tx, ctx, {
        action: 'user.department_scope_set',
        entityType: 'user',
        entityId: auditId(userId),
        before: { user_id: userId, departments: before ? before.departments : null },
        after: { user_id: userId, departments: wanted },
      });
      return view(userId, await current(tx, userId));
    });
  }

  /** Removes the user's scope: unrestricted again. Only an unrestricted admin may. */
  clear(ctx: TenantContext, userId: string): Promise<DepartmentScopeView> {
    return withTenant(this.db, ctx, async (tx) => {
      if (await actorScope(tx))
        throw notWithin('Only a user without a department scope can lift one (make a user unrestricted)');
      const before = await current(tx, userId);
      if (before) {
        await tx
          .delete(departmentScopes)
          .where(and(eq(departmentScopes.tenantId, ctx.tenantId), eq(departmentScopes.userId, userId)));
        this.scopeKeys.invalidateAfterCommit(tx, ctx.tenantId);
        await recordAudit(tx, ctx, {
          action: 'user.department_scope_cleared',
          entityType: 'user',
          entityId: auditId(userId),
          before: { user_id: userId, departments: before.departments },
          after: { user_id: userId, departments: null },
        });
      }
      return view(userId, undefined);
    });
  }
}
