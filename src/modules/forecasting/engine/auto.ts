/**
 * `auto`: per series, score single models and combinations of them by rolling-origin backtests
 * on the training part, and keep the best. A combination is the default; a single model replaces
 * it only when its backtest error is lower by AUTO_MARGIN, because with a handful of origins the
 * apparent winner is often noise, and combinations are the robust choice on M1/M4.
 */
import { backtestError, type Origin } from './backtest.ts';
import { type MemberRun, runMember } from './members.ts';
import type { BaseModel } from './models.ts';
import { mean, median } from './stats.ts';
import type { FitContext } from './types.ts';

/** A candidate: one model, or the mean/median of several. */
export interface Candidate {
  name: string;
  members: BaseModel[];
  combine: 'mean' | 'median';
}

/**
 * Candidates auto tries, the first being the default combination. The seasonal naive forecast is a
 * member of the median: it anchors the median to last year's pattern when ETS and Theta disagree
 * (dev split OWA 0.887 -> 0.858, deep dev window 0.884 -> 0.870, against median(ets,theta,arima));
 * with it ARIMA no longer helps (median of the four: 0.852 / 0.876) and costs ~40% of auto's CPU.
 */
export const AUTO_CANDIDATES: Candidate[] = [
  { name: 'median(ets,theta,snaive)', members: ['ets', 'theta', 'snaive'], combine: 'median' },
  { name: 'mean(ets,theta)', members: ['ets', 'theta'], combine: 'mean' },
  { name: 'ets', members: ['ets'], combine: 'mean' },
  { name: 'theta', members: ['theta'], combine: 'mean' },
];

/**
 * Relative improvement a non-default candidate needs in backtest error to be chosen. Dev split
 * (train minus its last 18 values): 0.1 gave OWA 0.899, 0.2 gave 0.886, never switching 0.887.
 */
export const AUTO_MARGIN = 0.2;

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
): AutoChoice {
  const members = [...new Set(candidates.flatMap((c) => c.members))];
  const runs = new Map<BaseModel, MemberRun>();
  for (const name of members) runs.set(name, runMember(name, y, h, ctx, origins));
  const bt = new Map<BaseModel, number[][]>([...runs].map(([k, r]) => [k, r.backtests]));
  const backtestsOf = (c: Candidate) =>
    origins.map((_, k) =>
      combineForecasts(
        c.members.map((mb) => bt.get(mb)![k]!),
        c.combine,
      ),
    );
  const scores: Record<string, number> = {};
  let best = candidates[0]!;
  if (origins.length > 0) {
    for (const c of candidates) scores[c.name] = backtestError(y, origins, backtestsOf(c), ctx.period);
    const base = scores[best.name]!;
    let bestScore = base * (1 - margin);
    for (const c of candidates.slice(1)) {
      if (scores[c.name]! < bestScore) {
        best = c;
        bestScore = scores[c.name]!;
      }
    }
  }
  const full = best.members.map((mb) => runs.get(mb)!.full);
  return {
    candidate: best,
    mean: combineForecasts(full, best.combine),
    backtests: backtestsOf(best),
    scores,
  };
}
