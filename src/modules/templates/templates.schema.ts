/** Request and response schemas of budget templates and their immutable versions. */
import { z } from 'zod';
import { BUDGET_TYPES, SPREAD_METHODS } from '../../shared/enums.ts';
import { amountSchema, Decimal, decimalString } from '../../shared/money.ts';
import {
  currencySchema,
  fiscalYearSchema,
  metadataSchema,
  optionalText,
  pageQuery,
  tagsSchema,
  trimmed,
  uuidParam,
} from '../../shared/validation.ts';
import { budgetResponse } from '../budgets/index.ts';
import { lineCreateSchema } from '../lines/index.ts';

/** Budget fields a template presets; each may be overridden when a budget is created from it. */
const defaultFields = {
  budget_type: z.enum(BUDGET_TYPES).optional(),
  base_currency: currencySchema().optional(),
  total_amount: amountSchema('total_amount').optional(),
  department_id: optionalText(255),
  cost_center_id: optionalText(255),
  project_id: optionalText(255),
  description: optionalText(2000),
  notes: optionalText(5000),
  tags: tagsSchema.optional(),
  metadata: metadataSchema.optional(),
};
export const templateDefaultsSchema = z.strictObject(defaultFields);
export type TemplateDefaults = z.output<typeof templateDefaultsSchema>;

const weight = decimalString({ scale: 6, min: new Decimal(0), max: new Decimal(1_000_000), label: 'weight' });

/**
 * A template line: a budget line (same rules) plus its spreading. The periods module owns what
 * spreading means; here a seasonal method needs a profile with a positive sum.
 */
export const templateLineSchema = lineCreateSchema
  .extend({
    spread_method: z.enum(SPREAD_METHODS).optional(),
    spread_profile: z.array(weight).min(1).max(120).nullable().optional(),
  })
  .superRefine((l, ctx) => {
    if (l.spread_method === 'seasonal' && !l.spread_profile) {
      ctx.addIssue({
        code: 'custom',
        path: ['spread_profile'],
        message: 'spread_profile is required when spread_method is "seasonal"',
        params: { rule: 'required_for_seasonal' },
      });
    }
    if (l.spread_profile?.every((w) => new Decimal(w).isZero())) {
      ctx.addIssue({
        code: 'custom',
        path: ['spread_profile'],
        message: 'spread_profile weights must not all be zero',
        params: { rule: 'zero_profile' },
      });
    }
  });
export type TemplateLine = z.output<typeof templateLineSchema>;

const templateName = trimmed(3, 255, 'name');

export const templateCreateSchema = z.strictObject({
  name: templateName,
  description: optionalText(2000),
  defaults: templateDefaultsSchema.default({}),
  lines: z.array(templateLineSchema).max(1_000_000).default([]),
  comment: optionalText(2000),
});
export type TemplateCreateInput = z.output<typeof templateCreateSchema>;

export const templateUpdateSchema = z.strictObject({
  version: z.number({ message: 'version is required for optimistic locking' }).int().min(1),
  name: templateName.optional(),
  description: optionalText(2000),
  defaults: templateDefaultsSchema.optional(),
  lines: z.array(templateLineSchema).max(1_000_000).optional(),
  comment: optionalText(2000),
});
export type TemplateUpdateInput = z.output<typeof templateUpdateSchema>;

/** POST /templates/:id/budgets: the new budget's name and year, the version (default current) and overrides. */
export const budgetFromTemplateSchema = z.strictObject({
  template_version: z.number().int().min(1).optional(),
  budget_name: trimmed(3, 255, 'budget_name'),
  fiscal_year: fiscalYearSchema,
  ...defaultFields,
});
export type BudgetFromTemplateInput = z.output<typeof budgetFromTemplateSchema>;

export const templateParams = z.strictObject({ id: uuidParam });
export const templateVersionParams = z.strictObject({
  id: uuidParam,
  version: z.coerce.number().int().min(1).max(2_147_483_647),
});
export const templateListQuery = z.strictObject({
  text: z.string().trim().min(1).max(255).optional(),
  budget_type: z.enum(BUDGET_TYPES).optional(),
  ...pageQuery,
});
export type TemplateListQuery = z.output<typeof templateListQuery>;
export const versionListQuery = z.strictObject({ ...pageQuery });
export const templateDeleteQuery = z.strictObject({
  version: z.coerce.number().int().min(1).optional(),
});

const lineOut = z.record(z.string(), z.unknown());
const defaultsOut = z.record(z.string(), z.unknown());

export const templateResponse = z.object({
  template_id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  budget_type: z.enum(BUDGET_TYPES).nullable(),
  current_version: z.number().int(),
  version: z.number().int().meta({ description: 'optimistic-locking version of the template' }),
  defaults: defaultsOut,
  line_count: z.number().int(),
  lines: z.array(lineOut).optional(),
  created_at: z.string(),
  created_by: z.string(),
  updated_at: z.string().nullable(),
  updated_by: z.string().nullable(),
});
// A named component of the OpenAPI document (and of the generated client types).
z.globalRegistry.add(templateResponse, { id: 'Template' });
export const templateListResponse = z.object({
  items: z.array(templateResponse),
  next_cursor: z.string().nullable(),
});

export const versionSummary = z.object({
  template_id: z.uuid(),
  version: z.number().int(),
  name: z.string(),
  line_count: z.number().int(),
  comment: z.string().nullable(),
  created_at: z.string(),
  created_by: z.string(),
});
export const versionResponse = versionSummary.extend({
  description: z.string().nullable(),
  defaults: defaultsOut,
  lines: z.array(lineOut),
});
export const versionListResponse = z.object({
  items: z.array(versionSummary),
  next_cursor: z.string().nullable(),
});

export { budgetResponse };

/** The request example of POST /templates in the OpenAPI document. */
export const templateCreateExample = {
  name: 'Department operating budget',
  description: 'Headcount and running costs of one department',
  defaults: { budget_type: 'annual', base_currency: 'EUR', total_amount: '500000.00' },
  lines: [
    { line_name: 'Salaries', line_type: 'expense', category: 'people', amount: '400000.00' },
    {
      line_name: 'Events',
      line_type: 'expense',
      category: 'marketing',
      amount: '100000.00',
      spread_method: 'seasonal',
      spread_profile: ['1', '1', '2', '1', '1', '1', '0', '0', '2', '1', '1', '1'],
    },
  ],
} satisfies z.input<typeof templateCreateSchema>;
