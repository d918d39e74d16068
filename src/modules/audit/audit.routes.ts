/** GET /audit: the tenant's audit trail, newest first; GET /audit/verify: its hash chain checked. */
import { z } from 'zod';
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import type { Db } from '../../platform/db/client.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import { withTenant } from '../../platform/tenancy/tenancy.ts';
import { pageQuery } from '../../shared/validation.ts';
import { type ChainReport, verifyAuditChain } from './audit.chain.ts';
import { listAudit } from './audit.repository.ts';

const query = z.strictObject({
  entity_type: z.string().max(100).optional(),
  entity_id: z.uuid().optional(),
  action: z.string().max(100).optional(),
  user_id: z.string().max(255).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  ...pageQuery,
});

const entry = z.object({
  audit_id: z.uuid(),
  occurred_at: z.string(),
  user_id: z.string(),
  action: z.string(),
  entity_type: z.string(),
  entity_id: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  request_id: z.string().nullable(),
});

const chainReport = z.object({
  tenant_id: z.uuid(),
  ok: z.boolean(),
  rows_checked: z.number().int(),
  head: z.object({ seq: z.number().int(), hash: z.string() }).nullable(),
  first_broken: z
    .object({
      audit_id: z.uuid().nullable(),
      seq: z.number().int().nullable(),
      problem: z.enum(['row_hash_mismatch', 'prev_hash_mismatch', 'seq_mismatch', 'head_mismatch']),
      expected: z.string(),
      stored: z.string(),
    })
    .nullable(),
});

/** The wire form of a chain report (GET /audit/verify and `bf audit verify --json`). */
export function presentChainReport(r: ChainReport): z.infer<typeof chainReport> {
  return {
    tenant_id: r.tenantId,
    ok: r.ok,
    rows_checked: r.rowsChecked,
    head: r.head,
    first_broken: r.firstBroken && {
      audit_id: r.firstBroken.auditId,
      seq: r.firstBroken.seq,
      problem: r.firstBroken.problem,
      expected: r.firstBroken.expected,
      stored: r.firstBroken.stored,
    },
  };
}

/** Registers /audit. */
export function auditRoutes(app: App, auth: Authenticator, db: Db): void {
  app.get(
    '/audit',
    {
      onRequest: auth.require('audit:read'),
      schema: {
        tags: ['audit'],
        summary: 'Audit log entries (filters, cursor pagination)',
        querystring: query,
        response: {
          200: z.object({ items: z.array(entry), next_cursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const rows = await withTenant(db, ctxOf(req), (tx) =>
        listAudit(tx, {
          entityType: q.entity_type,
          entityId: q.entity_id,
          action: q.action,
          userId: q.user_id,
          from: q.from ? new Date(q.from) : undefined,
          to: q.to ? new Date(q.to) : undefined,
          cursor: decodeCursor(q.cursor),
          limit: q.limit,
        }),
      );
      const page = pageOf(rows, q.limit);
      return {
        items: page.items.map((r) => ({
          audit_id: r.id,
          occurred_at: r.occurredAt.toISOString(),
          user_id: r.userId,
          action: r.action,
          entity_type: r.entityType,
          entity_id: r.entityId,
          before: r.before,
          after: r.after,
          request_id: r.requestId,
        })),
        next_cursor: page.nextCursor,
      };
    },
  );

  app.get(
    '/audit/verify',
    {
      onRequest: auth.require('audit:verify'),
      schema: {
        tags: ['audit'],
        summary: "Verify the tenant's audit hash chain; reports the first broken link",
        response: { 200: chainReport, ...errorResponses },
      },
    },
    async (req) => presentChainReport(await verifyAuditChain(db, ctxOf(req).tenantId)),
  );
}
