/**
 * Column mappings: which source column holds which field, plus how values are written
 * (decimal separator, period format, delimiter, default currency). Without `columns` the
 * header names are matched against common ledger-export names.
 */
import { z } from 'zod';
import type { FieldError } from '../../platform/http/errors.ts';
import { currencySchema } from '../../shared/validation.ts';
import { PERIOD_FORMATS } from './actuals.periods.ts';

export const TARGET_FIELDS = [
  'period',
  'gl_account',
  'department',
  'cost_centre',
  'category',
  'amount',
  'currency',
  'description',
] as const;
export type TargetField = (typeof TARGET_FIELDS)[number];

const columnRef = z
  .union([z.string().trim().min(1).max(255), z.number().int().min(1).max(16_384)])
  .meta({ description: 'header name (case-insensitive) or 1-based column number' });

export const mappingSchema = z.strictObject({
  columns: z
    .strictObject({
      period: columnRef,
      amount: columnRef,
      gl_account: columnRef.optional(),
      department: columnRef.optional(),
      cost_centre: columnRef.optional(),
      category: columnRef.optional(),
      currency: columnRef.optional(),
      description: columnRef.optional(),
    })
    .optional()
    .meta({ description: 'source column of each field; omitted: matched by header name' }),
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
});
export type Mapping = z.output<typeof mappingSchema>;
export type MappingInput = z.input<typeof mappingSchema>;

// Header names seen in ledger exports, compared lower-case without punctuation or spaces.
const SYNONYMS: Record<TargetField, string[]> = {
  period: ['period', 'month', 'postingperiod', 'fiscalperiod', 'date', 'postingdate', 'accountingperiod'],
  gl_account: [
    'glaccount',
    'glaccountid',
    'account',
    'accountcode',
    'accountnumber',
    'accountno',
    'gl',
    'glcode',
    'ledgeraccount',
  ],
  department: ['department', 'departmentid', 'dept', 'deptid'],
  cost_centre: ['costcentre', 'costcenter', 'costcentreid', 'costcenterid', 'cc', 'costcentrecode'],
  category: ['category', 'accountcategory', 'class'],
  amount: ['amount', 'amt', 'value', 'netamount', 'net', 'balance'],
  currency: ['currency', 'currencycode', 'ccy', 'cur', 'curr'],
  description: ['description', 'desc', 'memo', 'narrative', 'text', 'details'],
};

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Where each mapped field is in a row, and how it was found (for the report). */
export type ResolvedColumns = Partial<
  Record<TargetField, { index: number; header: string; by: 'mapping' | 'header_name' }>
>;

/** Finds each field's column in the header row; errors name the mapping field. */
export function resolveColumns(
  header: string[],
  mapping: Mapping,
): { columns: ResolvedColumns; errors: FieldError[] } {
  const columns: ResolvedColumns = {};
  const errors: FieldError[] = [];
  const found = header.map((h) => `"${h}"`).join(', ');
  if (mapping.columns) {
    for (const field of TARGET_FIELDS) {
      const ref = mapping.columns[field];
      if (ref === undefined) continue;
      const index =
        typeof ref === 'number'
          ? ref <= header.length
            ? ref - 1
            : -1
          : header.findIndex((h) => h.trim().toLowerCase() === ref.toLowerCase());
      if (index < 0) {
        errors.push({
          path: `mapping.columns.${field}`,
          code: 'column_not_found',
          message: `${field}: column ${typeof ref === 'number' ? `#${ref}` : `"${ref}"`} is not in the header row (found ${found})`,
        });
      } else columns[field] = { index, header: header[index] ?? '', by: 'mapping' };
    }
    return { columns, errors };
  }
  const headers = header.map(norm);
  for (const field of TARGET_FIELDS) {
    const index = headers.findIndex((h) => SYNONYMS[field].includes(h));
    if (index >= 0) columns[field] = { index, header: header[index] ?? '', by: 'header_name' };
  }
  for (const field of ['period', 'amount'] as const) {
    if (!columns[field])
      errors.push({
        path: `mapping.columns.${field}`,
        code: 'column_not_found',
        message: `${field}: no column named like "${field}" in the header row (found ${found}); give a mapping`,
      });
  }
  return { columns, errors };
}
