/**
 * Pure rules of periods and phasing: which months a budget covers, and how a line's amount is
 * spread over them so that the periods always sum exactly to the line amount.
 *
 * Fiscal-year naming: a fiscal year is named by the calendar year in which it ENDS (as most FP&A
 * tools do). With a start month of 4, fiscal year "2027" is April 2026 - March 2027; with a start
 * month of 1 it is January - December 2027.
 *
 * Rounding: amounts are split in whole cents by the largest-remainder method. Every period gets
 * the floor of its exact share; the cents left over go one each to the periods with the largest
 * discarded remainders, ties going to the earliest period. So 100.00 over 3 months is
 * 33.34 / 33.33 / 33.33 and 0.01 over 12 months puts the cent in the first month. The arithmetic
 * is on integers (BigInt cents and scaled weights): no float and no rounded division anywhere.
 */
import type { BudgetType } from '../../shared/enums.ts';
import { Decimal, MAX_AMOUNT } from '../../shared/money.ts';

/** Most periods a budget may have (ten years of months; the table's CHECK agrees). */
export const MAX_PERIODS = 120;

/** A calendar month. */
export interface YearMonth {
  year: number;
  month: number; // 1..12
}

/** The first and last day a budget covers, as ISO dates. */
export interface PeriodRange {
  periodStart: string;
  periodEnd: string;
}

