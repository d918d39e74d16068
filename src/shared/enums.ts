/** Enumerations of the data model (the design guide's BFBudgetType, BFBudgetStatus, ...). */

export const BUDGET_TYPES = ['annual', 'quarterly', 'monthly', 'project', 'rolling'] as const;
export type BudgetType = (typeof BUDGET_TYPES)[number];

export const BUDGET_STATUSES = [
  'draft',
  'under_review',
  'approved',
  'active',
  'locked',
  'rejected',
  'archived',
] as const;
export type BudgetStatus = (typeof BUDGET_STATUSES)[number];

export const LINE_TYPES = ['revenue', 'expense', 'asset', 'liability'] as const;
export type LineType = (typeof LINE_TYPES)[number];

export const ALLOCATION_METHODS = [
  'direct',
  'percentage',
  'headcount',
  'revenue',
  'square_footage',
  'custom',
] as const;
export type AllocationMethod = (typeof ALLOCATION_METHODS)[number];

/** How a line's amount is spread over the budget's periods. */
export const SPREAD_METHODS = ['even', 'seasonal', 'last_year', 'manual'] as const;
export type SpreadMethod = (typeof SPREAD_METHODS)[number];

export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
