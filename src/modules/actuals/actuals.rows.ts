/**
 * One source row to one `actuals` row, counting how every column was read for the report.
 * Memory stays bounded whatever the file size: the report keeps counters, never rows.
 */
import type { FieldError } from '../../platform/http/errors.ts';
import { Decimal } from '../../shared/money.ts';
import {
  type Cell,
  cellText,
  type DateOrderState,
  describeField,
  fieldValue,
  type Mapping,
  parseAmountNumber,
  parseAmountText,
  parsePeriodDate,
  parsePeriodText,
  type ResolvedColumns,
  type SourceRow,
} from '../imports/index.ts';
import type { ActualInsert } from './actuals.repository.ts';

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const TEXT_LIMITS = {
  gl_account: 255,
  department: 255,
  cost_centre: 255,
  category: 100,
  description: 1000,
} as const;
type TextField = keyof typeof TEXT_LIMITS;

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** Counters of how each column was read; becomes the report's `columns`. */
export class ReadStats {
  readonly forms: Record<string, number> = {};
  readonly amountFeatures: Record<string, number> = {};
  readonly groupings: Record<string, number> = {};
  readonly currencies: Record<string, number> = {};
  readonly currencyFrom: Record<string, number> = {};
  readonly blanks: Record<string, number> = {};
  readonly totals = new Map<string, Decimal>();
  readonly dateOrder: DateOrderState = {};
  periodMin: string | undefined;
  periodMax: string | undefined;
  /** Rows whose period is a fiscal year (annual amounts, booked in the year's last month). */
  annualRows = 0;

  constructor(
    readonly columns: ResolvedColumns,
    readonly mapping: Mapping,
    /** The tenant's fiscal year start month, for annual periods (a `Year` column). */
    readonly fiscalYearStartMonth = 1,
  ) {}

  /** The report's per-column section. */
  columnsReport() {
    const src = (f: string) => describeField(this.columns[f]);
    const text = (f: TextField) => ({ ...src(f), blank: this.blanks[f] ?? 0 });
    return {
      period: {
        ...src('period'),
        declared_format: this.mapping.period_format,
        formats: this.forms,
        date_order: this.dateOrder.order ?? null,
        date_order_decided_at_row: this.dateOrder.decidedAt ?? null,
        annual_rows: this.annualRows,
        fiscal_year_start_month: this.fiscalYearStartMonth,
      },
      amount: {
        ...src('amount'),
        decimal_separator: this.mapping.decimal_separator,
        thousands_separators: this.groupings,
        counts: this.amountFeatures,
      },
      currency: {
        ...src('currency'),
        default_currency: this.mapping.default_currency ?? null,
        taken_from: this.currencyFrom,
        values: this.currencies,
      },
      gl_account: text('gl_account'),
      department: text('department'),
      cost_centre: text('cost_centre'),
      category: text('category'),
      description: text('description'),
    };
  }

  /** Exact sums per currency. */
  totalsReport(): Record<string, string> {
    return Object.fromEntries([...this.totals].sort().map(([c, v]) => [c, v.toFixed(2)]));
  }
}

const textOf = cellText;

/** Validates one row; returns the row to insert or its field errors. */
export function readRow(
  row: SourceRow,
  stats: ReadStats,
): { ok: true; value: ActualInsert } | { ok: false; errors: FieldError[] } {
  const n = row.rowNumber;
  const errors: FieldError[] = [];
  const err = (field: string, code: string, message: string) =>
    errors.push({ path: `rows.${n}.${field}`, code, message: `row ${n}: ${message}` });
  const cell = (f: string) => fieldValue(stats.columns, f, row.cells);
  const { mapping } = stats;

  // Period
  let period = '';
  const rawPeriod = cell('period');
  const p =
    rawPeriod instanceof Date
      ? parsePeriodDate(rawPeriod)
      : parsePeriodText(
          typeof rawPeriod === 'number' ? String(rawPeriod) : textOf(rawPeriod),
          mapping.period_format,
          stats.dateOrder,
          n,
          stats.fiscalYearStartMonth,
        );
  if (p.ok) period = p.period;
  else err('period', p.code, p.message);

  // Amount
  let amount = '';
  let amountCurrency: string | undefined;
  const rawAmount = cell('amount');
  const a =
    typeof rawAmount === 'number'
      ? parseAmountNumber(rawAmount)
      : parseAmountText(textOf(rawAmount), mapping.decimal_separator);
  if (a.ok) {
    amount = a.value;
    amountCurrency = a.currency;
  } else err('amount', a.code, a.message);

  // Currency: the column, else a code written in the amount, else the mapping's default.
  let currency = textOf(cell('currency')).toUpperCase();
  let from = 'column';
  if (currency && !(/^[A-Z]{3}$/.test(currency) && CURRENCIES.has(currency))) {
    err('currency', 'invalid_currency', `currency "${currency.slice(0, 20)}" is not an ISO 4217 code`);
  } else if (currency && amountCurrency && amountCurrency !== currency) {
    err(
      'currency',
      'currency_mismatch',
      `currency ${currency} differs from ${amountCurrency} written in the amount`,
    );
  } else if (!currency) {
    if (amountCurrency) {
      currency = amountCurrency;
      from = 'amount';
      if (!CURRENCIES.has(currency))
        err('amount', 'invalid_currency', `amount names "${currency}", not an ISO 4217 code`);
    } else if (mapping.default_currency) {
      currency = mapping.default_currency;
      from = 'default_currency';
    } else err('currency', 'required', 'currency is blank and the mapping has no default_currency');
  }

  const texts: Partial<Record<TextField, string | null>> = {};
  for (const f of Object.keys(TEXT_LIMITS) as TextField[]) {
    if (!stats.columns[f]) continue;
    const v = textOf(cell(f));
    if (v === '') {
      bump(stats.blanks, f);
      texts[f] = null;
    } else if (v.length > TEXT_LIMITS[f]) {
      err(f, 'too_long', `${f} is longer than ${TEXT_LIMITS[f]} characters`);
    } else if (v.includes('\u0000')) {
      err(f, 'invalid_character', `${f} contains a NUL character`);
    } else texts[f] = v;
  }

  if (errors.length > 0) return { ok: false, errors };
  // Counted only for rows that are stored, so the report describes the data.
  if (p.ok) bump(stats.forms, p.form);
  if (p.ok && p.annual) stats.annualRows++;
  if (a.ok) {
    for (const f of a.features) bump(stats.amountFeatures, f);
    if (a.grouping) bump(stats.groupings, a.grouping === ' ' ? 'space' : a.grouping);
  }
  bump(stats.currencies, currency);
  bump(stats.currencyFrom, from);
  stats.totals.set(currency, (stats.totals.get(currency) ?? new Decimal(0)).plus(amount));
  if (!stats.periodMin || period < stats.periodMin) stats.periodMin = period;
  if (!stats.periodMax || period > stats.periodMax) stats.periodMax = period;
  return {
    ok: true,
    value: {
      row_number: n,
      period,
      gl_account_id: texts.gl_account ?? null,
      department_id: texts.department ?? null,
      cost_center_id: texts.cost_centre ?? null,
      category: texts.category ?? null,
      amount,
      currency,
      description: texts.description ?? null,
    },
  };
}

/** Whether every cell of a row is empty (skipped, but still counted as a row of the file). */
export function isBlankRow(cells: Cell[]): boolean {
  return cells.every((c) => textOf(c) === '');
}
