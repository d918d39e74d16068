/** Request and response schemas of the actuals routes. */
import { z } from 'zod';
import { pageQuery, queryBoolean, trimmed, uuidParam } from '../../shared/validation.ts';
import { ACTUAL_FIELDS, completeMappingSchema } from '../imports/index.ts';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const importQuery = z.strictObject({
  batch_key: trimmed(1, 255, 'batch_key').optional().meta({
    description: 'batch identity: re-importing the same key replaces the batch; defaults to file_name',
  }),
  file_name: trimmed(1, 255, 'file_name').optional(),
  format: z
    .enum(['csv', 'xlsx'])
    .optional()
    .meta({ description: 'needed only for application/octet-stream bodies' }),
  mapping_name: trimmed(1, 255, 'mapping_name').optional().meta({ description: 'a saved mapping' }),
  mapping: z
    .string()
    .max(20_000)
    .optional()
    .meta({ description: 'a mapping as JSON (see POST /actuals/mappings)' }),
  async: queryBoolean(false).meta({
    description: 'true: always run as a job (202); by default only bodies over 1 MiB do',
  }),
});
export type ImportQuery = z.output<typeof importQuery>;

export const previewQuery = z.strictObject({
  format: importQuery.shape.format,
  mapping_name: importQuery.shape.mapping_name,
  mapping: importQuery.shape.mapping,
  rows: z.coerce.number().int().min(1).max(50).default(10).meta({ description: 'data rows to show (1–50)' }),
});

const fieldErrorOut = z.object({ path: z.string(), code: z.string(), message: z.string() });
const columnOut = z
  .object({
    source: z.string().nullable(),
    column: z.number().int().nullable(),
    matched_by: z.enum(['mapping', 'header_name', 'derived']),
    rule: z.unknown().optional().meta({ description: 'the derived rule (matched_by derived)' }),
  })
  .nullable();
const fieldNames = ACTUAL_FIELDS;

/** One header suggestion with its confidence (shared by both imports' previews). */
export const suggestionOut = z.object({
  field: z.string(),
  source: z.string(),
  column: z.number().int(),
  confidence: z
    .number()
    .meta({ description: '0-1: 1 exact header name, lower for abbreviations and loose words' }),
  level: z.enum(['high', 'medium', 'low']).meta({
    description:
      'high (>= 0.85) is used by an import without columns; medium and low are refused there (422)',
  }),
  rule: z.string().meta({
    description:
      'how it matched: header_name, abbreviated_header_name, header_last_word, header_word, ambiguous_header_name, or a value rule (values_not_amounts, values_not_periods)',
  }),
  alternatives: z.array(z.object({ source: z.string(), column: z.number().int(), confidence: z.number() })),
});

export const previewResponse = z.object({
  format: z.enum(['csv', 'xlsx']),
  source: z.object({
    delimiter: z.string().nullable(),
    delimiter_detected: z.boolean().nullable(),
    sheet: z.string().nullable(),
  }),
  mapping_name: z.string().nullable(),
  header: z.array(z.string()),
  rows: z.array(z.object({ row_number: z.number().int(), cells: z.array(z.string()) })),
  suggested_columns: z
    .object(
      Object.fromEntries(fieldNames.map((f) => [f, z.string().optional()])) as Record<
        (typeof fieldNames)[number],
        z.ZodOptional<z.ZodString>
      >,
    )
    .meta({ description: 'the header each field would be taken from by its name (the default mapping)' }),
  suggestions: z.array(suggestionOut).meta({
    description:
      'every suggested column with its confidence, checked against the rows shown (docs/imports.md)',
  }),
  columns: z
    .object(
      Object.fromEntries(fieldNames.map((f) => [f, columnOut])) as Record<
        (typeof fieldNames)[number],
        typeof columnOut
      >,
    )
    .meta({ description: 'where each field is read from under the mapping used' }),
  errors: z
    .array(fieldErrorOut)
    .meta({ description: 'mapping problems: a column not found, a required field unmapped' }),
  read: z.array(
    z.object({
      row_number: z.number().int(),
      ok: z.boolean(),
      value: z
        .object({
          period: z.string(),
          gl_account_id: z.string().nullable(),
          department_id: z.string().nullable(),
          cost_center_id: z.string().nullable(),
          category: z.string().nullable(),
          amount: z.string(),
          currency: z.string(),
          description: z.string().nullable(),
        })
        .optional(),
      errors: z.array(fieldErrorOut).optional(),
    }),
  ),
  saved_mappings: z.array(z.object({ mapping_id: z.uuid(), name: z.string(), fits: z.boolean() })),
});

export const batchParams = z.strictObject({ id: uuidParam });

const batchSummary = z.object({
  batch_id: z.uuid(),
  batch_key: z.string(),
  file_name: z.string().nullable(),
  format: z.string(),
  row_count: z.number().int(),
  created_at: z.string(),
  created_by: z.string(),
});
export const batchResponse = batchSummary.extend({
  mapping: z.unknown(),
  report: z.record(z.string(), z.unknown()).nullable().meta({
    description:
      'how each column was read: source column, formats and separators, counts, totals per currency',
  }),
});
export const batchListResponse = z.object({
  items: z.array(batchSummary),
  next_cursor: z.string().nullable(),
});
export const importAcceptedResponse = z.object({
  job_id: z.uuid(),
  status: z.string(),
  upload_bytes: z.number().int(),
  job_url: z.string(),
});

const month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])(-\d{2})?$/, {
    message: 'must be a month like 2026-03 (or a date 2026-03-01)',
  })
  .transform((v) => `${v.slice(0, 7)}-01`);

export const actualsQuery = z.strictObject({
  period_from: month.optional(),
  period_to: month.optional(),
  gl_account: z.string().max(255).optional(),
  department: z.string().max(255).optional(),
  category: z.string().max(100).optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, { message: 'must be a 3-letter currency code' })
    .optional(),
  batch_id: uuidParam.optional(),
  ...pageQuery,
});
export type ActualsQuery = z.output<typeof actualsQuery>;

const actualItem = z.object({
  batch_id: z.uuid(),
  row_number: z.number().int(),
  period: z.string(),
  gl_account_id: z.string().nullable(),
  department_id: z.string().nullable(),
  cost_center_id: z.string().nullable(),
  category: z.string().nullable(),
  amount: z.string(),
  currency: z.string(),
  description: z.string().nullable(),
});
export const actualsListResponse = z.object({
  items: z.array(actualItem),
  next_cursor: z.string().nullable(),
  totals: z.array(z.object({ currency: z.string(), amount: z.string(), row_count: z.number().int() })).meta({
    description: 'exact sums per currency over everything the filters select (all pages)',
  }),
});

export const mappingCreateSchema = z.strictObject({
  name: trimmed(1, 255, 'name'),
  mapping: completeMappingSchema,
});
export type MappingCreateInput = z.output<typeof mappingCreateSchema>;
export const mappingParams = z.strictObject({ id: uuidParam });
export const mappingResponse = z.object({
  mapping_id: z.uuid(),
  name: z.string(),
  mapping: z.unknown(),
  created_at: z.string(),
  created_by: z.string(),
  updated_at: z.string().nullable(),
});
export const mappingListResponse = z.object({ items: z.array(mappingResponse) });

export { storedFileListResponse, storedFileResponse } from '../../platform/storage/index.ts';
/** The bytes of a kept upload, for the OpenAPI document. */
export const uploadFileResponse = z
  .string()
  .meta({ format: 'binary', description: 'The file as uploaded (CSV or XLSX)' });
