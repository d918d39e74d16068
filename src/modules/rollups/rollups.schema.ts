/** Request and response schemas of the roll-ups along dimension trees (docs/dimensions.md). */
import { z } from 'zod';
import { LINE_TYPES } from '../../shared/enums.ts';
import { DIMENSIONS, dimensionParam } from '../dimensions/index.ts';
import { varianceQuery } from '../variance/index.ts';

const selection = {
  dimension: dimensionParam,
  level: z.coerce
    .number({ error: 'level must be a whole number from 1 (the roots)' })
    .int({ message: 'level must be a whole number from 1 (the roots)' })
    .min(1, { message: 'level must be at least 1 (the roots)' })
    .max(100)
    .optional()
    .meta({ description: 'tree level to roll up to: 1 = the roots (default), 2 = their children, ...' }),
  node: z.string().trim().min(1).max(255).optional().meta({
    description: "instead of level: the children of this member (its own lines as a 'direct' node)",
  }),
};

export const rollupQuery = z.strictObject({
  ...selection,
  by: z
    .enum(['month', 'quarter', 'half', 'year'])
    .optional()
    .meta({ description: 'also per period, grouped as GET /budgets/:id/periods groups them' }),
});
export type RollupQuery = z.output<typeof rollupQuery>;

export const varianceRollupQuery = z.strictObject({
  ...selection,
  as_of: varianceQuery.shape.as_of,
  threshold_amount: varianceQuery.shape.threshold_amount,
  threshold_percent: varianceQuery.shape.threshold_percent,
  line_type: varianceQuery.shape.line_type,
});
export type VarianceRollupQuery = z.output<typeof varianceRollupQuery>;

const money = z.string().meta({ example: '1250.00' });
const amounts = z.object({
  revenue: money,
  expense: money,
  asset: money,
  liability: money,
  net: money.meta({ description: 'revenue - expense' }),
});

const nodeFields = {
  code: z.string().nullable().meta({ description: 'null for the unassigned node' }),
  name: z.string(),
  kind: z.enum(['member', 'direct', 'unassigned']).meta({
    description:
      'member: the node and its subtree; direct: lines on the selected node itself (node=); unassigned: lines with no code or a code that is not a member',
  }),
  depth: z.number().int().nullable(),
  path: z.array(z.string()),
  line_count: z.number().int(),
};

export const rollupResponse = z.object({
  budget_id: z.uuid(),
  dimension: z.enum(DIMENSIONS),
  level: z.number().int().nullable(),
  node: z.string().nullable(),
  by: z.enum(['month', 'quarter', 'half', 'year']).nullable(),
  periods: z.array(z.object({ label: z.string(), period_start: z.string() })),
  nodes: z.array(
    z.object({
      ...nodeFields,
      amounts,
      periods: z.array(amounts.extend({ label: z.string() })),
    }),
  ),
  total: amounts.meta({ description: 'the sum of the nodes: the budget (or the node= subtree) exactly' }),
  unknown_codes: z.array(z.string()).meta({ description: 'codes of lines that are not members (first 100)' }),
});
export type RollupResponse = z.output<typeof rollupResponse>;

const figures = z.object({
  budget: money,
  actual: money,
  variance: money.meta({ description: 'actual - budget' }),
  variance_percent: z.string().nullable(),
  favourability: z.enum(['favourable', 'unfavourable', 'on_budget']),
  flags: z.array(z.enum(['amount', 'percent'])),
  flagged: z.boolean(),
});
export type Figures = z.output<typeof figures>;
const byType = z.object({ line_type: z.enum(LINE_TYPES), month: figures, ytd: figures });

export const varianceRollupResponse = z.object({
  budget_id: z.uuid(),
  dimension: z.enum(DIMENSIONS),
  level: z.number().int().nullable(),
  node: z.string().nullable(),
  base_currency: z.string(),
  as_of: z.string(),
  period_from: z.string(),
  thresholds: z.object({ amount: money, percent: z.string() }),
  nodes: z.array(z.object({ ...nodeFields, rows: z.array(byType) })),
  totals: z
    .array(byType)
    .meta({ description: 'per line type, the sum of the nodes (= the variance report totals)' }),
  unmatched: z.object({ month_actual: money, ytd_actual: money, actual_rows: z.number().int() }).meta({
    description: 'actuals no line matched (docs/variance.md): on no line, so in no node',
  }),
});
export type VarianceRollupResponse = z.output<typeof varianceRollupResponse>;
