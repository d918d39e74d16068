/**
 * Planning a line import against the budget's current lines (pure: no database). A row with a
 * `line_id` updates that line in place with the columns the file has; a row without one is a
 * new line; a line the file does not name is kept, or deleted when asked. A row whose values
 * equal the line's is unchanged and never written. Month columns are the line's phasing: when
 * they differ from the stored periods the line becomes `manual` with exactly those months.
 */
import { type FieldError, ValidationError } from '../../platform/http/errors.ts';
import type { LineRow } from '../lines/index.ts';
import { monthOfKey } from './excel.columns.ts';
import { FIELDS, type SheetData } from './excel.import.ts';
import { type Err, type LinePatch, monthsOf, planInsert, planUpdate } from './excel.sync-rows.ts';

export type ImportMode = 'append' | 'replace' | 'update';

/** What the planner needs to know of the budget. */
export interface PlanContext {
  months: string[];
  baseCurrency: string;
  lines: LineRow[];
  /** line id -> YYYY-MM -> amount */
  periods: Map<string, Record<string, string>>;
  /** ids named by the file that are deleted lines of this budget */
  deleted: Set<string>;
}

/** A new line: its file row, its fields as the lines API takes them, and its months if given. */
export interface PlannedInsert {
  row: number;
  input: Record<string, unknown>;
  months?: string[] | undefined;
}

/** An update of a line: the changed columns as a row patch, and whether its periods are rewritten. */
export interface PlannedUpdate {
  row: number;
  before: LineRow;
  patch: LinePatch;
  months?: string[] | undefined;
  respread: boolean;
}

/** A line whose version in the file is not the current one, or that was deleted since. */
export interface Conflict {
  row: number;
  line_id: string;
  line_name: string | null;
  version: number | null;
  current_version: number | null;
}

export interface ImportPlan {
  mode: ImportMode;
  inserts: PlannedInsert[];
  updates: PlannedUpdate[];
  unchanged: string[];
  deletes: LineRow[];
  /** Live lines the file does not name, kept (no delete_missing, or not in the export snapshot). */
  missing: string[];
  conflicts: Conflict[];
  errors: FieldError[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Plans the import of `data` in `mode`; every problem is collected (the caller refuses if any). */
export function planImport(
  data: SheetData,
  mode: ImportMode,
  deleteMissing: boolean,
  ctx: PlanContext,
): ImportPlan {
  const plan: ImportPlan = {
    mode,
    inserts: [],
    updates: [],
    unchanged: [],
    deletes: [],
    missing: [],
    conflicts: [],
    errors: [],
  };
  const err: Err = (row, field, code, message) => {
    plan.errors.push({ path: `rows.${row}.${field}`, code, message: `row ${row}: ${message}` });
  };
  if (data.rows.length === 0 && mode !== 'update')
    throw new ValidationError([
      { path: 'rows.2', code: 'no_rows', message: 'The file has a header but no line rows' },
    ]);
  const budgetMonths = new Set(ctx.months);
  const monthCols = data.columns.map(monthOfKey).filter((m): m is string => m !== undefined);
  for (const m of monthCols)
    if (!budgetMonths.has(m))
      err(
        1,
        m,
        'unknown_month',
        `column ${m} is not a month of the budget (${ctx.months[0]} to ${ctx.months.at(-1)})`,
      );
  const fields = data.columns.filter((c) => FIELDS.has(c));
  const byId = new Map(ctx.lines.map((l) => [l.id, l]));
  const named = new Map<string, number>();
  let order = 0;

  for (const r of data.rows) {
    const id = mode === 'update' ? r.cells.line_id?.toLowerCase() : undefined;
    const months = monthsOf(r, monthCols, ctx, id);
    for (const [m, msg] of months.errors) err(r.row, m, 'invalid_decimal', msg);
    if (!id) {
      const insert = planInsert(r, fields, months.values, order, ctx, err);
      if (insert) {
        plan.inserts.push(insert);
        order = Number(insert.input.line_order ?? order);
      }
      continue;
    }
    if (!UUID.test(id)) {
      err(r.row, 'line_id', 'invalid_uuid', `line_id "${id.slice(0, 40)}" is not a line id`);
      continue;
    }
    const first = named.get(id);
    if (first !== undefined) {
      err(r.row, 'line_id', 'duplicate', `line ${id} is also on row ${first}; each line appears once`);
      continue;
    }
    named.set(id, r.row);
    const before = byId.get(id);
    const version = r.cells.version && /^\d+$/.test(r.cells.version) ? Number(r.cells.version) : null;
    if (!before) {
      if (ctx.deleted.has(id))
        plan.conflicts.push({ row: r.row, line_id: id, line_name: null, version, current_version: null });
      else
        err(
          r.row,
          'line_id',
          'unknown_line',
          `no line ${id} in this budget; clear line_id to add the row as a new line`,
        );
      continue;
    }
    order = before.lineOrder;
    // A stale row is a conflict when it would change its line (or is wrong against the line
    // as it is now): its problems then belong to the redo after a new export.
    const stale = version !== null && version !== before.version;
    let rowErrors = 0;
    const update = planUpdate(r, fields, months.values, before, ctx, (...a) => {
      rowErrors++;
      if (!stale) err(...a);
    });
    const untouched = update && Object.keys(update.patch).length === 0 && !update.months;
    if (untouched && rowErrors === 0) {
      plan.unchanged.push(id);
      continue;
    }
    if (stale) {
      plan.conflicts.push({
        row: r.row,
        line_id: id,
        line_name: before.lineName,
        version,
        current_version: before.version,
      });
      continue;
    }
    if (!update) continue;
    order = Number(update.patch.lineOrder ?? before.lineOrder);
    if (version === null) {
      err(r.row, 'version', 'required', `version is required to change line "${before.lineName}"`);
      continue;
    }
    plan.updates.push(update);
  }

  if (mode === 'replace') plan.deletes = [...ctx.lines];
  if (mode === 'update')
    for (const l of ctx.lines) {
      if (named.has(l.id)) continue;
      const exported = data.snapshot?.get(l.id);
      // Without a snapshot (a file not made by the export) every line the file omits goes.
      const goes = deleteMissing && (data.snapshot ? exported !== undefined : true);
      if (!goes) plan.missing.push(l.id);
      else if (exported !== undefined && exported !== l.version)
        plan.conflicts.push({
          row: 0,
          line_id: l.id,
          line_name: l.lineName,
          version: exported,
          current_version: l.version,
        });
      else plan.deletes.push(l);
    }
  return plan;
}
