/**
 * `auto`: per series, score single models and combinations of them by rolling-origin backtests
 * on the training part, and keep the best. A combination is the default; a single model replaces
 * it only when its backtest error is lower by AUTO_MARGIN, because with a handful of origins the
 * apparent winner is often noise, and combinations are the robust choice on M1/M4.
 */
import { backtestError, type Origin } from './backtest.ts';
import { etsSearch } from './ets.ts';
import { type Member, type MemberRun, runMember } from './members.ts';
import { linearTrend, mean, median } from './stats.ts';
import { thetaSeasonal } from './theta.ts';
import type { FitContext } from './types.ts';

/** A candidate: one model, or the mean/median of several. */
export interface Candidate {
  name: string;
  members: Member[];
  combine: 'mean' | 'median';
}

/**
 * Candidates auto tries, the first being the default combination. The seasonal naive forecast is a
 * member of the median: it anchors the median to last year's pattern when ETS and Theta disagree
 * (dev split OWA 0.887 -> 0.858, deep dev window 0.884 -> 0.870, against median(ets,theta,arima));
 * with it ARIMA no longer helps (median of the four: 0.852 / 0.876) and costs ~40% of auto's CPU.
 * The ETS member is `etsA` (additive errors only, members.ts): dev 0.852 -> 0.840, deep 0.875 -> 0.861.
 */
export const AUTO_CANDIDATES: Candidate[] = [
  { name: 'median(etsA,theta,snaive)', members: ['etsA', 'theta', 'snaive'], combine: 'median' },
  { name: 'mean(etsA,theta)', members: ['etsA', 'theta'], combine: 'mean' },
  { name: 'etsA', members: ['etsA'], combine: 'mean' },
  { name: 'theta', members: ['theta'], combine: 'mean' },
];

/**
 * Candidates when the batch has a pooled model (`pooled.ts`): the default median gains it as a
 * fourth member (the mean of the middle two of four). Dev split OWA 0.838 -> 0.803 (series with at
 * least 30 values 0.836 -> 0.823), deep window 0.867 -> 0.863, third window 0.806 -> 0.795 (replay).
 */
export const POOLED_CANDIDATES: Candidate[] = [
  {
    name: 'median(etsA,theta,snaive,pooled)',
    members: ['etsA', 'theta', 'snaive', 'pooled'],
    combine: 'median',
  },
  ...AUTO_CANDIDATES.slice(1),
];

/**
 * Relative improvement a non-default candidate needs in backtest error to be chosen. Dev split
 * (train minus its last 18 values): 0.1 gave OWA 0.899, 0.2 gave 0.886, never switching 0.887.
 */
export const AUTO_MARGIN = 0.2;

/**
 * Seasonal guard: on a seasonal series a non-default candidate may replace the default only when its
 * forecast keeps at least this share of last year's seasonal range (both detrended). A short
 * seasonal series (MND24's first 36 months) came back with a third of its season from `theta`
 * chosen on four noisy origins while `ets` kept it (`auto.test.ts`). Dev split: 0.5 / 0.6 / 0.7
 * gave OWA 0.858 / 0.852 / 0.855 (deep window 0.877 / 0.875 / 0.875; 0.857 / 0.877 without).
 */
export const SEASONAL_GUARD = 0.6;

/** Range of the first m values after removing their linear trend: the seasonal swing. */
export function seasonalRange(x: readonly number[], m: number): number {
  const s = x.slice(0, m);
  const [a, b] = linearTrend(s);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  s.forEach((v, t) => {
    const d = v - a - b * t;
    lo = Math.min(lo, d);
    hi = Math.max(hi, d);
  });
  return hi - lo;
}

/**
 * Whether auto must keep a seasonal shape: the season is significant (Theta's test: the 90%
 * autocorrelation test or seasonal strength > 0.64), or ETS chose a seasonal form (its forecast
 * keeps at least half of last year's range).
 */
function mustKeepSeason(y: readonly number[], m: number, ets: readonly number[] | undefined): boolean {
  if (m <= 1 || y.length < 2 * m) return false;
  const ref = seasonalRange(y.slice(-m), m);
  if (!(ref > 0)) return false;
  if (y.every((v) => v > 0) && thetaSeasonal(y, m)) return true;
  return ets !== undefined && ets.length >= m && seasonalRange(ets, m) >= 0.5 * ref;
}

