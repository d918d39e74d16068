/**
 * The columns of the budget workbook's `Lines` sheet, shared by the export and the import so
 * that a workbook the export wrote is one the import reads: header labels, the line field each
 * names, the aliases a header may use, and the sheet names.
 */

/** The sheet of lines x months (the import looks it up by this name, not by position). */
export const LINES_SHEET = 'Lines';
/** A very hidden sheet: each exported line's id and version, so that the import knows what was exported. */
export const SNAPSHOT_SHEET = 'Export snapshot';
/** The Line ID cell of the total rows below the lines: the import skips these rows. */
export const TOTAL_MARK = 'total';

/** The fixed columns of the Lines sheet, in order: header label and the column's key. */
export const LINE_COLUMNS = [
  ['Line ID', 'line_id'],
  ['Version', 'version'],
  ['Line', 'line_name'],
  ['Type', 'line_type'],
  ['Category', 'category'],
  ['Department', 'department_id'],
  ['Cost centre', 'cost_center_id'],
  ['GL account', 'gl_account_id'],
  ['Currency', 'currency'],
  ['Contra', 'is_contra'],
  ['Quantity', 'quantity'],
  ['Unit cost', 'unit_cost'],
  ['Spread', 'spread_method'],
  ['Order', 'line_order'],
  ['Amount', 'amount'],
] as const;
export type LineColumnKey = (typeof LINE_COLUMNS)[number][1];

/** Header words (normalised: lower case, spaces as `_`) that name a line field by another name. */
const ALIASES: Record<string, string> = {
  id: 'line_id',
  line: 'line_name',
  name: 'line_name',
  type: 'line_type',
  department: 'department_id',
  cost_centre: 'cost_center_id',
  cost_center: 'cost_center_id',
  gl_account: 'gl_account_id',
  contra: 'is_contra',
  order: 'line_order',
  spread: 'spread_method',
};

/** Columns the import reads but never writes from: computed (Total) or not a line field (Currency). */
export const READ_ONLY_COLUMNS = new Set(['total', 'currency']);

const MONTH_HEADER = /^(\d{4})-(0[1-9]|1[0-2])(?:-01(?:T00:00:00(?:\.000)?Z?)?)?$/;

/** A header cell as its column key: a field name, `line_id`, `version`, `currency`, `total` or `month:YYYY-MM`. */
export function columnKey(header: string): string {
  const text = header.trim();
  const month = MONTH_HEADER.exec(text);
  if (month) return `month:${month[1]}-${month[2]}`;
  const norm = text.toLowerCase().replace(/\s+/g, '_');
  return ALIASES[norm] ?? norm;
}

/** The month (YYYY-MM) of a `month:` column key, or undefined. */
export const monthOfKey = (key: string): string | undefined =>
  key.startsWith('month:') ? key.slice(6) : undefined;
