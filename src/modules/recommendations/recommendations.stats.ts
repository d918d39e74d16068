/**
 * Pure statistics over monthly series: seasonal shares, phasing distance, velocity, growth and
 * volatility. Money stays Decimal; ratios are Decimal too and are shown rounded to 4 decimals.
 */
import { Decimal } from '../../shared/money.ts';

/** One month of a series: first day of the month and its amount. */
export interface Point {
  m: string;
  amount: Decimal;
}

const ZERO = new Decimal(0);
const calMonth = (m: string) => Number(m.slice(5, 7));
/** Ratio shown to 4 decimals. */
export const ratio = (d: Decimal) => d.toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed(4);
/** Percent shown to 2 decimals. */
export const pct = (d: Decimal) => d.times(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
/** Money shown to the cent, half-up. */
export const cents = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);

/** Adds `n` months to a YYYY-MM-DD first-of-month date. */
export function addMonths(m: string, n: number): string {
  const y = Number(m.slice(0, 4));
  const idx = y * 12 + calMonth(m) - 1 + n;
  return `${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}-01`;
}

export interface Seasonality {
  /** Share of the year per calendar month (1-12), summing to 1. */
  shares: Map<number, Decimal>;
  /** Observations per calendar month (complete cycles = the minimum). */
  cycles: number;
  /** Mean pairwise correlation of the yearly profiles (1 = every year has the same shape). */
  consistency: number;
}

/** Seasonal shares from monthly actuals; null unless every calendar month has `minCycles` observations. */
export function seasonality(points: Point[], minCycles = 2): Seasonality | null {
  const byMonth = new Map<number, Decimal[]>();
  for (const p of points) byMonth.set(calMonth(p.m), [...(byMonth.get(calMonth(p.m)) ?? []), p.amount]);
  if (byMonth.size < 12) return null;
  const cycles = Math.min(...[...byMonth.values()].map((v) => v.length));
  if (cycles < minCycles) return null;
  const means = new Map([...byMonth].map(([m, v]) => [m, v.reduce((a, b) => a.plus(b), ZERO).div(v.length)]));
  const total = [...means.values()].reduce((a, b) => a.plus(b), ZERO);
  if (total.lte(0)) return null;
  const shares = new Map([...means].map(([m, v]) => [m, v.div(total)]));
  return { shares, cycles, consistency: profileConsistency(points) };
}

// Correlation of each pair of yearly profiles (calendar years with all 12 months), averaged.
function profileConsistency(points: Point[]): number {
  const years = new Map<string, number[]>();
  for (const p of points) {
    const y = p.m.slice(0, 4);
    const arr = years.get(y) ?? new Array<number>(12).fill(Number.NaN);
    arr[calMonth(p.m) - 1] = p.amount.toNumber();
    years.set(y, arr);
  }
  const full = [...years.values()].filter((a) => a.every((v) => !Number.isNaN(v)));
  const rs: number[] = [];
  for (let i = 0; i < full.length; i++)
    for (let j = i + 1; j < full.length; j++) rs.push(pearson(full[i]!, full[j]!));
  if (rs.length === 0) return 0;
  return rs.reduce((a, b) => a + b, 0) / rs.length;
}

function pearson(a: number[], b: number[]): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - ma) * (b[i]! - mb);
    da += (a[i]! - ma) ** 2;
    db += (b[i]! - mb) ** 2;
  }
  // Two flat years have the same (flat) shape.
  if (da === 0 || db === 0) return da === db ? 1 : 0;
  return num / Math.sqrt(da * db);
}

/** Half the sum of absolute share differences: the fraction of the total placed in the wrong months. */
export function phasingDistance(phasing: Map<number, Decimal>, seasonal: Map<number, Decimal>): Decimal {
  let d = ZERO;
  for (const [m, p] of phasing) d = d.plus(p.minus(seasonal.get(m) ?? ZERO).abs());
  return d.div(2);
}