/** A broken rule of the period range, with the field it concerns. */
export class PeriodRuleError extends Error {
  constructor(
    readonly field: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** 'YYYY-MM-01' of a month. */
export function monthStart(m: YearMonth): string {
  return `${pad(m.year, 4)}-${pad(m.month)}-01`;
}

/** Last day of a month as an ISO date. */
export function monthEnd(m: YearMonth): string {
  const days = new Date(Date.UTC(m.year, m.month, 0)).getUTCDate();
  return `${pad(m.year, 4)}-${pad(m.month)}-${pad(days)}`;
}

/** The month n months after m (n may be negative). */
export function addMonths(m: YearMonth, n: number): YearMonth {
  const k = m.year * 12 + (m.month - 1) + n;
  return { year: Math.floor(k / 12), month: (k % 12) + 1 };
}

/** The month of an ISO date. */
export function monthOf(isoDate: string): YearMonth {
  return { year: Number(isoDate.slice(0, 4)), month: Number(isoDate.slice(5, 7)) };
}

/** First month of a fiscal year named by the calendar year it ends in. */
export function fiscalYearStart(fiscalYear: string | number, startMonth: number): YearMonth {
  const year = Number(fiscalYear);
  return startMonth === 1 ? { year, month: 1 } : { year: year - 1, month: startMonth };
}

const MONTHS_OF: Partial<Record<BudgetType, number>> = { annual: 12, quarterly: 3, monthly: 1 };

export interface RangeInput {
  budgetType: BudgetType;
  fiscalYear: string;
  fiscalYearStartMonth: number;
  periodStart?: string | null | undefined;
  periodEnd?: string | null | undefined;
}

/**
 * The range a budget covers. Annual: the whole fiscal year. Quarterly and monthly: 3 or 1
 * months from `periodStart` (its month) when given, else from the fiscal year's first month.
 * Project and rolling: `periodStart` .. `periodEnd` (both required), month granularity, at most
 * 120 months.
 */
export function budgetRange(input: RangeInput): PeriodRange {
  const fixed = MONTHS_OF[input.budgetType];
  if (fixed !== undefined) {
    if (input.budgetType === 'annual' && input.periodStart) {
      throw new PeriodRuleError(
        'period_start',
        'derived_field',
        'period_start of an annual budget is derived from fiscal_year and the tenant fiscal year start month',
      );
    }
    const first = input.periodStart
      ? monthOf(input.periodStart)
      : fiscalYearStart(input.fiscalYear, input.fiscalYearStartMonth);
    const range = { periodStart: monthStart(first), periodEnd: monthEnd(addMonths(first, fixed - 1)) };
    if (input.periodEnd && input.periodEnd !== range.periodEnd) {
      throw new PeriodRuleError(
        'period_end',
        'derived_field',
        `period_end of a ${input.budgetType} budget is derived (${range.periodEnd}); omit it`,
      );
    }
    return range;
  }
  if (!input.periodStart || !input.periodEnd) {
    throw new PeriodRuleError(
      input.periodStart ? 'period_end' : 'period_start',
      'required',
      `A ${input.budgetType} budget needs period_start and period_end`,
    );
  }
  if (input.periodEnd < input.periodStart) {
    throw new PeriodRuleError('period_end', 'before_start', 'period_end must not be before period_start');
  }
  if (monthsBetween(input.periodStart, input.periodEnd) > MAX_PERIODS) {
    throw new PeriodRuleError(
      'period_end',
      'too_many_periods',
      `A budget may cover at most ${MAX_PERIODS} months`,
    );
  }
  return { periodStart: input.periodStart, periodEnd: input.periodEnd };
}

/** The fiscal year (named by the calendar year it ends in) of a month. */
export function fiscalYearOf(m: YearMonth, startMonth: number): number {
  return startMonth === 1 || m.month < startMonth ? m.year : m.year + 1;
}

/**
 * Checks a budget's fiscal_year: within the tenant's window (current calendar year - past ...
 * + future), and agreeing with its dates — every month of an annual, quarterly or monthly budget
 * lies in that fiscal year, and a project or rolling budget starts in it. Throws PeriodRuleError.
 */
export function checkFiscalYear(
  input: RangeInput & { window?: { past: number; future: number; now: number } },
  range: PeriodRange,
): void {
  const year = Number(input.fiscalYear);
  if (input.window) {
    const { past, future, now } = input.window;
    if (year < now - past || year > now + future)
      throw new PeriodRuleError(
        'fiscal_year',
        'fiscal_year_out_of_range',
        `fiscal_year must be between ${now - past} and ${now + future} (this tenant's window: current year -${past} ... +${future}, settings fiscal_years_past / fiscal_years_future)`,
      );
  }
  const first = fiscalYearStart(year, input.fiscalYearStartMonth);
  const fyFrom = monthStart(first);
  const fyTo = monthEnd(addMonths(first, 11));
  const whole = MONTHS_OF[input.budgetType] !== undefined;
  const startFy = fiscalYearOf(monthOf(range.periodStart), input.fiscalYearStartMonth);
  const endFy = fiscalYearOf(monthOf(range.periodEnd), input.fiscalYearStartMonth);
  if (startFy !== year || (whole && endFy !== year)) {
    const field = input.periodStart ? 'period_start' : 'fiscal_year';
    throw new PeriodRuleError(
      field === 'period_start' && startFy === year ? 'period_end' : field,
      'fiscal_year_mismatch',
      `fiscal_year ${year} runs ${fyFrom} to ${fyTo}, but the budget covers ${range.periodStart} to ${range.periodEnd} (${
        whole
          ? `a ${input.budgetType} budget lies within its fiscal year`
          : `a ${input.budgetType} budget starts in its fiscal year`
      })`,
    );
  }
}

/** Number of calendar months touched by start..end (inclusive). */
export function monthsBetween(start: string, end: string): number {
  const a = monthOf(start);
  const b = monthOf(end);
  return (b.year - a.year) * 12 + (b.month - a.month) + 1;
}

/** First day of every month of the range, in order. */
export function periodStarts(range: PeriodRange): string[] {
  const first = monthOf(range.periodStart);
  const n = monthsBetween(range.periodStart, range.periodEnd);
  return Array.from({ length: n }, (_, i) => monthStart(addMonths(first, i)));
}

/** Integer cents of a money string. */
export function toCents(amount: string): bigint {
  return BigInt(new Decimal(amount).times(100).toFixed(0));
}

/** Money string of integer cents. */
export function centsToMoney(cents: bigint): string {
  const neg = cents < 0n;
  const abs = neg ? -cents : cents;
  return `${neg ? '-' : ''}${abs / 100n}.${pad(Number(abs % 100n))}`;
}

/** Weights as integers of one common scale (so ratios stay exact). */
function scaledWeights(weights: readonly string[]): bigint[] {
  const ds = weights.map((w) => new Decimal(w));
  const scale = Math.max(0, ...ds.map((d) => d.decimalPlaces()));
  return ds.map((d) => BigInt(d.times(new Decimal(10).pow(scale)).toFixed(0)));
}

/**
 * Splits `amount` over periods in proportion to `weights` (any non-negative decimals, not
 * necessarily summing to 1), in whole cents, by largest remainder, ties to the earliest period.
 * Throws if the weights are negative or, for a non-zero amount, all zero.
 */
export function spreadByWeights(amount: string, weights: readonly string[]): string[] {
  if (weights.length === 0) throw new PeriodRuleError('spread_profile', 'empty', 'No periods to spread over');
  const w = scaledWeights(weights);
  if (w.some((x) => x < 0n)) {
    throw new PeriodRuleError('spread_profile', 'negative_weight', 'Weights must not be negative');
  }
  const total = w.reduce((a, b) => a + b, 0n);
  // A negative amount (a contra line) is spread as its magnitude and negated, so the cents are
  // rounded the same way whatever the sign and the parts still add up to the amount exactly.
  const signed = toCents(amount);
  const sign = signed < 0n ? -1n : 1n;
  const cents = signed * sign;
  if (total === 0n) {
    if (cents === 0n) return w.map(() => '0.00');
    throw new PeriodRuleError('spread_profile', 'zero_weights', 'Weights sum to zero: nothing to spread by');
  }
  const shares = w.map((x) => (cents * x) / total);
  const remainders = w.map((x, i) => ({ i, r: (cents * x) % total }));
  let left = cents - shares.reduce((a, b) => a + b, 0n);
  // Largest remainder first; equal remainders keep index order (earliest first).
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left === 0n) break;
    shares[i]! += 1n;
    left -= 1n;
  }
  return shares.map((s) => centsToMoney(s * sign));
}

