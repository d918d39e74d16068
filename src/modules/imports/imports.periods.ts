/**
 * Periods as ledgers write them, read to the first day of the month. Day-first vs month-first
 * dates (03/04/2026) are ambiguous: in `auto` the first unambiguous one (13/04/2026) fixes the
 * order for the rest of the file, and an ambiguous one before that is an error asking for
 * `period_format`.
 */

export const PERIOD_FORMATS = [
  'auto',
  'YYYY-MM',
  'YYYY-MM-DD',
  'MM/YYYY',
  'MMM-YYYY',
  'YYYY-MMM',
  'YYYYMmm',
  'YYYYMM',
  'DD/MM/YYYY',
  'MM/DD/YYYY',
  'YYYY',
] as const;
export type PeriodFormat = (typeof PERIOD_FORMATS)[number];
/** The form a value was read as (a date cell of a spreadsheet is its own form). */
export type PeriodForm = Exclude<PeriodFormat, 'auto'> | 'date_cell';

export type PeriodResult =
  | { ok: true; period: string; form: PeriodForm; annual?: true }
  | { ok: false; code: string; message: string };

/** Day-first or month-first, once known for a file. */
export interface DateOrderState {
  order?: 'day_first' | 'month_first';
  /** Row that fixed the order (for the report). */
  decidedAt?: number;
}

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
  january: 1,
  february: 2,
  march: 3,
  april: 4,
  june: 6,
  july: 7,
  august: 8,
  september: 9,
  october: 10,
  november: 11,
  december: 12,
};

const FORMS: [Exclude<PeriodForm, 'date_cell' | 'DD/MM/YYYY' | 'MM/DD/YYYY'>, RegExp][] = [
  ['YYYY-MM-DD', /^(?<y>\d{4})([-/.])(?<m>\d{1,2})\2(?<d>\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/],
  ['YYYY-MM', /^(?<y>\d{4})[-/.](?<m>\d{1,2})$/],
  ['MM/YYYY', /^(?<m>\d{1,2})[-/.](?<y>\d{4})$/],
  ['MMM-YYYY', /^(?<mon>[A-Za-z]{3,9})[-\s./']*(?<y>\d{4}|\d{2})$/],
  ['YYYY-MMM', /^(?<y>\d{4})[-\s./]*(?<mon>[A-Za-z]{3,9})$/],
  ['YYYYMmm', /^(?<y>\d{4})\s*-?\s*[Mm](?<m>\d{1,2})$/],
  ['YYYYMM', /^(?<y>\d{4})(?<m>\d{2})$/],
];
const DMY = /^(?<a>\d{1,2})([-/.])(?<b>\d{1,2})\2(?<y>\d{4})$/;

const fail = (code: string, message: string): PeriodResult => ({ ok: false, code, message });

function monthStart(year: number, month: number, day?: number): string | undefined {
  if (year < 1900 || year > 2200 || month < 1 || month > 12) return undefined;
  if (day !== undefined) {
    const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    if (day < 1 || day > last) return undefined;
  }
  return `${year}-${String(month).padStart(2, '0')}-01`;
}

/** Reads a spreadsheet date cell (exceljs gives UTC midnight of the shown date). */
export function parsePeriodDate(value: Date): PeriodResult {
  if (Number.isNaN(value.getTime())) return fail('invalid_period', 'period is not a valid date');
  const p = monthStart(value.getUTCFullYear(), value.getUTCMonth() + 1);
  return p ? { ok: true, period: p, form: 'date_cell' } : fail('invalid_period', 'period year out of range');
}

const FISCAL_YEAR = /^(?:FY\s*-?\s*)?(?<y>\d{4})(?:\s*FY)?$/i;

/**
 * The month an annual amount (a fiscal year with no month) is booked in: the fiscal year's last
 * month. Fiscal years are named by the calendar year they end in (start month 7: FY2026 is July
 * 2025 - June 2026, booked in 2026-06).
 */
export function fiscalYearEnd(year: number, fiscalYearStartMonth: number): string {
  const month = fiscalYearStartMonth === 1 ? 12 : fiscalYearStartMonth - 1;
  return `${year}-${String(month).padStart(2, '0')}-01`;
}

/** Reads a period written as text in the declared format (or any accepted form in `auto`). */
export function parsePeriodText(
  raw: string,
  format: PeriodFormat,
  state: DateOrderState,
  row: number,
  fiscalYearStartMonth = 1,
): PeriodResult {
  const s = raw.trim();
  if (s === '') return fail('required', 'period is blank');
  const shown = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  const fy = format === 'auto' || format === 'YYYY' ? FISCAL_YEAR.exec(s) : null;
  if (fy) {
    const year = Number(fy.groups!.y);
    if (year < 1900 || year > 2200) return fail('invalid_period', `period "${shown}" year out of range`);
    return { ok: true, period: fiscalYearEnd(year, fiscalYearStartMonth), form: 'YYYY', annual: true };
  }
  if (format === 'YYYY')
    return fail('invalid_period', `period "${shown}" is not a fiscal year like 2026 or FY2026`);
  const bad = () =>
    fail(
      'invalid_period',
      format === 'auto'
        ? `period "${shown}" is not a month in an accepted form (2026-03, 2026-03-15, 03/2026, Mar-2026, 2026M03, 202603, a fiscal year 2026 / FY2026, 15/03/2026 with period_format)`
        : `period "${shown}" does not match period_format ${format}`,
    );
  const dmy = DMY.exec(s);
  if (dmy) {
    if (format !== 'auto' && format !== 'DD/MM/YYYY' && format !== 'MM/DD/YYYY') return bad();
    const a = Number(dmy.groups!.a);
    const b = Number(dmy.groups!.b);
    const y = Number(dmy.groups!.y);
    let order = format === 'DD/MM/YYYY' ? 'day_first' : format === 'MM/DD/YYYY' ? 'month_first' : state.order;
    if (!order) {
      if (a > 12 && b <= 12) order = 'day_first';
      else if (b > 12 && a <= 12) order = 'month_first';
      else if (a === b) order = undefined;
      else
        return fail(
          'ambiguous_period',
          `period "${shown}" could be day-first or month-first: set period_format to DD/MM/YYYY or MM/DD/YYYY`,
        );
      if (order && format === 'auto') {
        state.order = order;
        state.decidedAt = row;
      }
    }
    const [d, m] = order === 'month_first' ? [b, a] : [a, b];
    const p = monthStart(y, m, d);
    if (!p)
      return fail(
        'invalid_period',
        `period "${shown}" is not a valid ${order === 'month_first' ? 'MM/DD/YYYY' : 'DD/MM/YYYY'} date`,
      );
    return { ok: true, period: p, form: order === 'month_first' ? 'MM/DD/YYYY' : 'DD/MM/YYYY' };
  }
  for (const [form, re] of FORMS) {
    if (format !== 'auto' && format !== form) continue;
    const m = re.exec(s);
    if (!m?.groups) continue;
    const g = m.groups;
    let year = Number(g.y);
    if (g.y!.length === 2) year += 2000;
    // Own keys only: the month word is the client's ("constructor" must not read the prototype).
    const mon = g.mon?.toLowerCase();
    const month = mon ? (Object.hasOwn(MONTHS, mon) ? MONTHS[mon] : undefined) : Number(g.m);
    if (month === undefined) continue;
    const p = monthStart(year, month, g.d ? Number(g.d) : undefined);
    if (!p) return fail('invalid_period', `period "${shown}" is not a valid month or date`);
    return { ok: true, period: p, form };
  }
  return bad();
}