/** Spreads `total` over keys in proportion to `weights`, to the cent, exactly (largest remainder). */
export function spreadCents(total: Decimal, weights: Map<number, Decimal>): Map<number, Decimal> {
  const totalCents = total.times(100).toDecimalPlaces(0);
  const sum = [...weights.values()].reduce((a, b) => a.plus(b), ZERO);
  const raw = [...weights].map(([k, w]) => ({ k, v: sum.isZero() ? ZERO : totalCents.times(w).div(sum) }));
  const floors = raw.map((r) => ({ k: r.k, c: r.v.floor(), r: r.v.minus(r.v.floor()) }));
  let left = totalCents.minus(floors.reduce((a, f) => a.plus(f.c), ZERO)).toNumber();
  for (const f of [...floors].sort((a, b) => b.r.comparedTo(a.r) || a.k - b.k)) {
    if (left <= 0) break;
    f.c = f.c.plus(1);
    left -= 1;
  }
  return new Map(floors.map((f) => [f.k, f.c.div(100)]));
}

export interface Velocity {
  current_month: string;
  current_month_actual: string;
  trailing_average: string;
  trailing_months: number;
  change_percent: string | null;
  trend: 'increasing' | 'decreasing' | 'stable';
  slope_per_month: string;
}

/** This month against the trailing average of the `window` months before it, and the trend of the last six. */
export function velocity(points: Point[], window = 3): Velocity | null {
  if (points.length < 2) return null;
  const last = points.at(-1)!;
  const before = points.slice(-1 - window, -1);
  const avg = before.reduce((a, p) => a.plus(p.amount), ZERO).div(before.length);
  const recent = points.slice(-6);
  const n = recent.length;
  const xm = (n - 1) / 2;
  const ym = recent.reduce((a, p) => a.plus(p.amount), ZERO).div(n);
  let num = ZERO;
  let den = ZERO;
  recent.forEach((p, i) => {
    num = num.plus(p.amount.minus(ym).times(i - xm));
    den = den.plus((i - xm) ** 2);
  });
  const slope = den.isZero() ? ZERO : num.div(den);
  // A slope within 2% of the mean per month is noise, not a trend.
  const rel = ym.isZero() ? ZERO : slope.div(ym.abs());
  const trend = rel.gt(0.02) ? 'increasing' : rel.lt(-0.02) ? 'decreasing' : 'stable';
  return {
    current_month: last.m.slice(0, 7),
    current_month_actual: cents(last.amount),
    trailing_average: cents(avg),
    trailing_months: before.length,
    change_percent: avg.isZero() ? null : pct(last.amount.minus(avg).div(avg)),
    trend,
    slope_per_month: cents(slope),
  };
}

/** Year over year: the last 12 months against the 12 before; null without 24 months. */
export function growthYoY(points: Point[]): Decimal | null {
  if (points.length < 24) return null;
  const last = points.slice(-12).reduce((a, p) => a.plus(p.amount), ZERO);
  const prior = points.slice(-24, -12).reduce((a, p) => a.plus(p.amount), ZERO);
  if (prior.lte(0)) return null;
  return last.div(prior).minus(1);
}

/** Coefficient of variation (sample sd / mean) of the series, seasonally adjusted when shares are given. */
export function volatility(
  points: Point[],
  shares?: Map<number, Decimal>,
): { cv: Decimal; sd: Decimal } | null {
  if (points.length < 6) return null;
  const values = points.map((p) => {
    const s = shares?.get(calMonth(p.m));
    return s && !s.isZero() ? p.amount.div(s.times(12)) : p.amount;
  });
  const mean = values.reduce((a, b) => a.plus(b), ZERO).div(values.length);
  if (mean.lte(0)) return null;
  const variance = values.reduce((a, v) => a.plus(v.minus(mean).pow(2)), ZERO).div(values.length - 1);
  const sd = variance.sqrt();
  return { cv: sd.div(mean), sd };
}