/** Splits an amount evenly over n periods (largest remainder: the extra cents go first). */
export function spreadEven(amount: string, n: number): string[] {
  return spreadByWeights(
    amount,
    Array.from({ length: n }, () => '1'),
  );
}

/** Exact sum of money strings, as a money string. */
export function sumMoney(values: readonly string[]): string {
  return centsToMoney(values.reduce((a, v) => a + toCents(v), 0n));
}

/** Whether an amount fits the money column. */
export function withinMaxAmount(amount: string): boolean {
  return new Decimal(amount).abs().lte(MAX_AMOUNT);
}

/** What spreading one line needs to know about it. */
export interface SpreadInput {
  amount: string;
  spreadMethod: 'even' | 'seasonal' | 'last_year' | 'manual';
  spreadProfile: readonly string[] | null;
  /** Last year's actuals per period (absolute monthly totals), for last_year. */
  lastYear?: readonly string[] | undefined;
  /** The line's current period amounts, for manual (re-spread in proportion to them). */
  previous?: readonly string[] | undefined;
}

/**
 * A line's period amounts. even: equal shares. seasonal: by its profile (one weight per period).
 * last_year: by last year's actuals of the same months. manual: in proportion to its current
 * periods (so a new amount keeps the shape the user typed), evenly when it has none yet.
 */
export function spreadLine(line: SpreadInput, periods: number): string[] {
  switch (line.spreadMethod) {
    case 'even':
      return spreadEven(line.amount, periods);
    case 'seasonal': {
      const profile = line.spreadProfile ?? [];
      if (profile.length !== periods) {
        throw new PeriodRuleError(
          'spread_profile',
          'profile_length',
          `spread_profile needs one weight per period: the budget has ${periods} periods, the profile ${profile.length} weights`,
        );
      }
      return spreadByWeights(line.amount, profile);
    }
    case 'last_year': {
      const weights = line.lastYear ?? [];
      if (weights.length !== periods || weights.every((w) => new Decimal(w).isZero())) {
        throw new PeriodRuleError(
          'spread_method',
          'no_last_year_actuals',
          'No actuals last year for this line (matched by gl_account_id, else category, and department_id when set): cannot spread like last year',
        );
      }
      return spreadByWeights(line.amount, weights);
    }
    case 'manual': {
      const prev = line.previous;
      if (prev && prev.length === periods && prev.some((p) => !new Decimal(p).isZero())) {
        // The shape is the periods' sizes (a contra line's periods are <= 0).
        return spreadByWeights(
          line.amount,
          prev.map((p) => new Decimal(p).abs().toFixed()),
        );
      }
      return spreadEven(line.amount, periods);
    }
  }
}

/** Field problems of a line's spread settings: seasonal needs a profile, and only seasonal takes one. */
export function spreadFieldErrors(
  method: SpreadInput['spreadMethod'],
  profile: readonly string[] | null | undefined,
  prefix: string,
): { path: string; code: string; message: string }[] {
  if (method === 'seasonal' && !profile) {
    return [
      {
        path: `${prefix}spread_profile`,
        code: 'required',
        message: 'spread_profile (one weight per period) is required when spread_method is seasonal',
      },
    ];
  }
  if (method !== 'seasonal' && profile) {
    return [
      {
        path: `${prefix}spread_profile`,
        code: 'profile_without_seasonal',
        message: 'spread_profile is only used by the seasonal spread method',
      },
    ];
  }
  return [];
}
