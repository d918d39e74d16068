/** Request and response schemas of scenarios (named what-ifs on a budget) and their comparison. */
import { z } from 'zod';
import { LINE_TYPES } from '../../shared/enums.ts';
import { amountSchema, Decimal, decimalString, MAX_AMOUNT } from '../../shared/money.ts';
import { fiscalYearSchema, optionalText, pageQuery, trimmed, uuidParam } from '../../shared/validation.ts';

const filterSchema = z
  .strictObject({
    line_type: z.enum(LINE_TYPES).optional(),
    category: trimmed(1, 100, 'category').optional(),
    department_id: z.string().trim().min(1).max(255).optional(),
    gl_account_id: z.string().trim().min(1).max(255).optional(),
  })
  .default({});

const fromPeriod = z
  .union([
    z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, {
      message: 'from_period must be a month "YYYY-MM" or a period index',
    }),
    z.number().int().min(0).max(119),
  ])
  .optional()
  .meta({ description: 'first affected period: a month "YYYY-MM" or a 0-based period index' });

const adjustmentSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('percent'),
    value: decimalString({ scale: 4, min: new Decimal(-100), max: new Decimal(10_000), label: 'value' }).meta(
      {
        description: 'percent change, -100 to 10000, up to 4 decimals ("-12.5" cuts 12.5%)',
      },
    ),
    filter: filterSchema,
    from_period: fromPeriod,
  }),
  z.strictObject({
    kind: z.literal('absolute'),
    value: decimalString({ scale: 2, min: MAX_AMOUNT.negated(), max: MAX_AMOUNT, label: 'value' }).meta({
      description: 'amount added to each matching line (may be negative)',
    }),
    filter: filterSchema,
    from_period: fromPeriod,
  }),
]);
export type Adjustment = z.output<typeof adjustmentSchema>;

const adjustments = z.array(adjustmentSchema).max(100);

export const scenarioCreateSchema = z.strictObject({
  name: trimmed(1, 255, 'name'),
  description: optionalText(2000),
  adjustments: adjustments.default([]),
});
export type ScenarioCreateInput = z.output<typeof scenarioCreateSchema>;

export const scenarioUpdateSchema = z.strictObject({
  version: z.number({ message: 'version is required for optimistic locking' }).int().min(1),
  name: trimmed(1, 255, 'name').optional(),
  description: optionalText(2000),
  adjustments: adjustments.optional(),
});
export type ScenarioUpdateInput = z.output<typeof scenarioUpdateSchema>;

export const promoteSchema = z
  .strictObject({
    budget_name: trimmed(3, 255, 'budget_name').optional(),
    fiscal_year: fiscalYearSchema.optional(),
    total_amount: amountSchema('total_amount').optional(),
  })
  .default({});
export type PromoteInput = z.output<typeof promoteSchema>;

export const scenarioParams = z.strictObject({ id: uuidParam, scenarioId: uuidParam });
export const budgetIdParams = z.strictObject({ id: uuidParam });
export const scenarioListQuery = z.strictObject({ ...pageQuery });
export const scenarioDeleteQuery = z.strictObject({ version: z.coerce.number().int().min(1).optional() });
export const compareQuery = z.strictObject({
  scenario_ids: z
    .string()
    .max(400)
    .transform((s, ctx) => {
      const ids = [...new Set(s.split(',').map((x) => x.trim()))];
      if (ids.length > 10 || ids.some((id) => !uuidParam.safeParse(id).success)) {
        ctx.addIssue({
          code: 'custom',
          message: 'scenario_ids must be 1 to 10 comma-separated scenario UUIDs',
          params: { rule: 'invalid_ids' },
        });
        return z.NEVER;
      }
      return ids;
    })
    .optional()
    .meta({ description: 'comma-separated ids; default: every scenario of the budget (at most 10)' }),
});

export const scenarioResponse = z.object({
  scenario_id: z.uuid(),
  budget_id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  adjustments: z.array(z.record(z.string(), z.unknown())),
  promoted_budget_id: z.uuid().nullable(),
  created_at: z.string(),
  created_by: z.string(),
  updated_at: z.string().nullable(),
  updated_by: z.string().nullable(),
  version: z.number().int(),
});
// A named component of the OpenAPI document (and of the generated client types).
z.globalRegistry.add(scenarioResponse, { id: 'Scenario' });
export const scenarioListResponse = z.object({
  items: z.array(scenarioResponse),
  next_cursor: z.string().nullable(),
});

const money = z.string().meta({ example: '1000.00' });
const keyed = z.array(z.object({ key: z.string().nullable(), amount: money }));
const totalsSchema = z.object({
  by_line_type: z.object({ revenue: money, expense: money, asset: money, liability: money, net: money }),
  by_category: keyed,
  by_department: keyed,
  by_period: z.array(z.object({ period_index: z.number().int(), period_start: z.string(), amount: money })),
});
export const compareResponse = z.object({
  budget_id: z.uuid(),
  periods_available: z
    .boolean()
    .meta({ description: 'false: the budget has no per-period amounts; lines are treated as period-less' }),
  rounding: z.string(),
  base: z.object({ totals: totalsSchema }),
  scenarios: z.array(
    z.object({
      scenario_id: z.uuid(),
      name: z.string(),
      totals: totalsSchema,
      deltas: totalsSchema.meta({ description: 'scenario minus base, same keys as totals' }),
      changed_lines: z.number().int(),
      clamped_lines: z.number().int(),
      warnings: z.array(z.string()),
    }),
  ),
});

/** The request example of POST /budgets/{id}/scenarios in the OpenAPI document. */
export const scenarioCreateExample = {
  name: 'Hiring freeze from July',
  description: 'People costs 10% lower from the seventh period, travel down 5,000.00 per line',
  adjustments: [
    { kind: 'percent', value: '-10', filter: { category: 'people' }, from_period: 6 },
    { kind: 'absolute', value: '-5000.00', filter: { category: 'travel' } },
  ],
} satisfies z.input<typeof scenarioCreateSchema>;
