/** Shapes line rows for the wire (snake_case, decimal strings, ISO times). */
import type { LineRow } from './lines.repository.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A line as the API returns it. */
export function presentLine(r: LineRow) {
  return {
    line_id: r.id,
    budget_id: r.budgetId,
    line_name: r.lineName,
    line_type: r.lineType,
    category: r.category,
    subcategory: r.subcategory,
    amount: r.amount,
    is_contra: r.isContra,
    quantity: r.quantity,
    unit_cost: r.unitCost,
    allocation_method: r.allocationMethod,
    allocation_percentage: r.allocationPercentage,
    allocation_driver: r.allocationDriver,
    department_id: r.departmentId,
    cost_center_id: r.costCenterId,
    gl_account_id: r.glAccountId,
    description: r.description,
    notes: r.notes,
    requires_approval: r.requiresApproval,
    approval_threshold: r.approvalThreshold,
    line_order: r.lineOrder,
    metadata: r.metadata,
    spread_method: r.spreadMethod,
    spread_profile: r.spreadProfile,
    created_at: r.createdAt.toISOString(),
    created_by: r.createdBy,
    updated_at: iso(r.updatedAt),
    updated_by: r.updatedBy,
    version: r.version,
  };
}
export type LineView = ReturnType<typeof presentLine>;
