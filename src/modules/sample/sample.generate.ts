/**
 * Generates the sample company's figures from a seed: ledger postings for two fiscal years, monthly
 * FX rates and the budget lines planners would write from them. Pure and deterministic: the same
 * seed and as-of month give the same figures, to the cent. Amounts are decimal.js throughout; the
 * PRNG (mulberry32, the forecasting engine's) only draws integers: weights, days, basis points.
 */

import { Decimal } from '../../shared/money.ts';
import { createRng, deriveSeed, type Rng } from '../forecasting/index.ts';
import { ACCOUNTS, type Account, BASE_CURRENCY, EVENTS, FX_START, SEASONS } from './sample.company.ts';

/** Which figures to generate: the seed, the current fiscal year and its last month with actuals (1–12). */
export interface SampleShape {
  seed: number;
  year: number;
  asOfMonth: number;
}

/** One row of the ledger export. */
export interface Posting {
  date: string;
  gl: string;
  department: string;
  category: string;
  text: string;
  amount: string;
  currency: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const month = (year: number, m: number) => `${year}-${pad(m)}`;
const cents = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
const rngFor = (seed: number, key: string): Rng => createRng(deriveSeed(seed, key));

/** Full years of ledger before the current one (forecasting needs 24 months of history). */
export const PRIOR_YEARS = 2;

/** The months of the sample, from January of the first ledger year to December of the next, as YYYY-MM. */
export function sampleMonths(year: number): string[] {
  const out: string[] = [];
  for (let y = year - PRIOR_YEARS; y <= year + 1; y++) for (let m = 1; m <= 12; m++) out.push(month(y, m));
  return out;
}

/** Monthly rates into the base currency: a random walk of at most ±0.2 % a month from FX_START. */
export function fxRates(shape: SampleShape): { period: string; from: string; to: string; rate: string }[] {
  const out: { period: string; from: string; to: string; rate: string }[] = [];
  for (const [currency, start] of Object.entries(FX_START)) {
    const rng = rngFor(shape.seed, `fx:${currency}`);
    let rate = new Decimal(start);
    for (const period of sampleMonths(shape.year)) {
      out.push({ period, from: currency, to: BASE_CURRENCY, rate: rate.toFixed(4) });
      const stepBp = rng.int(41) - 20;
      rate = rate.mul(new Decimal(10_000 + stepBp).div(10_000)).toDecimalPlaces(4, Decimal.ROUND_HALF_UP);
    }
  }
  return out;
}

/** The rate of a currency into the base currency in a month (1 for the base currency). */
export function rateOf(rates: ReturnType<typeof fxRates>, currency: string, period: string): Decimal {
  if (currency === BASE_CURRENCY) return new Decimal(1);
  const r = rates.find((x) => x.from === currency && x.period === period);
  if (!r) throw new Error(`sample: no ${currency} rate for ${period}`);
  return new Decimal(r.rate);
}

/**
 * One account's actual for month index t (0 = January of the first ledger year), in its own currency:
 * run-rate × season × compound growth × noise, then the current year's unplanned events.
 */
function actualOf(account: Account, t: number, rng: Rng): Decimal {
  const m = t % 12;
  const growth = new Decimal(1).add(account.actualGrowth).pow(new Decimal(t).div(12));
  const noiseBp = rng.int(2 * account.noiseBp + 1) - account.noiseBp;
  let value = new Decimal(account.monthly)
    .mul(SEASONS[account.season][m]!)
    .mul(growth)
    .mul(new Decimal(10_000 + noiseBp).div(10_000));
  if (t >= 12 * PRIOR_YEARS) {
    for (const e of EVENTS) {
      if (e.gl !== account.gl || !e.months.includes(m + 1)) continue;
      if (e.factor) value = value.mul(e.factor);
      if (e.extra) value = value.add(e.extra);
    }
  }
  return cents(value);
}

/** Splits an amount into n postings by random weights; the parts add up to the cent. */
function split(total: Decimal, n: number, rng: Rng): Decimal[] {
  const weights = Array.from({ length: n }, () => 20 + rng.int(80));
  const sum = weights.reduce((s, w) => s + w, 0);
  const parts = weights.map((w) => total.mul(w).div(sum).toDecimalPlaces(2, Decimal.ROUND_DOWN));
  const rest = parts.slice(0, -1).reduce((s, p) => s.add(p), new Decimal(0));
  parts[n - 1] = total.sub(rest);
  return parts;
}

/** The ledger: postings per fiscal year (oldest first) and each account's monthly actual (own currency). */
export interface Ledger {
  years: { year: number; postings: Posting[] }[];
  monthly: Map<string, Decimal[]>;
}

/** Generates the prior years in full and the current year through `asOfMonth`. */
export function generateLedger(shape: SampleShape): Ledger {
  const first = shape.year - PRIOR_YEARS;
  const years = Array.from({ length: PRIOR_YEARS + 1 }, (_, i) => ({
    year: first + i,
    postings: [] as Posting[],
  }));
  const monthly = new Map<string, Decimal[]>();
  const months = 12 * PRIOR_YEARS + shape.asOfMonth;
  for (const account of ACCOUNTS) {
    const rng = rngFor(shape.seed, `gl:${account.gl}`);
    const values: Decimal[] = [];
    for (let t = 0; t < months; t++) {
      const year = first + Math.floor(t / 12);
      const m = (t % 12) + 1;
      const value = actualOf(account, t, rng);
      values.push(value);
      const event =
        year === shape.year ? EVENTS.find((e) => e.gl === account.gl && e.months.includes(m)) : undefined;
      const parts = split(value, account.postings, rng);
      parts.forEach((amount, i) => {
        const day = account.postings === 1 ? 28 : 1 + rng.int(28);
        years[year - first]!.postings.push({
          date: `${month(year, m)}-${pad(day)}`,
          gl: account.gl,
          department: account.department,
          category: account.category,
          text: `${account.name} ${month(year, m)}${account.postings > 1 ? ` #${i + 1}` : ''}${event && i === 0 ? ` – ${event.text}` : ''}`,
          amount: amount.toFixed(2),
          currency: account.currency,
        });
      });
    }
    monthly.set(account.gl, values);
  }
  const byDate = (x: Posting, y: Posting) => x.date.localeCompare(y.date) || x.gl.localeCompare(y.gl);
  for (const y of years) y.postings.sort(byDate);
  return { years, monthly };
}

/** The headers of the sample's ledger export, as an ERP writes them (the saved mapping names them). */
export const CSV_HEADERS = [
  'Posting date',
  'G/L account',
  'Department',
  'Category',
  'Text',
  'Amount',
  'Currency',
];

/** A ledger export file (CSV, comma-separated, text fields quoted). */
export function toCsv(postings: Posting[]): string {
  const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const rows = postings.map((p) =>
    [p.date, p.gl, q(p.department), q(p.category), q(p.text), p.amount, p.currency].join(','),
  );
  return `${CSV_HEADERS.join(',')}\n${rows.join('\n')}\n`;
}

/** A budget line as the API takes it (the fields the sample uses). */
export interface PlanLine {
  line_name: string;
  line_type: Account['lineType'];
  category: string;
  gl_account_id: string;
  department_id: string;
  amount?: string;
  quantity?: string;
  unit_cost?: string;
  spread_method: Account['spread'];
  spread_profile?: string[];
  line_order: number;
  description: string;
  approval_threshold?: string;
}

/** Rounds a plan figure to whole hundreds, as planners do. */
const hundreds = (d: Decimal) => d.div(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).mul(100);

/** A line with the amount given directly, or as headcount × cost per head for payroll. */
function lineFor(account: Account, i: number, amount: Decimal, spread: Account['spread'], text: string) {
  const line: PlanLine = {
    line_name: account.name,
    line_type: account.lineType,
    category: account.category,
    gl_account_id: account.gl,
    department_id: account.department,
    spread_method: spread,
    line_order: (i + 1) * 10,
    description: text,
  };
  if (spread === 'seasonal') line.spread_profile = [...SEASONS[account.season]];
  if (account.headcount) {
    line.quantity = String(account.headcount);
    line.unit_cost = cents(amount.div(account.headcount)).toFixed(2);
  } else line.amount = amount.toFixed(2);
  return line;
}

/** The current year's plan: last year's actuals in the base currency, grown by the planned rate. */
export function currentYearLines(shape: SampleShape, ledger: Ledger, rates: ReturnType<typeof fxRates>) {
  return ACCOUNTS.map((account, i) => {
    const values = ledger.monthly.get(account.gl)!;
    const lastYear = values
      .slice(12 * (PRIOR_YEARS - 1), 12 * PRIOR_YEARS)
      .reduce(
        (s, v, m) => s.add(cents(v.mul(rateOf(rates, account.currency, month(shape.year - 1, m + 1))))),
        new Decimal(0),
      );
    const pct = new Decimal(account.plannedGrowth).mul(100);
    const text = `${shape.year - 1} actuals ${pct.isNeg() ? '−' : '+'}${pct.abs().toFixed(0)} %`;
    const plan = hundreds(lastYear.mul(new Decimal(1).add(account.plannedGrowth)));
    const line = lineFor(account, i, plan, account.spread, text);
    if (account.gl === '4000') line.approval_threshold = '5000000.00';
    return line;
  });
}

/**
 * The next year's template lines from the current plan: grown by the planned rate again and
 * phased by the seasonal profiles (the next year has no full prior year of actuals yet). The
 * second version adds a 4 % merit increase on payroll and cuts travel by 10 %.
 */
export function nextYearLines(current: PlanLine[], version: 1 | 2): PlanLine[] {
  return ACCOUNTS.map((account, i) => {
    const now = current[i]!;
    const amount = now.amount ? new Decimal(now.amount) : new Decimal(now.quantity!).mul(now.unit_cost!);
    let next = amount.mul(new Decimal(1).add(account.plannedGrowth));
    let text = 'Plan grown by the planned rate';
    if (version === 2 && account.category === 'Payroll') {
      next = next.mul('1.04');
      text = 'Plan grown by the planned rate, +4 % merit increase';
    }
    if (version === 2 && account.gl === '6200') {
      next = next.mul('0.90');
      text = 'Travel policy: −10 %';
    }
    return lineFor(account, i, hundreds(next), account.season === 'flat' ? 'even' : 'seasonal', text);
  });
}
