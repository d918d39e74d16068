/**
 * References to members from budget lines (docs/dimensions.md, "Validation of references"): once a
 * tenant keeps members for a dimension, a line's code for it must be one of them. A tenant with no
 * members for a dimension is not checked for it (codes stay free text, as before trees existed).
 */
import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../platform/db/client.ts';
import { type FieldError, ValidationError } from '../../platform/http/errors.ts';
import type { TenantContext } from '../../platform/tenancy/tenancy.ts';
import { recordAudit } from '../audit/index.ts';
import { ImportRejectedError, MAX_REPORTED_ERRORS } from '../imports/index.ts';
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
  const named = (c: unknown) => typeof c === 'string' && c !== '';
  if (!lines.some((l) => FIELDS.some((f) => named(f.code(l))))) return [];
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
      await createRoots(tx, ctx, f.dimension, missing, (code) => accountTypeOf(codes.get(code)!.lineType));
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

/** Creates codes as root members named by their code (`accountType` for GL accounts). */
async function createRoots(
  tx: Queryable,
  ctx: TenantContext,
  dimension: Dimension,
  codes: string[],
  accountType: (code: string) => AccountType,
): Promise<void> {
  await upsertMembers(
    tx,
    ctx,
    dimension,
    codes.map((code) => ({
      code,
      name: code,
      parent_code: null,
      account_type: dimension === 'gl_account' ? accountType(code) : null,
    })),
  );
}

/** The dimensions an actual posting carries, and their columns in `actuals`. */
const ACTUAL_COLUMNS: { dimension: Dimension; column: string }[] = [
  { dimension: 'department', column: 'department_id' },
  { dimension: 'cost_center', column: 'cost_center_id' },
  { dimension: 'gl_account', column: 'gl_account_id' },
];

/**
 * Checks the codes of an actuals batch just written (inside its transaction) against the
 * tenant's trees, set-wise in SQL (a batch can hold a million rows): 422 `import_rejected` with
 * every failing row counted and the first 100 errors (`rows.<n>.department_id`,
 * `unknown_member`), or with `createMissing` the unknown codes created as roots (GL accounts as
 * `expense`: a posting does not say its account's type; change it with PUT). Dimensions without
 * members are not checked, as for lines.
 */
export async function checkActualMembers(
  tx: Queryable,
  ctx: TenantContext,
  batchId: string,
  dataRows: number,
  options: MemberCheckOptions = {},
): Promise<{ dimension: Dimension; code: string }[]> {
  const inUse = await dimensionsInUse(tx);
  const columns = ACTUAL_COLUMNS.filter((c) => inUse.has(c.dimension));
  if (columns.length === 0) return [];
  const values = sql.join(
    columns.map((c) => sql`(${c.dimension}::text, ${c.column}::text, a.${sql.identifier(c.column)})`),
    sql`, `,
  );
  const unknown = sql`
    SELECT a.row_number, d.dimension, d.field, d.code
    FROM actuals a CROSS JOIN LATERAL (VALUES ${values}) AS d(dimension, field, code)
    WHERE a.batch_id = ${batchId}::uuid AND d.code IS NOT NULL AND d.code <> ''
      AND NOT EXISTS (SELECT 1 FROM dimension_members m WHERE m.dimension = d.dimension AND m.code = d.code)`;
  if (options.createMissing) {
    const missing = await queryRows<{ dimension: Dimension; code: string }>(
      tx,
      sql`SELECT DISTINCT u.dimension, u.code FROM (${unknown}) u ORDER BY u.dimension, u.code`,
    );
    for (const c of columns) {
      const codes = missing.filter((m) => m.dimension === c.dimension).map((m) => m.code);
      if (codes.length) await createRoots(tx, ctx, c.dimension, codes, () => 'expense');
    }
    if (missing.length)
      await recordAudit(tx, ctx, {
        action: 'dimension_member.created_from_actuals',
        entityType: 'dimension_member',
        after: { created: missing.slice(0, 1000), count: missing.length, batch_id: batchId },
      });
    return missing;
  }
  const [counts] = await queryRows<{ errors: number; rows: number }>(
    tx,
    sql`SELECT count(*)::int AS errors, count(DISTINCT u.row_number)::int AS rows FROM (${unknown}) u`,
  );
  if (!counts || counts.errors === 0) return [];
  const first = await queryRows<{ row_number: number; dimension: Dimension; field: string; code: string }>(
    tx,
    sql`SELECT * FROM (${unknown}) u ORDER BY u.row_number, u.field LIMIT ${MAX_REPORTED_ERRORS}`,
  );
  throw new ImportRejectedError(
    first.map((e) => ({
      path: `rows.${e.row_number}.${e.field}`,
      code: 'unknown_member',
      message: `row ${e.row_number}: ${e.field} "${e.code}" is not a member of the ${e.dimension} tree (add it under /dimensions/${e.dimension}/members, or import with the mapping option create_missing_members: true)`,
    })),
    counts.errors,
    dataRows,
    counts.rows,
  );
}

/** The account type of a GL account created from a line: its line type (all four are account types). */
function accountTypeOf(lineType: string): AccountType {
  return lineType === 'revenue' || lineType === 'asset' || lineType === 'liability' ? lineType : 'expense';
}
