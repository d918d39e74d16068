/** Shapes scenarios and comparisons for the wire: totals and deltas as exact decimal strings. */
import { Decimal } from '../../shared/money.ts';
import type { AdjustedLine, CalcLine } from './scenarios.domain.ts';
import type { ScenarioRow } from './scenarios.repository.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A scenario as the API returns it. */
export function presentScenario(s: ScenarioRow) {
  return {
    scenario_id: s.id,
    budget_id: s.budgetId,
    name: s.name,
    description: s.description,
    adjustments: s.adjustments as Record<string, unknown>[],
    promoted_budget_id: s.promotedBudgetId,
    created_at: s.createdAt.toISOString(),
    created_by: s.createdBy,
    updated_at: iso(s.updatedAt),
    updated_by: s.updatedBy,
    version: s.version,
  };
}

/** Totals of one set of amounts, as Decimals keyed for subtraction. */
interface RawTotals {
  lineType: Map<string, Decimal>;
  category: Map<string, Decimal>;
  department: Map<string | null, Decimal>;
  period: Map<number, { start: string; amount: Decimal }>;
}

const add = <K>(m: Map<K, Decimal>, k: K, v: Decimal) => m.set(k, (m.get(k) ?? new Decimal(0)).plus(v));

/** Sums the amounts (base or adjusted) by line type, category, department and period. */
export function sumTotals(lines: CalcLine[], adjusted: AdjustedLine[]): RawTotals {
  const t: RawTotals = { lineType: new Map(), category: new Map(), department: new Map(), period: new Map() };
  lines.forEach((line, i) => {
    const a = adjusted[i]!;
    add(t.lineType, line.lineType, a.amount);
    add(t.category, line.category, a.amount);
    add(t.department, line.departmentId, a.amount);
    a.periods?.forEach((amount, k) => {
      const p = line.periods![k]!;
      const cur = t.period.get(p.index);
      t.period.set(p.index, { start: p.start, amount: (cur?.amount ?? new Decimal(0)).plus(amount) });
    });
  });
  return t;
}

const money = (d: Decimal | undefined) => (d ?? new Decimal(0)).toFixed(2);

/** Sorted keys, null last, so base and scenarios list the same keys in the same order. */
function keysOf<K extends string | null>(a: Map<K, Decimal>, b: Map<K, Decimal>): K[] {
  return [...new Set([...a.keys(), ...b.keys()])].sort((x, y) =>
    x === null ? 1 : y === null ? -1 : x < y ? -1 : x > y ? 1 : 0,
  );
}

/** Wire totals of `t` over the union of keys of `t` and `ref`, minus `minus` when given (deltas). */
export function presentTotals(t: RawTotals, ref: RawTotals, minus?: RawTotals) {
  const v = <K>(m: Map<K, Decimal>, mm: Map<K, Decimal> | undefined, k: K) =>
    money((m.get(k) ?? new Decimal(0)).minus(mm?.get(k) ?? 0));
  const lt = (k: string) => v(t.lineType, minus?.lineType, k);
  const net = (x: RawTotals) =>
    (x.lineType.get('revenue') ?? new Decimal(0)).minus(x.lineType.get('expense') ?? 0);
  const periods = [...new Set([...t.period.keys(), ...ref.period.keys()])].sort((a, b) => a - b);
  const pAmount = (x: RawTotals | undefined, k: number) => x?.period.get(k)?.amount ?? new Decimal(0);
  return {
    by_line_type: {
      revenue: lt('revenue'),
      expense: lt('expense'),
      asset: lt('asset'),
      liability: lt('liability'),
      net: money(net(t).minus(minus ? net(minus) : 0)),
    },
    by_category: keysOf(t.category, ref.category).map((key) => ({
      key,
      amount: v(t.category, minus?.category, key),
    })),
    by_department: keysOf(t.department, ref.department).map((key) => ({
      key,
      amount: v(t.department, minus?.department, key),
    })),
    by_period: periods.map((k) => ({
      period_index: k,
      period_start: (t.period.get(k) ?? ref.period.get(k))!.start,
      amount: money(pAmount(t, k).minus(pAmount(minus, k))),
    })),
  };
}
