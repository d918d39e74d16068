/**
 * The engine: reads the budget's data (one tenant transaction, plus the variance report through
 * its service), analyses it, runs the four generators and ranks the result. Nothing here writes.
 */
import type { Db } from '../../platform/db/client.ts';
import { AppError, NotFoundError } from '../../platform/http/errors.ts';
import { type TenantScope, withTenant } from '../../platform/tenancy/tenancy.ts';
import { Decimal } from '../../shared/money.ts';
import { findBudget } from '../budgets/index.ts';
import type { VarianceService } from '../variance/index.ts';
import { type Analysis, analyse, type DepartmentYtd } from './recommendations.analysis.ts';
import { type BenchmarkFigure, effectiveBenchmarks } from './recommendations.benchmarks.ts';
import { type Draft, riskMitigation, seasonalAdjustment } from './recommendations.generators.ts';

/**
 * Amounts in the texts a finance user reads get thousands separators ("12500.00" → "12,500.00");
 * only numbers with two decimals are amounts (years and counts stay as they are). The figures in
 * `evidence` keep their plain decimal strings.
 */
export function groupAmounts(text: string): string {
  return text.replace(
    /(?<![\d.,])(-?)(\d{4,})(\.\d{2})(?!\d)/g,
    (_m, sign: string, int: string, frac: string) =>
      `${sign}${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${frac}`,
  );
}

import {
  ACTUAL_HISTORY_SQL,
  actualExtent,
  actualHistory,
  BUDGET_CELLS_SQL,
  budgetCells,
  budgetMonthList,
  evidenceOf,
  HEADCOUNT_SQL,
  headcount,
  type QueryEvidence,
  REVENUE_GROUPS_SQL,
  revenueGroups,
  type Scope,
} from './recommendations.queries.ts';
import { type Ranked, rank } from './recommendations.ranking.ts';
import { tenantBenchmarks } from './recommendations.repository.ts';
import type { GenerateInput } from './recommendations.schema.ts';
import { addMonths, cents, ratio } from './recommendations.stats.ts';
import { costOptimization, revenueEnhancement } from './recommendations.value.ts';

/** Months of actuals the historical patterns look at (ending at the latest actual month). */
export const HISTORY_MONTHS = 36;

export interface EngineResult {
  analysis: Analysis;
  benchmarks: BenchmarkFigure[];
  ranked: Ranked[];
  totalImpact: string;
  averageConfidence: string | null;
}

