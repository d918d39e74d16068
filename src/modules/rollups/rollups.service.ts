/**
 * Roll-ups of a budget and of its variance along a dimension tree. The figures are the period
 * grid's and the variance report's own (per line), added per node with exact decimals: nothing
 * is re-matched or re-spread here.
 */
import type { ServiceDeps } from '../../platform/services.ts';
import { type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import type { LineType } from '../../shared/enums.ts';
import { Decimal } from '../../shared/money.ts';
import { listMembers } from '../dimensions/index.ts';
import type { PeriodService } from '../lines/index.ts';
import type { VarianceService } from '../variance/index.ts';
import { assign } from './rollups.domain.ts';
import { lineCodes } from './rollups.repository.ts';
import type {
  Figures,
  RollupQuery,
  RollupResponse,
  VarianceRollupQuery,
  VarianceRollupResponse,
} from './rollups.schema.ts';

const TYPES = ['revenue', 'expense', 'asset', 'liability'] as const;
type Sums = Record<LineType, Decimal>;
const zero = (): Sums => ({
  revenue: new Decimal(0),
  expense: new Decimal(0),
  asset: new Decimal(0),
  liability: new Decimal(0),
});
const money = (s: Sums) => ({
  revenue: s.revenue.toFixed(2),
  expense: s.expense.toFixed(2),
  asset: s.asset.toFixed(2),
  liability: s.liability.toFixed(2),
  net: s.revenue.minus(s.expense).toFixed(2),
});

export class RollupService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly periods: PeriodService,
    private readonly variance: VarianceService,
  ) {}

  /** The budget per tree node: amounts by line type and net, and per period when `by` is given. */
  async budget(ctx: TenantContext, budgetId: string, q: RollupQuery): Promise<RollupResponse> {
    // The grid first: 404 for a budget the caller cannot see, before anything else is read.
    const grid = await this.periods.grid(ctx, budgetId, q.by ?? 'month');
    const { members, codes } = await withTenant(this.deps.db, ctx, async (tx) => ({
      members: await listMembers(tx, q.dimension),
      codes: await lineCodes(tx, budgetId, q.dimension),
    }));
    const a = assign(members, q);
    const sums: Sums[] = [];
    const cells: Sums[][] = [];
    const counts: number[] = [];
    const total = zero();
    for (const line of grid.lines) {
      const i = a.nodeOf(codes.get(line.line_id) ?? null);
      if (i < 0) continue;
      sums[i] ??= zero();
      cells[i] ??= grid.periods.map(zero);
      counts[i] = (counts[i] ?? 0) + 1;
      sums[i]![line.line_type] = sums[i]![line.line_type].plus(line.amount);
      total[line.line_type] = total[line.line_type].plus(line.amount);
      line.periods.forEach((p, k) => {
        const c = cells[i]![k]!;
        c[line.line_type] = c[line.line_type].plus(p);
      });
    }
    return {
      budget_id: budgetId,
      dimension: q.dimension,
      level: q.node === undefined ? (q.level ?? 1) : null,
      node: q.node ?? null,
      by: q.by ?? null,
      periods: q.by ? grid.periods.map((p) => ({ label: p.label, period_start: p.period_start })) : [],
      nodes: a.nodes.map((n, i) => ({
        ...n,
        line_count: counts[i] ?? 0,
        amounts: money(sums[i] ?? zero()),
        periods: q.by
          ? grid.periods.map((p, k) => ({ label: p.label, ...money(cells[i]?.[k] ?? zero()) }))
          : [],
      })),
      total: money(total),
      unknown_codes: [...a.unknown].slice(0, 100),
    };
  }

  /** The variance report's per-line figures rolled up per tree node and line type. */
  async varianceRollup(
    ctx: TenantContext,
    budgetId: string,
    q: VarianceRollupQuery,
  ): Promise<VarianceRollupResponse> {
    const report = await this.variance.reportAny(ctx, budgetId, {
      by: 'line',
      as_of: q.as_of,
      threshold_amount: q.threshold_amount,
      threshold_percent: q.threshold_percent,
      line_type: q.line_type,
      flagged_only: false,
    });
    const { members, codes } = await withTenant(this.deps.db, ctx, async (tx) => ({
      members: await listMembers(tx, q.dimension),
      codes: await lineCodes(tx, budgetId, q.dimension),
    }));
    const a = assign(members, q);
    type Acc = { mb: Decimal; ma: Decimal; yb: Decimal; ya: Decimal };
    const acc = () => ({ mb: new Decimal(0), ma: new Decimal(0), yb: new Decimal(0), ya: new Decimal(0) });
    const perNode: Map<LineType, Acc>[] = [];
    const totals = new Map<LineType, Acc>();
    const counts: number[] = [];
    const addTo = (m: Map<LineType, Acc>, t: LineType, r: (typeof report.rows)[number]) => {
      const x = m.get(t) ?? acc();
      m.set(t, {
        mb: x.mb.plus(r.month.budget),
        ma: x.ma.plus(r.month.actual),
        yb: x.yb.plus(r.ytd.budget),
        ya: x.ya.plus(r.ytd.actual),
      });
    };
    for (const r of report.rows) {
      const i = a.nodeOf(codes.get(r.key.line_id ?? '') ?? null);
      if (i < 0) continue;
      perNode[i] ??= new Map();
      counts[i] = (counts[i] ?? 0) + 1;
      addTo(perNode[i]!, r.line_type, r);
      addTo(totals, r.line_type, r);
    }
    const th = report.thresholds;
    const rowsOf = (m: Map<LineType, Acc> | undefined) =>
      TYPES.filter((t) => m?.has(t)).map((t) => {
        const x = m!.get(t)!;
        return { line_type: t, month: figures(t, x.mb, x.ma, th), ytd: figures(t, x.yb, x.ya, th) };
      });
    return {
      budget_id: budgetId,
      dimension: q.dimension,
      level: q.node === undefined ? (q.level ?? 1) : null,
      node: q.node ?? null,
      base_currency: report.base_currency,
      as_of: report.as_of,
      period_from: report.period_from,
      thresholds: th,
      nodes: a.nodes.map((n, i) => ({ ...n, line_count: counts[i] ?? 0, rows: rowsOf(perNode[i]) })),
      totals: rowsOf(totals),
      unmatched: {
        month_actual: report.unmatched.month_actual,
        ytd_actual: report.unmatched.ytd_actual,
        actual_rows: report.unmatched.actual_rows,
      },
    };
  }
}

/** Variance, percent, favourability and flags of a node, by the variance report's rules (docs/variance.md). */
export function figures(
  lineType: LineType,
  budget: Decimal,
  actual: Decimal,
  th: { amount: string; percent: string },
): Figures {
  const v = actual.minus(budget);
  const pct = budget.isZero()
    ? null
    : v.times(100).div(budget.abs()).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  const impact = lineType === 'revenue' || lineType === 'asset' ? v : v.negated();
  const flags: Figures['flags'] = [];
  if (v.abs().gt(th.amount)) flags.push('amount');
  if (pct === null ? !actual.isZero() : pct.abs().gt(th.percent)) flags.push('percent');
  return {
    budget: budget.toFixed(2),
    actual: actual.toFixed(2),
    variance: v.toFixed(2),
    variance_percent: pct === null ? null : pct.toFixed(2),
    favourability: impact.gt(0) ? 'favourable' : impact.lt(0) ? 'unfavourable' : 'on_budget',
    flags,
    flagged: flags.length === 2,
  };
}
