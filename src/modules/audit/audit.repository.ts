/** Writes and reads the append-only audit log (inside the caller's tenant transaction). */
import { and, desc, eq, gte, lt, lte, type SQL, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { Queryable } from '../../platform/db/client.ts';
import { auditLog } from '../../platform/db/schema.ts';
import type { TenantContext } from '../../platform/tenancy/tenancy.ts';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
}

// AUDIT_ENABLED is a process-wide setting that every writer must obey, so it is decided here,
// once, rather than by each caller (set by the composition root, src/app/modules.ts, from the configuration).
let auditEnabled = true;

/** Turns audit rows on or off for this process (AUDIT_ENABLED). */
export function setAuditEnabled(enabled: boolean): void {
  auditEnabled = enabled;
}

/** Records one mutation; call it in the same transaction as the change. A no-op when audit is off. */
export async function recordAudit(tx: Queryable, ctx: TenantContext, entry: AuditEntry): Promise<void> {
  if (!auditEnabled) return;
  await tx.insert(auditLog).values({
    id: uuidv7(),
    tenantId: ctx.tenantId,
    userId: ctx.userId,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
    requestId: ctx.requestId ?? null,
  });
}

/** Records many mutations in few statements (bulk writes; chunks stay under the parameter limit). */
export async function recordAudits(tx: Queryable, ctx: TenantContext, entries: AuditEntry[]): Promise<void> {
  if (!auditEnabled) return;
  for (let i = 0; i < entries.length; i += 2000) {
    await tx.insert(auditLog).values(
      entries.slice(i, i + 2000).map((entry) => ({
        id: uuidv7(),
        tenantId: ctx.tenantId,
        userId: ctx.userId,
        action: entry.action,
        entityType: entry.entityType,
        entityId: entry.entityId ?? null,
        before: entry.before ?? null,
        after: entry.after ?? null,
        requestId: ctx.requestId ?? null,
      })),
    );
  }
}

/** Records one change of an entity: what each service calls `audit(tx, ctx, action, id, before, after)`. */
export type Auditor = (
  tx: Queryable,
  ctx: TenantContext,
  action: string,
  id: string,
  before: unknown,
  after: unknown,
) => Promise<void>;

/** The auditor of one entity type (or of a type chosen by the action, e.g. bulk line actions). */
export function auditor(entityType: string | ((action: string) => string)): Auditor {
  const typeOf = typeof entityType === 'string' ? () => entityType : entityType;
  return (tx, ctx, action, id, before, after) =>
    recordAudit(tx, ctx, { action, entityType: typeOf(action), entityId: id, before, after });
}

export interface AuditFilter {
  entityType?: string | undefined;
  entityId?: string | undefined;
  action?: string | undefined;
  userId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** Lists audit entries newest first (ids are UUIDv7, so id order is time order). */
export async function listAudit(tx: Queryable, f: AuditFilter) {
  const where: SQL[] = [];
  if (f.entityType) where.push(eq(auditLog.entityType, f.entityType));
  if (f.entityId) where.push(eq(auditLog.entityId, f.entityId));
  if (f.action) where.push(eq(auditLog.action, f.action));
  if (f.userId) where.push(eq(auditLog.userId, f.userId));
  if (f.from) where.push(gte(auditLog.occurredAt, f.from));
  if (f.to) where.push(lte(auditLog.occurredAt, f.to));
  if (f.cursor) where.push(lt(auditLog.id, f.cursor));
  return tx
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(f.limit + 1);
}

/**
 * Records the mutations of several actors in one statement (a batch of live edits): each entry
 * carries its own context. Hand-written SQL, one JSON parameter whatever the batch size.
 */
export async function recordAuditsOf(
  tx: Queryable,
  tenantId: string,
  entries: (AuditEntry & { ctx: Pick<TenantContext, 'userId' | 'requestId'> })[],
): Promise<void> {
  if (!auditEnabled || entries.length === 0) return;
  const rows = entries.map((e) => ({
    id: uuidv7(),
    u: e.ctx.userId,
    a: e.action,
    t: e.entityType,
    e: e.entityId ?? null,
    b: e.before ?? null,
    f: e.after ?? null,
    r: e.ctx.requestId?.slice(0, 100) ?? null,
  }));
  await tx.execute(sql`
    INSERT INTO audit_log (id, tenant_id, user_id, action, entity_type, entity_id, before, after, request_id)
    SELECT x.id, ${tenantId}::uuid, x.u, x.a, x.t, x.e, x.b, x.f, x.r
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      AS x(id uuid, u text, a text, t text, e uuid, b jsonb, f jsonb, r text)
    ORDER BY x.id`);
}
