/** Request and response schemas of budgets (the guide's BudgetCreateRequest, BudgetUpdateRequest, BudgetResponse). */
import { z } from 'zod';
import { BUDGET_STATUSES, BUDGET_TYPES } from '../../shared/enums.ts';
import { amountSchema } from '../../shared/money.ts';
import {
  currencySchema,
  fiscalYearSchema,
  metadataSchema,
  optionalText,
  pageQuery,
  queryBoolean,
  tagsSchema,
  trimmed,
  uuidParam,
} from '../../shared/validation.ts';
import { lineCreateSchema, lineResponse } from '../lines/index.ts';

const budgetFields = {
  budget_name: trimmed(3, 255, 'budget_name'),
  budget_type: z.enum(BUDGET_TYPES),
  fiscal_year: fiscalYearSchema,
  total_amount: amountSchema('total_amount'),
  base_currency: currencySchema(),
  department_id: optionalText(255),
  cost_center_id: optionalText(255),
  project_id: optionalText(255),
  description: optionalText(2000),
  notes: optionalText(5000),
  tags: tagsSchema.optional(),
  metadata: metadataSchema.optional(),
  period_start: z.iso.date({ message: 'period_start must be a date YYYY-MM-DD' }).optional().meta({
    description: 'First day (its month) of a project/rolling budget, or the month of a quarterly/monthly one',
  }),
  period_end: z.iso
    .date({ message: 'period_end must be a date YYYY-MM-DD' })
    .optional()
    .meta({ description: 'Last day of a project/rolling budget (derived for the other types)' }),
};

export const budgetCreateSchema = z
  .strictObject({
    ...budgetFields,
    template_id: z.string().trim().min(1).max(255).optional(),
    template_version: z.number().int().min(1).optional(),
    budget_lines: z.array(lineCreateSchema).max(1_000_000).default([]),
  })
  .superRefine((b, ctx) => {
    if (b.template_id && b.template_version === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['template_version'],
        message: 'template_version is required when template_id is given',
        params: { rule: 'required_with_template_id' },
      });
    }
  });
export type BudgetCreateInput = z.output<typeof budgetCreateSchema>;

export const budgetUpdateSchema = z
  .strictObject(budgetFields)
  .partial()
  .extend({
    version: z.number({ message: 'version is required for optimistic locking' }).int().min(1),
  });
export type BudgetUpdateInput = z.output<typeof budgetUpdateSchema>;

export const budgetParams = z.strictObject({ id: uuidParam });

export const budgetGetQuery = z.strictObject({
  include_lines: queryBoolean(false),
});

export const budgetListQuery = z.strictObject({
  fiscal_year: z
    .string()
    .regex(/^\d{4}$/, { message: 'fiscal_year must be a 4-digit year' })
    .optional(),
  status: z.enum(BUDGET_STATUSES).optional(),
  budget_type: z.enum(BUDGET_TYPES).optional(),
  department_id: z.string().max(255).optional(),
  text: z.string().trim().min(1).max(255).optional(),
  deleted: queryBoolean(false).meta({
    description: 'true: only soft-deleted budgets (to restore them); false (default): live budgets',
  }),
  ...pageQuery,
});
export type BudgetListQuery = z.output<typeof budgetListQuery>;

export const budgetDeleteQuery = z.strictObject({
  soft_delete: queryBoolean(true),
});

const money = z.string().meta({ example: '1000.00' });
export const totalsResponse = z.object({
  revenue: money,
  expense: money,
  asset: money,
  liability: money,
  net: money.meta({ description: 'revenue - expense' }),
  line_count: z.number().int(),
});

export const budgetResponse = z.object({
  budget_id: z.uuid(),
  budget_name: z.string(),
  budget_type: z.enum(BUDGET_TYPES),
  fiscal_year: z.string(),
  period_start: z.string().nullable(),
  period_end: z.string().nullable(),
  total_amount: money,
  base_currency: z.string(),
  status: z.enum(BUDGET_STATUSES),
  approval_workflow_id: z.string().nullable(),
  approved_at: z.string().nullable(),
  approved_by: z.string().nullable(),
  department_id: z.string().nullable(),
  cost_center_id: z.string().nullable(),
  project_id: z.string().nullable(),
  description: z.string().nullable(),
  notes: z.string().nullable(),
  tags: z.array(z.string()),
  metadata: z.record(z.string(), z.unknown()),
  template_id: z.string().nullable(),
  template_version: z.number().int().nullable(),
  created_at: z.string(),
  created_by: z.string(),
  updated_at: z.string().nullable(),
  updated_by: z.string().nullable(),
  version: z.number().int(),
  totals: totalsResponse,
  budget_lines: z.array(lineResponse).optional(),
});
// A named component of the OpenAPI document (and of the generated client types).
z.globalRegistry.add(budgetResponse, { id: 'Budget' });

export const budgetListResponse = z.object({
  items: z.array(budgetResponse),
  next_cursor: z.string().nullable(),
});

/** The request example of POST /budgets in the OpenAPI document (checked against the schema by redocly). */
export const budgetCreateExample = {
  budget_name: 'FY2027 Operating',
  budget_type: 'annual',
  fiscal_year: '2027',
  total_amount: '1200000.00',
  base_currency: 'USD',
  department_id: 'sales',
  budget_lines: [
    { line_name: 'Salaries', line_type: 'expense', category: 'people', amount: '850000.00' },
    { line_name: 'Travel', line_type: 'expense', category: 'operations', amount: '50000.00' },
  ],
} satisfies z.input<typeof budgetCreateSchema>;
