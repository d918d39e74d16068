/**
 * One row of a line import against its line (excel.sync-plan.ts): cells parsed with the line
 * fields' own schemas, compared with the stored line, and turned into a row patch; or a new line.
 */
import { Decimal } from '../../shared/money.ts';
import type { LineRow } from '../lines/index.ts';
import {
  lineCreateSchema,
  lineSignErrors,
  presentLine,
  spreadFieldErrors,
  type updateLine,
} from '../lines/index.ts';
import { issueCode, type SheetRow, toJsonValue } from './excel.import.ts';
import { resolveAmount } from './excel.sync-amount.ts';
import type { PlanContext, PlannedInsert, PlannedUpdate } from './excel.sync-plan.ts';

/** The columns of a line row an update may set. */
export type LinePatch = Parameters<typeof updateLine>[2];

const CAMEL: Record<string, string> = {
  line_name: 'lineName',
  line_type: 'lineType',
  category: 'category',
  subcategory: 'subcategory',
  amount: 'amount',
  is_contra: 'isContra',
  quantity: 'quantity',
  unit_cost: 'unitCost',
  allocation_method: 'allocationMethod',
  allocation_percentage: 'allocationPercentage',
  allocation_driver: 'allocationDriver',
  department_id: 'departmentId',
  cost_center_id: 'costCenterId',
  gl_account_id: 'glAccountId',
  description: 'description',
  notes: 'notes',
  requires_approval: 'requiresApproval',
  approval_threshold: 'approvalThreshold',
  line_order: 'lineOrder',
  metadata: 'metadata',
  spread_method: 'spreadMethod',
  spread_profile: 'spreadProfile',
};
const DECIMALS = new Set(['amount', 'quantity', 'unit_cost', 'approval_threshold', 'allocation_percentage']);
const REQUIRED = new Set(['line_name', 'line_type', 'category']);
/** Blank cells of these columns keep the stored value (they have no "empty" value). */
const KEEP_WHEN_BLANK = new Set(['amount', 'line_order', 'spread_method', 'allocation_method', 'metadata']);
const BLANK_FALSE = new Set(['is_contra', 'requires_approval']);

const same = (field: string, a: unknown, b: unknown): boolean => {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (DECIMALS.has(field)) return new Decimal(String(a)).eq(String(b));
  if (field === 'spread_profile')
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((x, i) => new Decimal(String(x)).eq(String(b[i])))
    );
  if (typeof a === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
};

/** The row's months in budget order (blank = 0, a missing column = the stored amount), if it gives any. */
export function monthsOf(r: SheetRow, monthCols: string[], ctx: PlanContext, id: string | undefined) {
  const errors: [string, string][] = [];
  if (!monthCols.some((m) => r.cells[`month:${m}`] !== undefined)) return { values: undefined, errors };
  const stored = id ? ctx.periods.get(id) : undefined;
  const values = ctx.months.map((m) => {
    const text = r.cells[`month:${m}`];
    if (text === undefined) return monthCols.includes(m) ? '0' : (stored?.[m] ?? '0');
    if (!/^-?\d+(\.\d{1,2})?$/.test(text)) {
      errors.push([m, `${m} must be an amount with at most 2 decimals, got "${text.slice(0, 40)}"`]);
      return '0';
    }
    return new Decimal(text).toFixed(2);
  });
  return { values, errors };
}

export type Err = (row: number, field: string, code: string, message: string) => void;

/** Parses one cell with the line field's own schema; blank cells as the field's empty value. */
function parseCell(r: SheetRow, field: string, err: Err): { ok: boolean; value?: unknown } {
  const text = r.cells[field];
  const shape = lineCreateSchema.shape as Record<
    string,
    {
      safeParse(v: unknown): {
        success: boolean;
        data?: unknown;
        error?: { issues: { message: string; code: string }[] };
      };
    }
  >;
  const raw = text === undefined ? (BLANK_FALSE.has(field) ? false : null) : toJsonValue(field, text);
  if (raw === null && (REQUIRED.has(field) || KEEP_WHEN_BLANK.has(field))) return { ok: true };
  const parsed = shape[field]!.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  for (const issue of parsed.error!.issues) err(r.row, field, issueCode(issue as never), issue.message);
  return { ok: false };
}

