/**
 * Rolling forecast of a budget: actuals year-to-date plus the forecast of the remaining months,
 * per category or per line, against the budget (full-year outlook, gap, interval). Money is exact
 * (decimal strings, decimal.js); engine numbers are rounded to the cent at the one boundary.
 */
import type { Tx } from '../../platform/db/client.ts';
import { BusinessRuleError, fieldError, NotFoundError } from '../../platform/http/errors.ts';
import type { ServiceDeps } from '../../platform/services.ts';
import { type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import { Decimal } from '../../shared/money.ts';
import { fiscalYearStart, spreadByWeights, spreadEven } from '../lines/index.ts';
import { DEFAULT_FEATURES } from './engine/features.ts';
import { sumInterval } from './engine/intervals.ts';
import { isMl } from './forecasting.compute.ts';
import { denseSeries, monthIndexOf, monthLabel } from './forecasting.config.ts';
import type { ComputePool, ForecastItem } from './forecasting.pool.ts';
import { toCents } from './forecasting.presenter.ts';
import { type ActualsDimension, monthlyActuals } from './forecasting.repository.ts';
import { authorizeRollingForecast } from './rolling-forecast.policy.ts';
import {
  findBudgetForOutlook,
  fiscalStartMonth,
  type OutlookLine,
  outlookLines,
  outlookPeriods,
} from './rolling-forecast.repository.ts';
import type { RollingQuery } from './rolling-forecast.schema.ts';

/** Most distinct series one request forecasts (each is a model fit with backtests). */
export const MAX_ROLLING_SERIES = 200;

interface Group {
  key: string;
  line: OutlookLine | null;
  lines: OutlookLine[];
  dim: ActualsDimension;
  /** Budget per budget month, exact, and how it was phased. */
  budget: string[];
  phasing: 'periods' | 'even';
}
const seriesKey = (g: Pick<Group, 'dim' | 'key'>) => `${g.dim}\u0000${g.key}`;

/** Splits a signed amount over weights in exact cents (largest remainder). */
function splitSigned(amount: string, weights: readonly string[]): string[] {
  const d = new Decimal(amount);
  const parts = spreadByWeights(
    d.abs().toFixed(2),
    weights.some((w) => w !== '0.00') ? weights : weights.map(() => '1'),
  );
  return d.isNeg() ? parts.map((p) => new Decimal(p).neg().toFixed(2)) : parts;
}

const sum = (xs: readonly (string | null)[]) => xs.reduce((a, x) => a.plus(x ?? 0), new Decimal(0));

export class RollingForecastService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly pool: ComputePool,
  ) {}

  /** The budget's full-year outlook as of a month. */
  async outlook(ctx: TenantContext, budgetId: string, q: RollingQuery) {
    authorizeRollingForecast(ctx);
    const cfg = this.deps.config;
    if (isMl(q.model) && (!cfg.ML_ENABLED || !cfg.FORECASTING_ALGORITHMS.includes(q.model)))
      throw fieldError('query.model', 'algorithm_not_enabled', `model ${q.model} is not enabled here`);
    const asOf = monthIndexOf(q.as_of);
    const data = await withTenant(this.deps.db, ctx, (tx) => this.read(tx, ctx, budgetId, q, asOf));
    const { currency, months, groups, series, otherRows, otherLines } = data;
    const elapsed = months.filter((m) => m <= asOf);
    const remaining = months.filter((m) => m > asOf);

    // One forecast per distinct series with history, spread over the pool's workers.
    const keys = [...series.keys()].filter((k) => series.get(k)!.values.length > 0 && remaining.length > 0);
    if (keys.length > MAX_ROLLING_SERIES)
      throw new BusinessRuleError(
        'too_many_series',
        `${keys.length} series to forecast; at most ${MAX_ROLLING_SERIES} per request (try group_by=category)`,
      );
    const horizon = remaining.length ? remaining.at(-1)! - asOf : 0;
    const items: ForecastItem[] = keys.map((k) => {
      const s = series.get(k)!;
      return {
        spec: {
          algorithm: q.model,
          hyperparameters: {},
          features: DEFAULT_FEATURES,
          seed: 42,
          backtestOrigins: 4,
        },
        series: { values: s.values.map(Number), startIndex: s.start },
        horizon,
        level: q.level,
      };
    });
    const results = await this.pool.forecastParallel(items);
    const fc = new Map(keys.map((k, i) => [k, results[i]!]));

    const outGroups = groups.map((g) => {
      const s = series.get(seriesKey(g))!;
      const f = fc.get(seriesKey(g));
      // Lines sharing a series (same GL account or category) share its amounts pro rata to their budgets.
      const sharers = g.line ? g.lines : [];
      const weights = sharers.map((l) => l.amount);
      const mine = (amount: string) =>
        g.line ? splitSigned(amount, weights)[sharers.indexOf(g.line)]! : new Decimal(amount).toFixed(2);
      const actualOf = (m: number) =>
        mine(m >= s.start && m < s.start + s.values.length ? s.values[m - s.start]! : '0.00');
      const monthly = months.map((m, i) => {
        if (m <= asOf)
          return {
            period: monthLabel(m),
            budget: g.budget[i]!,
            actual: actualOf(m),
            forecast: null,
            lower: null,
            upper: null,
          };
        if (!f) {
          // No history: the budget is the best forecast there is.
          const b = g.budget[i]!;
          return { period: monthLabel(m), budget: b, actual: null, forecast: b, lower: b, upper: b };
        }
        const j = m - asOf - 1;
        return {
          period: monthLabel(m),
          budget: g.budget[i]!,
          actual: null,
          forecast: mine(toCents(f.mean[j]!)),
          lower: mine(toCents(f.lo[j]!)),
          upper: mine(toCents(f.hi[j]!)),
        };
      });
      // The year-to-go interval: the months' bounds aggregated with their error correlation
      // (sumInterval), not added up as if every month missed in the same direction.
      let spread = { below: '0.00', above: '0.00' };
      if (f && remaining.length) {
        const js = remaining.map((m) => m - asOf - 1);
        const t = sumInterval(
          js.map((j) => f.mean[j]!),
          js.map((j) => f.lo[j]!),
          js.map((j) => f.hi[j]!),
        );
        spread = { below: mine(toCents(t.mean - t.lo)), above: mine(toCents(t.hi - t.mean)) };
      }
      return {
        key: g.key,
        line_id: g.line?.id ?? null,
        line_name: g.line?.lineName ?? null,
        matched_by: g.dim === 'gl_account' ? ('gl_account' as const) : ('category' as const),
        budget_phasing: g.phasing,
        model_used: f ? f.model : remaining.length ? 'budget (no actuals)' : 'none',
        history_months: s.values.length,
        ...figures(monthly, elapsed.length, spread),
        monthly,
      };
    });
    const totals = totalsOf(outGroups);
    return {
      budget_id: budgetId,
      currency,
      as_of: q.as_of,
      group_by: q.group_by,
      model: q.model,
      confidence_level: q.level,
      months: {
        first: monthLabel(months[0]!),
        last: monthLabel(months.at(-1)!),
        elapsed: elapsed.length,
        remaining: remaining.length,
      },
      groups: outGroups,
      totals,
      excluded: { actual_rows_other_currency: otherRows, lines_other_currency: otherLines },
    };
  }

  /** Budget, months, groups and the actuals series through `asOf`, in one transaction. */
  private async read(tx: Tx, ctx: TenantContext, budgetId: string, q: RollingQuery, asOf: number) {
    const b = await findBudgetForOutlook(tx, budgetId);
    if (!b) throw new NotFoundError('Budget', budgetId);
    const allLines = await outlookLines(tx, budgetId);
    const lines = allLines.filter((l) => !l.currency || l.currency === b.baseCurrency);
    const periods = await outlookPeriods(tx, budgetId);
    let months = [...new Set(periods.map((p) => monthIndexOf(p.periodStart)))].sort((x, y) => x - y);
    if (months.length === 0) {
      // No phasing: the budget's own dates, else its fiscal year (named by the year it ends in).
      const dated = b.periodStart && b.periodEnd;
      const fy = dated ? null : fiscalYearStart(b.fiscalYear, await fiscalStartMonth(tx, ctx.tenantId));
      const first = fy ? fy.year * 12 + fy.month - 1 : monthIndexOf(b.periodStart!);
      const last = fy ? first + 11 : monthIndexOf(b.periodEnd!);
      months = Array.from({ length: last - first + 1 }, (_, i) => first + i);
    }
    const byLine = new Map<string, Map<number, string>>();
    for (const p of periods) {
      const m = byLine.get(p.lineId) ?? new Map<number, string>();
      m.set(monthIndexOf(p.periodStart), p.amount);
      byLine.set(p.lineId, m);
    }
    const budgetOf = (ls: OutlookLine[]): Pick<Group, 'budget' | 'phasing'> =>
      ls.every((l) => byLine.has(l.id))
        ? {
            phasing: 'periods',
            budget: months.map((m) => sum(ls.map((l) => byLine.get(l.id)!.get(m) ?? null)).toFixed(2)),
          }
        : { phasing: 'even', budget: spreadEven(sum(ls.map((l) => l.amount)).toFixed(2), months.length) };
    const groups: Group[] = [];
    if (q.group_by === 'category') {
      const cats = [...new Set(lines.map((l) => l.category))];
      for (const c of cats) {
        const ls = lines.filter((l) => l.category === c);
        groups.push({ key: c, line: null, lines: ls, dim: 'category', ...budgetOf(ls) });
      }
    } else {
      const keyOf = (l: OutlookLine) =>
        l.glAccountId
          ? { dim: 'gl_account' as const, key: l.glAccountId }
          : { dim: 'category' as const, key: l.category };
      for (const l of lines) {
        const k = keyOf(l);
        const sharers = lines.filter((o) => seriesKey(keyOf(o)) === seriesKey(k));
        groups.push({ ...k, line: l, lines: sharers, ...budgetOf([l]) });
      }
    }
    const series = new Map<string, { start: number; values: string[] }>();
    let otherRows = 0;
    for (const dim of ['category', 'gl_account'] as const) {
      const keys = [...new Set(groups.filter((g) => g.dim === dim).map((g) => g.key))];
      if (keys.length === 0) continue;
      const to = `${monthLabel(asOf)}-01`;
      const { rows, otherCurrencyRows } = await monthlyActuals(tx, {
        groupBy: dim,
        keys,
        currency: b.baseCurrency,
        to,
      });
      otherRows += otherCurrencyRows;
      for (const key of keys) {
        const mine = rows.filter((r) => r.key === key);
        series.set(
          seriesKey({ dim, key }),
          mine.length ? denseSeries(mine, undefined, asOf) : { start: asOf + 1, values: [] },
        );
      }
    }
    return {
      currency: b.baseCurrency,
      months,
      groups,
      series,
      otherRows,
      otherLines: allLines.length - lines.length,
    };
  }
}

