/**
 * auto's members: each one's forecast of the full history and at every backtest origin. Models are
 * refitted from scratch at each origin (form selection included), except ARIMA: its orders are
 * chosen once on the full training part and only the coefficients are refitted at the origins
 * (a search is 3+ fits, a refit one; ARIMA is not among the default candidates since the seasonal
 * naive member replaced it, but a candidate list may still name it). Everything stays inside the
 * training part.
 *
 * Measured on the dev split: fixing the ETS form at the origins as well halved ETS's CPU but made
 * its backtests optimistic (auto picked ETS alone more often, OWA 0.895 against 0.886, dev 95%
 * coverage 92.3% against 93.4%), so ETS is searched again at every origin.
 */
import { arimaSearch, arimaWithOrder } from './arima.ts';
import type { Origin } from './backtest.ts';
import { etsCandidates, etsPath } from './ets.ts';
import { type BaseModel, getModel } from './models.ts';
import { pooledForecast } from './pooled.ts';
import { thetaForecast } from './theta.ts';
import type { FitContext } from './types.ts';

/**
 * A member of auto: a registered model, or `etsA`, ETS restricted to additive errors (ANN, AAN,
 * AAdN, ANA, AAA, AAdA, chosen by AICc). As auto's ETS member it beat the full family on both
 * held-out windows (auto OWA dev 0.852 -> 0.840, deep 0.875 -> 0.861), at 6 forms instead of 15;
 * the `ets` model itself keeps R's family. `pooled` is the batch's pooled linear model
 * (`pooled.ts`, from `ctx.pooled`); where it cannot forecast (no model, a non-positive or too short
 * history) the member is Theta's forecast, so a median keeps its members.
 */
export type Member = BaseModel | 'etsA' | 'pooled';

/** R's ETS family with additive errors only (seasonal forms are skipped on short histories). */
export const ADDITIVE_ERROR_ETS = etsCandidates(true, false);

/** A member's forecasts: `full` from the whole history, `backtests[k]` from origin k. */
export interface MemberRun {
  full: number[];
  backtests: number[][];
}

/** Runs one member model on the full history and at every origin. */
export function runMember(
  name: Member,
  y: readonly number[],
  h: number,
  ctx: FitContext,
  origins: readonly Origin[],
): MemberRun {
  const m = ctx.period;
  const at = (o: Origin) => y.slice(0, o.length);
  if (name === 'arima') {
    const { order, mean } = arimaSearch(y, h, m);
    return { full: mean, backtests: origins.map((o) => arimaWithOrder(at(o), o.actual.length, order)) };
  }
  if (name === 'ets' || name === 'etsA') {
    const all = etsPath(
      y,
      [...origins.map((o) => o.length), y.length],
      [...origins.map((o) => o.actual.length), h],
      m,
      name === 'etsA' ? ADDITIVE_ERROR_ETS : undefined,
    );
    return { full: all.pop()!, backtests: all };
  }
  if (name === 'pooled') {
    const model = ctx.pooled;
    const one = (hist: readonly number[], hh: number) =>
      (model && pooledForecast(model, hist, hh, y.length - hist.length)) || thetaForecast(hist, hh, m);
    return { full: one(y, h), backtests: origins.map((o) => one(at(o), o.actual.length)) };
  }
  const fn = getModel(name);
  return { full: fn(y, h, ctx), backtests: origins.map((o) => fn(at(o), o.actual.length, ctx)) };
}
