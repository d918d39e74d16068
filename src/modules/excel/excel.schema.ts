/** Request and response schemas of the spreadsheet routes. */
import { z } from 'zod';
import { queryBoolean } from '../../shared/validation.ts';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const lineImportQuery = z.strictObject({
  mode: z.enum(['append', 'replace', 'update']).optional().meta({
    description:
      'update: rows with a line_id update that line in place (version checked), rows without one are added; append: every row is a new line; replace: the file replaces all lines. Default: update when the file has a line_id column (an exported workbook), else append',
  }),
  delete_missing: queryBoolean(false).meta({
    description:
      'mode=update only: delete the lines the file no longer has (of an exported workbook: only lines that were exported and are unchanged since)',
  }),
  format: z
    .enum(['csv', 'xlsx'])
    .optional()
    .meta({ description: 'Needed only for application/octet-stream bodies' }),
});
export type LineImportQuery = z.output<typeof lineImportQuery>;

const ids = z.array(z.uuid());
export const lineImportResponse = z.object({
  mode: z.enum(['append', 'replace', 'update']),
  rows: z.number().int().meta({ description: 'line rows read from the file' }),
  added: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int().meta({ description: 'rows equal to their line: not written' }),
  removed: z.number().int(),
  line_ids: ids.meta({ description: 'the added lines, in file order' }),
  changes: z.object({
    inserted: ids,
    updated: ids,
    unchanged: ids,
    deleted: ids,
    kept: ids.meta({
      description: 'lines the file does not name, kept (mode=update without delete_missing)',
    }),
  }),
});

/** The binary body of an XLSX download, for the OpenAPI document. */
export const xlsxResponse = z.string().meta({ format: 'binary', description: 'The workbook (XLSX)' });