/** Reads, analyses, generates and ranks; never writes. */
export async function runEngine(
  db: Db,
  variance: VarianceService,
  actor: TenantScope,
  budgetId: string,
  input: GenerateInput,
): Promise<EngineResult> {
  const data = await withTenant(db, actor, async (tx) => {
    const budget = await findBudget(tx, budgetId);
    if (!budget) throw new NotFoundError('Budget', budgetId);
    const base = budget.baseCurrency;
    const scope: Scope = { departmentId: budget.departmentId, costCenterId: budget.costCenterId };
    const months = await budgetMonthList(tx, budgetId);
    const first = months[0] ?? null;
    const last = months.at(-1) ?? null;
    const missing: string[] = [];
    let asOf: string | null = null;
    if (input.as_of) asOf = `${input.as_of}-01`;
    else if (first && last) asOf = (await actualExtent(tx, { from: first, to: last, scope })).latest;
    if (asOf && !months.includes(asOf)) {
      missing.push(`as_of ${asOf.slice(0, 7)} is outside the budget's months: year-to-date figures left out`);
      asOf = null;
    }
    if (!asOf)
      missing.push("actuals: none within the budget's months, so no year-to-date figures or projections");
    // History ends at the latest actual up to the budget's end (or as_of), whatever year it is in.
    const historyEnd =
      asOf ?? (last ? (await actualExtent(tx, { from: '1900-01-01', to: last, scope })).latest : null);
    const historyWindow = historyEnd
      ? { from: addMonths(historyEnd, 1 - HISTORY_MONTHS), to: historyEnd }
      : { from: first ?? '', to: first ?? '' };
    const history = historyEnd ? await actualHistory(tx, { budgetId, base, ...historyWindow, scope }) : [];
    return {
      base,
      scope,
      months,
      asOf,
      missing,
      historyWindow,
      history,
      cells: await budgetCells(tx, budgetId, base),
      headcount: await headcount(tx, budgetId),
      revenueGroups: await revenueGroups(tx, budgetId),
      tenantBenchmarks: await tenantBenchmarks(tx),
    };
  });
  if (data.cells.some((c) => c.missing_rate))
    data.missing.push(
      `fx_rates: some budget lines have no rate to ${data.base} (their amounts are left out)`,
    );

  let departmentsYtd: DepartmentYtd[] | null = null;
  if (data.asOf && data.cells.length) {
    try {
      const report = await variance.compute(actor, budgetId, {
        by: 'department',
        as_of: data.asOf.slice(0, 7),
        flagged_only: false,
      });
      departmentsYtd = report.rows
        .filter((r) => r.line_type === 'expense')
        .map((r) => ({
          departmentId: r.key.department_id ?? null,
          budget: r.ytd.budget,
          actual: r.ytd.actual,
        }));
    } catch (error) {
      // The report's own rules (e.g. a missing FX rate) leave the YTD figures out, said as such.
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      data.missing.push(`variance report: ${error.message}`);
    }
  }

  const scopeParams = {
    scope_department: data.scope.departmentId,
    scope_cost_center: data.scope.costCenterId,
  };
  const queries: QueryEvidence[] = [
    evidenceOf('budget_cells', BUDGET_CELLS_SQL, { budget_id: budgetId, base_currency: data.base }),
    evidenceOf('actual_history', ACTUAL_HISTORY_SQL, {
      budget_id: budgetId,
      base_currency: data.base,
      from: data.historyWindow.from,
      to: data.historyWindow.to,
      ...scopeParams,
    }),
    evidenceOf(
      'variance_by_department',
      'variance report (src/modules/variance/variance.repository.ts, varianceRows): GET /budgets/:budget_id/variance?by=department&as_of=:as_of — expense rows, ytd.budget and ytd.actual',
      { budget_id: budgetId, as_of: data.asOf?.slice(0, 7) ?? null, ...scopeParams },
    ),
    evidenceOf('headcount', HEADCOUNT_SQL, { budget_id: budgetId }),
    evidenceOf('revenue_groups', REVENUE_GROUPS_SQL, { budget_id: budgetId }),
  ];
  const { analysis, detail } = analyse({
    budgetId,
    baseCurrency: data.base,
    months: data.months,
    asOf: data.asOf,
    cells: data.cells,
    departmentsYtd,
    history: data.history,
    historyWindow: data.historyWindow,
    headcount: data.headcount,
    revenueGroups: data.revenueGroups,
    queries,
    missing: data.missing,
  });
  const own: BenchmarkFigure[] = data.tenantBenchmarks.map((b) => ({
    industry: b.industry,
    metric: b.metric as BenchmarkFigure['metric'],
    value: b.value,
    unit: b.unit,
    source: b.source,
    is_configurable_default: b.isConfigurableDefault,
  }));
  const benchmarks = effectiveBenchmarks(own, input.industry);
  const genInput = { analysis, detail, benchmarks, params: input };
  const notes: string[] = [];
  const drafts: Draft[] = [
    ...costOptimization(genInput, notes),
    ...revenueEnhancement(genInput, notes),
    ...riskMitigation(genInput),
    ...seasonalAdjustment(genInput),
  ].map((d) => ({ ...d, title: groupAmounts(d.title), description: groupAmounts(d.description) }));
  analysis.missing.push(...notes);
  const ranked = rank(drafts, {
    strategic_goals: input.strategic_goals,
    risk_tolerance: input.risk_tolerance,
  });
  const total = ranked.reduce((s, r) => s.plus(r.estimated_impact), new Decimal(0));
  const avg = ranked.length
    ? ranked.reduce((s, r) => s.plus(r.confidence_score), new Decimal(0)).div(ranked.length)
    : null;
  return {
    analysis,
    benchmarks,
    ranked,
    totalImpact: cents(total),
    averageConfidence: avg ? ratio(avg) : null,
  };
}
