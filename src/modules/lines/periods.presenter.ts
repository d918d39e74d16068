/** Periods on the wire: the budget's period grid with exact totals, and one line's periods. */
import type { SpreadMethod } from '../../shared/enums.ts';
import { centsToMoney, fiscalYearOf, monthEnd, monthOf, sumMoney, toCents } from './periods.domain.ts';
import type { GridLineRow as GridLine } from './periods.repository.ts';
import type { PeriodGrouping } from './periods.schema.ts';

/** Cents of a NUMERIC(…, 2) text ("-123.45") without a Decimal per cell; any other form exactly via Decimal. */
const SCALE2 = /^-?\d+\.\d\d$/;
function cents(amount: string): bigint {
  return SCALE2.test(amount) ? BigInt(amount.replace('.', '')) : toCents(amount);
}

/**
 * The grid: each line with its period amounts, and per period the totals by line type (exact:
 * summed in cents as BigInt), for a budget whose months start at `starts`.
 */
export function presentGrid(
  budget: { id: string; periodEnd: string | null },
  starts: string[],
  lines: GridLine[],
  byLine: Map<string, string[]>,
  lineCount = lines.length,
) {
  const totals = starts.map(() => ({ revenue: 0n, expense: 0n, asset: 0n, liability: 0n }));
  const rows = lines.map((l) => {
    const periods = byLine.get(l.line_id) ?? [];
    periods.forEach((a, i) => {
      const t = totals[i];
      if (t) t[l.line_type] += cents(a);
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
      // Net: revenue - expense (assets and liabilities are balance-sheet lines, not in the net).
      total: centsToMoney(t.revenue - t.expense),
    };
  });
  const grid = {
    budget_id: budget.id,
    by: 'month' as PeriodGrouping,
    period_start: starts[0]!,
    period_end: budget.periodEnd ?? monthEnd(monthOf(starts.at(-1)!)),
    periods: periods.map((p) => ({ ...p, label: p.period_start.slice(0, 7) })),
    lines: rows,
    total: sumMoney(periods.map((p) => p.total)),
    line_count: lineCount,
  };
  return grid;
}

/** Fiscal bucket label of a month: FY2027-Q1, FY2027-H2 or FY2027 (fiscal years from `startMonth`). */
export function bucketOf(start: string, by: Exclude<PeriodGrouping, 'month'>, startMonth: number): string {
  const m = monthOf(start);
  const fy = fiscalYearOf(m, startMonth);
  const idx = (m.month - startMonth + 12) % 12;
  if (by === 'year') return `FY${fy}`;
  return by === 'quarter' ? `FY${fy}-Q${Math.floor(idx / 3) + 1}` : `FY${fy}-H${Math.floor(idx / 6) + 1}`;
}

/**
 * The grid by fiscal quarter, half or year: months of the same bucket added exactly (cents);
 * a bucket the budget covers only partly holds the months it has.
 */
export function groupGrid(
  grid: ReturnType<typeof presentGrid>,
  by: PeriodGrouping,
  fiscalYearStartMonth: number,
): ReturnType<typeof presentGrid> {
  if (by === 'month') return grid;
  const labels = grid.periods.map((p) => bucketOf(p.period_start, by, fiscalYearStartMonth));
  const order = [...new Set(labels)];
  const at = labels.map((l) => order.indexOf(l));
  const fields = ['revenue', 'expense', 'asset', 'liability', 'total'] as const;
  const sums = order.map(
    () => Object.fromEntries(fields.map((f) => [f, 0n])) as Record<(typeof fields)[number], bigint>,
  );
  grid.periods.forEach((p, i) => {
    for (const f of fields) sums[at[i]!]![f] += toCents(p[f]);
  });
  return {
    ...grid,
    by,
    periods: order.map((label, k) => ({
      period_index: k,
      period_start: grid.periods[at.indexOf(k)]!.period_start,
      label,
      ...(Object.fromEntries(fields.map((f) => [f, centsToMoney(sums[k]![f])])) as Record<
        (typeof fields)[number],
        string
      >),
    })),
    lines: grid.lines.map((l) => {
      const cells = order.map(() => 0n);
      l.periods.forEach((a, i) => {
        cells[at[i]!]! += toCents(a);
      });
      return { ...l, periods: cells.map(centsToMoney) };
    }),
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
