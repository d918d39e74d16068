/**
 * The pure rules of a line update: the fields of `PUT /budgets/:id/lines/:lineId` merged onto
 * the stored line (amount from quantity x unit cost, spread profile kept or dropped, sign rule).
 * Shared by LineService.update (one edit) and the edit batch (lines.batch.ts, many at once).
 */
import { ValidationError } from '../../platform/http/errors.ts';
import { Decimal } from '../../shared/money.ts';
import { lineSignErrors, resolveLineAmount } from './lines.domain.ts';
import type { LineRow, NewLine } from './lines.repository.ts';
import type { LineUpdateInput } from './lines.schema.ts';
import { spreadFieldErrors } from './periods.domain.ts';

/** The fields of an update without its version. */
export type LineFields = Omit<LineUpdateInput, 'version'>;

/** The columns an update writes (the version and updated_at are the writer's). Throws ValidationError. */
export function linePatch(before: LineRow, fields: LineFields, userId: string): Partial<NewLine> {
  const spreadMethod = fields.spread_method ?? before.spreadMethod;
  // Leaving the seasonal method drops the profile; otherwise an absent profile keeps the stored one.
  const spreadProfile =
    fields.spread_profile !== undefined
      ? fields.spread_profile
      : spreadMethod === 'seasonal'
        ? before.spreadProfile
        : null;
  const spreadErrors = spreadFieldErrors(spreadMethod, spreadProfile, '');
  if (spreadErrors.length) throw new ValidationError(spreadErrors);
  const merged = {
    amount:
      fields.amount !== undefined
        ? fields.amount
        : fields.quantity !== undefined || fields.unit_cost !== undefined
          ? undefined
          : before.amount,
    quantity: fields.quantity !== undefined ? fields.quantity : before.quantity,
    unit_cost: fields.unit_cost !== undefined ? fields.unit_cost : before.unitCost,
    allocation_method: fields.allocation_method ?? before.allocationMethod,
    allocation_percentage:
      fields.allocation_percentage !== undefined ? fields.allocation_percentage : before.allocationPercentage,
  };
  const resolved = resolveLineAmount(merged);
  if (resolved.errors.length) throw new ValidationError(resolved.errors);
  const isContra = fields.is_contra ?? before.isContra;
  const signErrors = lineSignErrors(resolved.amount!, isContra);
  if (signErrors.length) throw new ValidationError(signErrors);
  const pick = <T>(v: T | undefined, f: (x: T) => Partial<NewLine>) => (v !== undefined ? f(v) : {});
  return {
    updatedBy: userId,
    amount: resolved.amount!,
    quantity: merged.quantity ?? null,
    unitCost: merged.unit_cost ?? null,
    allocationPercentage: merged.allocation_percentage ?? null,
    spreadMethod,
    spreadProfile,
    isContra,
    ...pick(fields.line_name, (v) => ({ lineName: v })),
    ...pick(fields.line_type, (v) => ({ lineType: v })),
    ...pick(fields.category, (v) => ({ category: v })),
    ...pick(fields.subcategory, (v) => ({ subcategory: v })),
    ...pick(fields.allocation_method, (v) => ({ allocationMethod: v })),
    ...pick(fields.allocation_driver, (v) => ({ allocationDriver: v })),
    ...pick(fields.department_id, (v) => ({ departmentId: v })),
    ...pick(fields.cost_center_id, (v) => ({ costCenterId: v })),
    ...pick(fields.gl_account_id, (v) => ({ glAccountId: v })),
    ...pick(fields.description, (v) => ({ description: v })),
    ...pick(fields.notes, (v) => ({ notes: v })),
    ...pick(fields.requires_approval, (v) => ({ requiresApproval: v })),
    ...pick(fields.approval_threshold, (v) => ({ approvalThreshold: v })),
    ...pick(fields.line_order, (v) => ({ lineOrder: v })),
    ...pick(fields.metadata, (v) => ({ metadata: v })),
  };
}

/** What the periods of a line depend on: a change re-spreads them. */
export const spreadKey = (l: LineRow) =>
  JSON.stringify([l.amount, l.spreadMethod, l.spreadProfile, l.glAccountId, l.departmentId, l.category]);

// NUMERIC scales of budget_lines (schema.ts): the row as PostgreSQL would return it.
const SCALES = [
  ['amount', 2],
  ['quantity', 4],
  ['unitCost', 2],
  ['allocationPercentage', 2],
  ['approvalThreshold', 2],
] as const;

/**
 * The line after a patch, as the database will store it (decimals at their column's scale,
 * version bumped), computed without a round trip so that a batch can present every step.
 */
export function patchedLine(before: LineRow, patch: Partial<NewLine>, at: Date): LineRow {
  const next = { ...before, ...patch, version: before.version + 1, updatedAt: at } as LineRow;
  for (const [key, scale] of SCALES) {
    const v = next[key];
    if (v !== null && v !== undefined) (next as Record<string, unknown>)[key] = new Decimal(v).toFixed(scale);
  }
  return next;
}