/**
 * Seasonal guard on the ETS member: when `etsA` (additive errors) drops a season (its forecast keeps
 * less than half of last year's swing) that R's full ETS family keeps, the full family replaces it
 * in every candidate (MND24: etsA, Theta and so their median came back flat, `ets` kept the
 * season). Runs the full family on the whole history only for series where etsA is flat. Returns
 * whether it swapped.
 */
function keepEtsSeason(
  y: readonly number[],
  h: number,
  ctx: FitContext,
  origins: readonly Origin[],
  runs: Map<Member, MemberRun>,
): boolean {
  const m = ctx.period;
  const ea = runs.get('etsA');
  if (!ea || m <= 1 || h < m || y.length < 2 * m + 2) return false;
  const ref = seasonalRange(y.slice(-m), m);
  if (!(ref > 0) || seasonalRange(ea.full, m) >= 0.5 * ref) return false;
  if (seasonalRange(etsSearch(y, h, m).mean, m) < 0.5 * ref) return false;
  runs.set('etsA', runMember('ets', y, h, ctx, origins));
  return true;
}

/** Combines member forecasts step by step. */
export function combineForecasts(parts: readonly number[][], how: 'mean' | 'median'): number[] {
  const h = parts[0]!.length;
  return Array.from({ length: h }, (_, j) => {
    const v = parts.map((p) => p[j]!);
    return how === 'mean' ? mean(v) : median(v);
  });
}

/** The result of auto's selection: the chosen candidate, its forecast and its backtests. */
export interface AutoChoice {
  candidate: Candidate;
  /** The candidate's name, with `ets` for `etsA` when the seasonal guard swapped them. */
  name: string;
  mean: number[];
  backtests: number[][];
  scores: Record<string, number>;
}

/** Runs every member model at every origin once, scores all candidates and forecasts with the best. */
export function autoSelect(
  y: readonly number[],
  h: number,
  ctx: FitContext,
  origins: readonly Origin[],
  candidates: readonly Candidate[] = AUTO_CANDIDATES,
  margin = AUTO_MARGIN,
  guard = SEASONAL_GUARD,
): AutoChoice {
  const members = [...new Set(candidates.flatMap((c) => c.members))];
  const runs = new Map<Member, MemberRun>();
  for (const name of members) runs.set(name, runMember(name, y, h, ctx, origins));
  const m = ctx.period;
  const swapped = guard > 0 && keepEtsSeason(y, h, ctx, origins, runs);
  const bt = new Map<Member, number[][]>([...runs].map(([k, r]) => [k, r.backtests]));
  const backtestsOf = (c: Candidate) =>
    origins.map((_, k) =>
      combineForecasts(
        c.members.map((mb) => bt.get(mb)![k]!),
        c.combine,
      ),
    );
  const scores: Record<string, number> = {};
  let best = candidates[0]!;
  const fullOf = (c: Candidate) =>
    combineForecasts(
      c.members.map((mb) => runs.get(mb)!.full),
      c.combine,
    );
  if (origins.length > 0) {
    for (const c of candidates) scores[c.name] = backtestError(y, origins, backtestsOf(c), m);
    const base = scores[best.name]!;
    let bestScore = base * (1 - margin);
    const seasonal = guard > 0 && h >= m && mustKeepSeason(y, m, (runs.get('etsA') ?? runs.get('ets'))?.full);
    const ref = seasonal ? seasonalRange(y.slice(-m), m) : 0;
    for (const c of candidates.slice(1)) {
      if (seasonal && seasonalRange(fullOf(c), m) < guard * ref) continue;
      if (scores[c.name]! < bestScore) {
        best = c;
        bestScore = scores[c.name]!;
      }
    }
  }
  return {
    candidate: best,
    name: swapped ? best.name.replaceAll('etsA', 'ets') : best.name,
    mean: fullOf(best),
    backtests: backtestsOf(best),
    scores,
  };
}
