/**
 * References to members from budget lines (docs/dimensions.md, "Validation of references"): once a
 * tenant keeps members for a dimension, a line's code for it must be one of them. A tenant with no
 * members for a dimension is not checked for it (codes stay free text, as before trees existed).
 */
import type { Queryable } from '../../platform/db/client.ts';
import { type FieldError, ValidationError } from '../../platform/http/errors.ts';
import type { TenantContext } from '../../platform/tenancy/tenancy.ts';
import { recordAudit } from '../audit/index.ts';
import { dimensionsInUse, existingCodes, upsertMembers } from './dimensions.repository.ts';
import type { AccountType, Dimension } from './dimensions.schema.ts';

/** The codes a line carries, as the lines module's rows name them. */
export interface LineCodes {
  departmentId?: string | null;
  costCenterId?: string | null;
  glAccountId?: string | null;
  lineType: string;
  metadata?: Record<string, unknown> | null;
}

// Dimension -> the line field holding its code, and that field's name on the wire.
const FIELDS: { dimension: Dimension; code: (l: LineCodes) => unknown; path: string }[] = [
  { dimension: 'department', code: (l) => l.departmentId, path: 'department_id' },
  { dimension: 'cost_center', code: (l) => l.costCenterId, path: 'cost_center_id' },
  { dimension: 'gl_account', code: (l) => l.glAccountId, path: 'gl_account_id' },
  { dimension: 'fund', code: (l) => l.metadata?.fund, path: 'metadata.fund' },
];

export interface MemberCheckOptions {
  /** Create unknown codes as root members (named by their code) instead of refusing them. */
  createMissing?: boolean | undefined;
}

/**
 * Refuses (400 `unknown_member`, one error per line and field: `<prefix>.<i>.department_id`) the
 * lines whose codes are not members of a dimension the tenant keeps members for, or creates them
 * as roots with `createMissing` (a GL account takes the line's type as its account type).
 * Returns the members created.
 */
export async function checkLineMembers(
  tx: Queryable,
  ctx: TenantContext,
  lines: LineCodes[],
  pathPrefix: string,
  options: MemberCheckOptions = {},
): Promise<{ dimension: Dimension; code: string }[]> {
  if (lines.length === 0) return [];
  const inUse = await dimensionsInUse(tx);
  const errors: FieldError[] = [];
  const created: { dimension: Dimension; code: string }[] = [];
  for (const f of FIELDS) {
    // A dimension without members is not checked (nor filled by createMissing): codes stay free.
    if (!inUse.has(f.dimension)) continue;
    const codes = new Map<string, LineCodes>();
    for (const l of lines) {
      const c = f.code(l);
      if (typeof c === 'string' && c !== '' && !codes.has(c)) codes.set(c, l);
    }
    if (codes.size === 0) continue;
    const known = await existingCodes(tx, f.dimension, [...codes.keys()]);
    const missing = [...codes.keys()].filter((c) => !known.has(c));
    if (missing.length === 0) continue;
    if (options.createMissing) {
      await upsertMembers(
        tx,
        ctx,
        f.dimension,
        missing.map((code) => ({
          code,
          name: code,
          parent_code: null,
          account_type: f.dimension === 'gl_account' ? accountTypeOf(codes.get(code)!.lineType) : null,
        })),
      );
      created.push(...missing.map((code) => ({ dimension: f.dimension, code })));
      continue;
    }
    const unknown = new Set(missing);
    lines.forEach((l, i) => {
      const c = f.code(l);
      if (typeof c !== 'string' || !unknown.has(c)) return;
      const prefix = pathPrefix ? `${pathPrefix}.${i}.` : '';
      errors.push({
        path: `${prefix}${f.path}`,
        code: 'unknown_member',
        message: `${f.path} "${c}" is not a member of the ${f.dimension} tree (add it under /dimensions/${f.dimension}/members, or import with create_missing_members=true)`,
      });
    });
  }
  if (errors.length)
    throw new ValidationError(errors, 'Lines name codes that are not members of their dimension');
  if (created.length)
    await recordAudit(tx, ctx, {
      action: 'dimension_member.created_from_lines',
      entityType: 'dimension_member',
      after: { created: created.slice(0, 1000), count: created.length },
    });
  return created;
}

/** The account type of a GL account created from a line: its line type (all four are account types). */
function accountTypeOf(lineType: string): AccountType {
  return lineType === 'revenue' || lineType === 'asset' || lineType === 'liability' ? lineType : 'expense';
}