export function planInsert(
  r: SheetRow,
  fields: string[],
  months: string[] | undefined,
  order: number,
  ctx: PlanContext,
  err: Err,
): PlannedInsert | undefined {
  const currency = r.cells.currency;
  if (currency && currency.toUpperCase() !== ctx.baseCurrency)
    err(
      r.row,
      'currency',
      'read_only',
      `a new line is in the budget's currency ${ctx.baseCurrency}, not ${currency}`,
    );
  const input: Record<string, unknown> = {};
  let ok = true;
  for (const f of fields) {
    if (r.cells[f] === undefined) continue;
    const cell = parseCell(r, f, err);
    if (!cell.ok) ok = false;
    else if (cell.value !== undefined && cell.value !== null) input[f] = cell.value;
  }
  for (const f of REQUIRED)
    if (input[f] === undefined && ok && fields.length) {
      err(r.row, f, 'required', `${f} is required for a new line`);
      ok = false;
    }
  if (months) {
    const sum = months.reduce((s, m) => s.plus(m), new Decimal(0)).toFixed(2);
    if (input.amount !== undefined && !new Decimal(String(input.amount)).eq(sum)) {
      err(
        r.row,
        'amount',
        'amount_not_sum_of_months',
        `amount ${input.amount} is not the sum of its months (${sum})`,
      );
      ok = false;
    }
    input.amount = sum;
    input.spread_method = 'manual';
    input.spread_profile = null;
    ok = monthSigns(r.row, months, input.is_contra === true, ctx, err) && ok;
  }
  if (input.line_order === undefined) input.line_order = order;
  return ok ? { row: r.row, input, months } : undefined;
}

function monthSigns(row: number, months: string[], contra: boolean, ctx: PlanContext, err: Err): boolean {
  let ok = true;
  months.forEach((m, i) => {
    const a = new Decimal(m);
    if (contra ? a.gt(0) : a.lt(0)) {
      ok = false;
      err(
        row,
        ctx.months[i]!,
        contra ? 'contra_amount_positive' : 'too_small',
        contra
          ? `${ctx.months[i]} of a contra line must be at most 0, got ${m}`
          : `${ctx.months[i]} must be at least 0 (got ${m}); only a contra line has negative months`,
      );
    }
  });
  return ok;
}

export function planUpdate(
  r: SheetRow,
  fields: string[],
  months: string[] | undefined,
  before: LineRow,
  ctx: PlanContext,
  err: Err,
): PlannedUpdate | undefined {
  const view = presentLine(before) as Record<string, unknown>;
  const currency = r.cells.currency;
  if (currency && currency.toUpperCase() !== (before.currency ?? ctx.baseCurrency))
    err(
      r.row,
      'currency',
      'read_only',
      `the line's currency is ${before.currency ?? ctx.baseCurrency}; the import does not change it`,
    );
  const changed: Record<string, unknown> = {};
  let fileAmount: string | undefined;
  let ok = true;
  for (const f of fields) {
    const cell = parseCell(r, f, err);
    if (!cell.ok) {
      ok = false;
      continue;
    }
    if (cell.value === undefined) {
      if (REQUIRED.has(f)) {
        err(r.row, f, 'required', `${f} must not be blank`);
        ok = false;
      }
      continue;
    }
    if (f === 'amount') fileAmount = String(cell.value);
    else if (!same(f, cell.value, view[f])) changed[f] = cell.value;
  }
  if (!ok) return undefined;
  const stored = ctx.periods.get(before.id) ?? {};
  const monthsChanged = months?.some((m, i) => !new Decimal(m).eq(stored[ctx.months[i]!] ?? 0)) ?? false;
  const isContra = (changed.is_contra as boolean | undefined) ?? before.isContra;
  const amount = resolveAmount(r.row, before, changed, fileAmount, monthsChanged ? months : undefined, err);
  if (amount === undefined) return undefined;
  const signErrors = lineSignErrors(amount, isContra);
  for (const e of signErrors) err(r.row, 'amount', e.code, e.message);
  if (signErrors.length) return undefined;
  if (monthsChanged && !monthSigns(r.row, months!, isContra, ctx, err)) return undefined;
  const spreadMethod = monthsChanged
    ? 'manual'
    : ((changed.spread_method as LineRow['spreadMethod']) ?? before.spreadMethod);
  const spreadProfile = monthsChanged
    ? null
    : changed.spread_profile !== undefined
      ? (changed.spread_profile as string[] | null)
      : spreadMethod === 'seasonal'
        ? before.spreadProfile
        : null;
  const spreadErrors = spreadFieldErrors(spreadMethod, spreadProfile, '');
  for (const e of spreadErrors) err(r.row, e.path, e.code, e.message);
  if (spreadErrors.length) return undefined;
  const patch: LinePatch = {};
  for (const [f, v] of Object.entries(changed)) (patch as Record<string, unknown>)[CAMEL[f]!] = v;
  if (!new Decimal(amount).eq(before.amount)) patch.amount = amount;
  if (spreadMethod !== before.spreadMethod) patch.spreadMethod = spreadMethod;
  if (JSON.stringify(spreadProfile) !== JSON.stringify(before.spreadProfile))
    patch.spreadProfile = spreadProfile;
  const respread =
    monthsChanged ||
    ['amount', 'spreadMethod', 'spreadProfile', 'glAccountId', 'departmentId', 'category'].some(
      (k) => k in patch,
    );
  return { row: r.row, before, patch, months: monthsChanged ? months : undefined, respread };
}