interface MonthFigures {
  budget: string;
  actual: string | null;
  forecast: string | null;
  lower: string | null;
  upper: string | null;
}

/** A group's outlook figures from its months and the spread of its year-to-go forecast. */
function figures(
  monthly: readonly MonthFigures[],
  elapsed: number,
  spread: { below: string; above: string },
) {
  const budget = sum(monthly.map((m) => m.budget));
  const ytd = sum(monthly.map((m) => m.actual));
  const rest = sum(monthly.map((m) => m.forecast));
  const outlook = ytd.plus(rest);
  const gap = outlook.minus(budget);
  return {
    budget: budget.toFixed(2),
    budget_ytd: sum(monthly.slice(0, elapsed).map((m) => m.budget)).toFixed(2),
    actual_ytd: ytd.toFixed(2),
    forecast_remaining: rest.toFixed(2),
    outlook: outlook.toFixed(2),
    outlook_lower: outlook.minus(spread.below).toFixed(2),
    outlook_upper: outlook.plus(spread.above).toFixed(2),
    gap: gap.toFixed(2),
    gap_percent: budget.isZero() ? null : gap.div(budget).times(100).toFixed(2),
  };
}

type Figures = ReturnType<typeof figures>;
const MONEY_FIELDS = [
  'budget',
  'budget_ytd',
  'actual_ytd',
  'forecast_remaining',
  'outlook',
  'outlook_lower',
  'outlook_upper',
  'gap',
] as const;

/** Exact totals over groups. */
function totalsOf(groups: readonly Figures[]): Figures {
  const t = Object.fromEntries(MONEY_FIELDS.map((k) => [k, sum(groups.map((g) => g[k])).toFixed(2)])) as Omit<
    Figures,
    'gap_percent'
  >;
  const budget = new Decimal(t.budget);
  return { ...t, gap_percent: budget.isZero() ? null : new Decimal(t.gap).div(budget).times(100).toFixed(2) };
}
