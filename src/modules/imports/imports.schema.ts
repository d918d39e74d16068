/**
 * The column mapping of a file import (actuals and budget lines share it): which source column
 * holds which field, derived fields (a constant, a slice or a regex capture of another column),
 * and how values are written (decimal separator, period format, delimiter, sheet, currency).
 * Without `columns` the header names are matched with a confidence (imports.mapping.ts).
 */
import { z } from 'zod';
import { currencySchema } from '../../shared/validation.ts';
import { PERIOD_FORMATS } from './imports.periods.ts';

/** What a file is imported into. */
export const IMPORT_TARGETS = ['actuals', 'lines'] as const;
export type ImportTarget = (typeof IMPORT_TARGETS)[number];

/** Fields of an actuals file. */
export const ACTUAL_FIELDS = [
  'period',
  'gl_account',
  'department',
  'cost_centre',
  'category',
  'amount',
  'currency',
  'description',
] as const;
/** Fields of a budget-lines file. */
export const LINE_FIELDS = [
  'line_name',
  'line_type',
  'category',
  'subcategory',
  'amount',
  'gl_account',
  'department',
  'cost_centre',
  'fund',
  'description',
  'notes',
  'is_contra',
  'spread_method',
] as const;
export const TARGET_FIELDS: Record<ImportTarget, readonly string[]> = {
  actuals: ACTUAL_FIELDS,
  lines: LINE_FIELDS,
};
/** Fields a file (or a derived rule) must provide. */
export const REQUIRED_FIELDS: Record<ImportTarget, readonly string[]> = {
  actuals: ['period', 'amount'],
  lines: ['line_name', 'line_type', 'category', 'amount'],
};

const columnRef = z
  .union([z.string().trim().min(1).max(255), z.number().int().min(1).max(16_384)])
  .meta({ description: 'header name (case-insensitive) or 1-based column number' });

// A group that is repeated and itself holds a quantifier, like (a+)+ or (\d*)*: such patterns can
// take exponential time on a long cell, so they are refused.
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]/;

const regexPattern = z
  .string()
  .min(1)
  .max(200)
  .superRefine((p, c) => {
    try {
      new RegExp(p, 'u');
    } catch (e) {
      c.addIssue({
        code: 'custom',
        params: { rule: 'invalid_regex' },
        message: `pattern: ${(e as Error).message}`,
      });
      return;
    }
    if (NESTED_QUANTIFIER.test(p))
      c.addIssue({
        code: 'custom',
        params: { rule: 'unsafe_regex' },
        message:
          'pattern: a repeated group that holds a quantifier, like (a+)+, is refused (it can run for minutes)',
      });
  });

export const derivedSchema = z
  .union([
    z.strictObject({ constant: z.string().max(1000) }),
    z.strictObject({
      column: columnRef,
      start: z.number().int().min(0).max(1000).default(0).meta({ description: '0-based first character' }),
      length: z
        .number()
        .int()
        .min(1)
        .max(1000)
        .optional()
        .meta({ description: 'characters kept; to the end when omitted' }),
    }),
    z.strictObject({
      column: columnRef,
      pattern: regexPattern.meta({ description: 'JavaScript regular expression (u flag)' }),
      group: z.number().int().min(0).max(9).optional().meta({
        description: 'capture group kept (default 1 when the pattern has one, else the whole match)',
      }),
    }),
  ])
  .meta({
    description:
      'a derived field: { constant }, a slice { column, start, length } (first 3 characters: start 0, length 3), or a regex capture { column, pattern, group }',
  });
export type Derived = z.output<typeof derivedSchema>;

export const mappingSchema = z
  .strictObject({
    target: z.enum(IMPORT_TARGETS).default('actuals').meta({
      description:
        'what the mapping imports: actuals (POST /actuals/imports) or budget lines (POST /budgets/:id/lines/imports)',
    }),
    columns: z.record(z.string(), columnRef).optional().meta({
      description: 'source column of each field; omitted: matched by header name (with a confidence)',
    }),
    derived: z
      .record(z.string(), derivedSchema)
      .optional()
      .meta({ description: 'fields computed from other columns or constants (docs/imports.md)' }),
    decimal_separator: z.enum(['.', ',']).default('.'),
    period_format: z.enum(PERIOD_FORMATS).default('auto'),
    default_currency: currencySchema('default_currency').optional(),
    delimiter: z
      .enum([',', ';', '\t', '|'])
      .optional()
      .meta({ description: 'CSV only; detected when omitted' }),
    sheet: z
      .union([z.string().min(1).max(31), z.number().int().min(1)])
      .optional()
      .meta({ description: 'XLSX only: worksheet name or 1-based position; the first by default' }),
    create_missing_members: z.boolean().default(false).meta({
      description:
        'codes that are not members of a dimension the tenant keeps a tree for are created as roots (otherwise each is a row error, unknown_member; docs/dimensions.md)',
    }),
    negative_is_contra: z.boolean().default(true).meta({
      description:
        'lines only: a negative amount makes the line a contra line (is_contra) unless an is_contra column says otherwise',
    }),
  })
  .superRefine((m, c) => {
    const fields = TARGET_FIELDS[m.target];
    for (const part of ['columns', 'derived'] as const) {
      for (const key of Object.keys(m[part] ?? {})) {
        if (!fields.includes(key))
          c.addIssue({
            code: 'custom',
            path: [part, key],
            params: { rule: 'unknown_field' },
            message: `${key} is not a field of a ${m.target} import (fields: ${fields.join(', ')})`,
          });
        else if (part === 'derived' && m.columns?.[key] !== undefined)
          c.addIssue({
            code: 'custom',
            path: ['derived', key],
            params: { rule: 'conflicting_fields' },
            message: `${key} is both a column and a derived field: give one`,
          });
      }
    }
  });

/** The required fields an explicit mapping leaves out (none when it names no columns: matched by header). */
export function missingRequiredFields(m: Mapping): string[] {
  if (!m.columns) return [];
  return REQUIRED_FIELDS[m.target].filter(
    (f) => m.columns?.[f] === undefined && m.derived?.[f] === undefined,
  );
}

/**
 * A mapping that is complete: saved mappings. A preview takes a mapping being built (its missing
 * fields are listed in the preview's errors) and an import refuses one (resolveColumns).
 */
export const completeMappingSchema = mappingSchema.superRefine((m, c) => {
  for (const f of missingRequiredFields(m))
    c.addIssue({
      code: 'custom',
      path: ['columns', f],
      params: { rule: 'required' },
      message: `${f} is required: name its column (or derive it)`,
    });
});
export type Mapping = z.output<typeof mappingSchema>;
export type MappingInput = z.input<typeof mappingSchema>;
