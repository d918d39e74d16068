/** Line inputs to rows: every line of a request validated at once, and mapped to its new row. */
import { v7 as uuidv7 } from 'uuid';
import { type FieldError, ValidationError } from '../../platform/http/errors.ts';
import type { TenantContext } from '../../platform/tenancy/tenancy.ts';
import { lineSignErrors, resolveLineAmount } from './lines.domain.ts';
import type { NewLine } from './lines.repository.ts';
import type { LineCreateInput } from './lines.schema.ts';
import { spreadFieldErrors } from './periods.domain.ts';

const MAX_REPORTED_ERRORS = 100;

/** Validates line inputs and maps them to rows; throws one 400 listing every bad field. */
export function toNewLines(
  ctx: TenantContext,
  budgetId: string,
  inputs: LineCreateInput[],
  pathPrefix: string,
): NewLine[] {
  const errors: FieldError[] = [];
  const rows: NewLine[] = [];
  inputs.forEach((l, i) => {
    // An empty prefix means the body is the line itself (POST /lines): paths are its fields.
    const prefix = pathPrefix ? `${pathPrefix}.${i}.` : '';
    const resolved = resolveLineAmount(l, prefix);
    const spreadErrors = spreadFieldErrors(l.spread_method ?? 'even', l.spread_profile, prefix);
    const signErrors =
      resolved.amount !== undefined ? lineSignErrors(resolved.amount, l.is_contra ?? false, prefix) : [];
    if (resolved.errors.length || spreadErrors.length || signErrors.length) {
      errors.push(...resolved.errors, ...spreadErrors, ...signErrors);
      return;
    }
    rows.push({
      id: uuidv7(),
      tenantId: ctx.tenantId,
      budgetId,
      createdBy: ctx.userId,
      lineName: l.line_name,
      lineType: l.line_type,
      category: l.category,
      subcategory: l.subcategory ?? null,
      amount: resolved.amount!,
      isContra: l.is_contra ?? false,
      quantity: l.quantity ?? null,
      unitCost: l.unit_cost ?? null,
      allocationMethod: l.allocation_method ?? 'direct',
      allocationPercentage: l.allocation_percentage ?? null,
      allocationDriver: l.allocation_driver ?? null,
      departmentId: l.department_id ?? null,
      costCenterId: l.cost_center_id ?? null,
      glAccountId: l.gl_account_id ?? null,
      description: l.description ?? null,
      notes: l.notes ?? null,
      requiresApproval: l.requires_approval ?? false,
      approvalThreshold: l.approval_threshold ?? null,
      lineOrder: l.line_order ?? 0,
      metadata: l.metadata ?? {},
      spreadMethod: l.spread_method ?? 'even',
      spreadProfile: l.spread_profile ?? null,
    });
  });
  if (errors.length) throw new ValidationError(errors.slice(0, MAX_REPORTED_ERRORS));
  return rows;
}
