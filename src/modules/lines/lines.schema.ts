/** Request and response schemas of budget lines (the guide's BFBudgetLine and BudgetLineCreateRequest). */
import { z } from 'zod';
import { ALLOCATION_METHODS, LINE_TYPES, SPREAD_METHODS } from '../../shared/enums.ts';
import { amountSchema, Decimal, decimalString, signedAmountSchema } from '../../shared/money.ts';
import {
  metadataSchema,
  optionalText,
  pageQuery,
  queryBoolean,
  trimmed,
  uuidParam,
} from '../../shared/validation.ts';
import { spreadProfileSchema } from './periods.schema.ts';

const quantitySchema = decimalString({
  scale: 4,
  min: new Decimal(0),
  max: new Decimal('99999999999.9999'),
  label: 'quantity',
});
const unitCostSchema = amountSchema('unit_cost');
const percentageSchema = decimalString({
  scale: 2,
  min: new Decimal(0),
  max: new Decimal(100),
  label: 'allocation_percentage',
});

const lineFields = {
  line_name: trimmed(1, 255, 'line_name'),
  line_type: z.enum(LINE_TYPES),
  category: trimmed(1, 100, 'category'),
  subcategory: optionalText(100),
  amount: signedAmountSchema('amount').optional().meta({
    description:
      'decimal string, 2 decimal places; at least 0 unless the line is a contra line (is_contra) and the tenant allows negative lines (PUT /settings allow_negative_lines)',
  }),
  is_contra: z.boolean().optional().meta({
    description:
      "a contra line (vacancy discount, credit, recovery) reduces its line type's total: its amount must be <= 0. Default false",
  }),
  quantity: quantitySchema.nullable().optional(),
  unit_cost: unitCostSchema.nullable().optional(),
  allocation_method: z.enum(ALLOCATION_METHODS).optional(),
  allocation_percentage: percentageSchema.nullable().optional(),
  allocation_driver: optionalText(100),
  department_id: optionalText(255),
  cost_center_id: optionalText(255),
  gl_account_id: optionalText(255),
  description: optionalText(1000),
  notes: optionalText(2000),
  requires_approval: z.boolean().optional(),
  approval_threshold: amountSchema('approval_threshold').nullable().optional(),
  line_order: z.number().int().min(0).max(2_147_483_647).optional(),
  metadata: metadataSchema.optional(),
  spread_method: z.enum(SPREAD_METHODS).optional(),
  spread_profile: spreadProfileSchema.nullable().optional(),
};

export const lineCreateSchema = z.strictObject(lineFields);
export type LineCreateInput = z.output<typeof lineCreateSchema>;

export const lineUpdateSchema = lineCreateSchema.partial().extend({ version: z.number().int().min(1) });
export type LineUpdateInput = z.output<typeof lineUpdateSchema>;

export const bulkLinesSchema = z.strictObject({
  mode: z.enum(['append', 'replace']).default('append'),
  lines: z.array(lineCreateSchema).min(0).max(1_000_000),
});

/** `:id` of /budgets/:id/lines and /budgets/:id/periods (the budgets module's budgetParams has the same shape). */
export const budgetParams = z.strictObject({ id: uuidParam });
export const lineParams = z.strictObject({ id: uuidParam, lineId: uuidParam });
export const linesListQuery = z.strictObject({ ...pageQuery });
export const lineDeleteQuery = z.strictObject({
  soft_delete: queryBoolean(true),
  version: z.coerce.number().int().min(1).optional(),
});

export const lineResponse = z.object({
  line_id: z.uuid(),
  budget_id: z.uuid(),
  line_name: z.string(),
  line_type: z.enum(LINE_TYPES),
  category: z.string(),
  subcategory: z.string().nullable(),
  amount: z.string().meta({ example: '1200.00' }),
  is_contra: z.boolean(),
  quantity: z.string().nullable(),
  unit_cost: z.string().nullable(),
  allocation_method: z.enum(ALLOCATION_METHODS),
  allocation_percentage: z.string().nullable(),
  allocation_driver: z.string().nullable(),
  department_id: z.string().nullable(),
  cost_center_id: z.string().nullable(),
  gl_account_id: z.string().nullable(),
  description: z.string().nullable(),
  notes: z.string().nullable(),
  requires_approval: z.boolean(),
  approval_threshold: z.string().nullable(),
  line_order: z.number().int(),
  metadata: z.record(z.string(), z.unknown()),
  spread_method: z.enum(SPREAD_METHODS),
  spread_profile: z.array(z.string()).nullable(),
  created_at: z.string(),
  created_by: z.string(),
  updated_at: z.string().nullable(),
  updated_by: z.string().nullable(),
  version: z.number().int(),
});
// A named component of the OpenAPI document (and of the generated client types).
z.globalRegistry.add(lineResponse, { id: 'BudgetLine' });

/** The request example of POST /budgets/{id}/lines in the OpenAPI document. */
export const lineCreateExample = {
  line_name: 'Cloud hosting',
  line_type: 'expense',
  category: 'infrastructure',
  amount: '36000.00',
  gl_account_id: '6100',
  spread_method: 'even',
} satisfies z.input<typeof lineCreateSchema>;
