/** Request and response schemas of the spreadsheet routes. */
import { z } from 'zod';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const lineImportQuery = z.strictObject({
  mode: z.enum(['append', 'replace']).default('append'),
  format: z
    .enum(['csv', 'xlsx'])
    .optional()
    .meta({ description: 'Needed only for application/octet-stream bodies' }),
});
export type LineImportQuery = z.output<typeof lineImportQuery>;

export const lineImportResponse = z.object({
  rows: z.number().int().meta({ description: 'line rows read from the file' }),
  added: z.number().int(),
  removed: z.number().int(),
  line_ids: z.array(z.uuid()),
});

/** The binary body of an XLSX download, for the OpenAPI document. */
export const xlsxResponse = z.string().meta({ format: 'binary', description: 'The workbook (XLSX)' });
