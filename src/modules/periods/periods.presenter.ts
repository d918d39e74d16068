/** Periods on the wire: the budget's period grid with exact totals, and one line's periods. */
import type { SpreadMethod } from '../../shared/enums.ts';
import { centsToMoney, monthEnd, monthOf, sumMoney, toCents } from './periods.domain.ts';
import type { gridLines } from './periods.repository.ts';

type GridLine = Awaited<ReturnType<typeof gridLines>>[number];

/**
 * The grid: each line with its period amounts, and per period the totals by line type (exact:
 * summed in cents as BigInt), for a budget whose months start at `starts`.
 */
export function presentGrid(
  budget: { id: string; periodEnd: string | null },
  starts: string[],
  lines: GridLine[],
  byLine: Map<string, string[]>,
) {
  const totals = starts.map(() => ({ revenue: 0n, expense: 0n, asset: 0n, liability: 0n }));
  const rows = lines.map((l) => {
    const periods = byLine.get(l.line_id) ?? [];
    periods.forEach((a, i) => {
      const t = totals[i];
      if (t) t[l.line_type] += toCents(a);
    });
    return { ...l, periods };
  });
  const periods = starts.map((s, i) => {
    const t = totals[i]!;
    return {
      period_index: i,
      period_start: s,
      revenue: centsToMoney(t.revenue),
      expense: centsToMoney(t.expense),
      asset: centsToMoney(t.asset),
      liability: centsToMoney(t.liability),
      total: centsToMoney(t.revenue + t.expense + t.asset + t.liability),
    };
  });
  return {
    budget_id: budget.id,
    period_start: starts[0]!,
    period_end: budget.periodEnd ?? monthEnd(monthOf(starts.at(-1)!)),
    periods,
    lines: rows,
    total: sumMoney(periods.map((p) => p.total)),
  };
}

/** One line's periods after a manual edit (`amount` is their exact sum). */
export function presentLinePeriods(
  line: { lineId: string; budgetId: string; amount: string; spreadMethod: SpreadMethod; version: number },
  starts: string[],
  amounts: string[],
) {
  return {
    line_id: line.lineId,
    budget_id: line.budgetId,
    amount: line.amount,
    spread_method: line.spreadMethod,
    version: line.version,
    periods: starts.map((s, i) => ({ period_index: i, period_start: s, amount: amounts[i]! })),
  };
}
