/** Shapes budget rows for the wire (the guide's BudgetResponse, plus computed totals). */
import { Decimal, toMoney } from '../../shared/money.ts';
import type { LineView } from '../lines/index.ts';
import type { BudgetRow } from './budgets.repository.ts';

export interface TotalRow {
  lineType: string;
  total: string;
  n: number;
}

/** Totals per line type as exact decimal strings; net = revenue - expense. */
export function presentTotals(rows: TotalRow[]) {
  const by = new Map(rows.map((r) => [r.lineType, new Decimal(r.total)]));
  const get = (t: string) => by.get(t) ?? new Decimal(0);
  return {
    revenue: toMoney(get('revenue')),
    expense: toMoney(get('expense')),
    asset: toMoney(get('asset')),
    liability: toMoney(get('liability')),
    net: toMoney(get('revenue').minus(get('expense'))),
    line_count: rows.reduce((n, r) => n + Number(r.n), 0),
  };
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A budget as the API returns it. */
export function presentBudget(b: BudgetRow, totals: TotalRow[], lines?: LineView[]) {
  return {
    budget_id: b.id,
    budget_name: b.budgetName,
    budget_type: b.budgetType,
    fiscal_year: b.fiscalYear,
    period_start: b.periodStart,
    period_end: b.periodEnd,
    total_amount: b.totalAmount,
    base_currency: b.baseCurrency,
    status: b.status,
    approval_workflow_id: b.approvalWorkflowId,
    approved_at: iso(b.approvedAt),
    approved_by: b.approvedBy,
    department_id: b.departmentId,
    cost_center_id: b.costCenterId,
    project_id: b.projectId,
    description: b.description,
    notes: b.notes,
    tags: b.tags,
    metadata: b.metadata,
    template_id: b.templateId,
    template_version: b.templateVersion,
    created_at: b.createdAt.toISOString(),
    created_by: b.createdBy,
    updated_at: iso(b.updatedAt),
    updated_by: b.updatedBy,
    version: b.version,
    totals: presentTotals(totals),
    ...(lines ? { budget_lines: lines } : {}),
  };
}
export type BudgetView = ReturnType<typeof presentBudget>;
