/**
 * Scenario arithmetic, exact (decimal.js, whole cents as BigInt when distributing). Rules:
 * - adjustments apply in list order, each to the amounts the previous ones produced;
 * - a percent adjustment changes a matching line by (affected amount x value / 100) rounded
 *   half-up to the cent once per line; an absolute one adds its value to each matching line;
 * - "affected" is the whole line, or its periods from `from_period` on when per-period amounts
 *   exist; the line's change is spread over those periods in proportion to their amounts (evenly
 *   when all are zero), leftover cents by largest remainder, ties to the earlier period;
 * - a change that would take a line below zero (a contra line, whose amount is <= 0: above zero)
 *   is clamped to zero (and counted), so a scenario stays computable after the budget's lines
 *   shrink. A percent adjustment scales a contra line's magnitude (+10% of -100.00 is -110.00).
 */
import { Decimal } from '../../shared/money.ts';
import type { Adjustment } from './scenarios.schema.ts';

/** One budget line as the calculation needs it. */
export interface CalcLine {
  id: string;
  lineType: string;
  category: string;
  departmentId: string | null;
  glAccountId: string | null;
  amount: string;
  /** A contra line (amount <= 0): it is clamped at zero from below instead of from above. */
  isContra?: boolean;
  /** Amounts per period in period order, or null when the budget has no per-period amounts. */
  periods: { index: number; start: string; amount: string }[] | null;
}

/** A line after the scenario's adjustments. */
export interface AdjustedLine {
  id: string;
  amount: Decimal;
  periods: Decimal[] | null;
  clamped: boolean;
}

const toCents = (d: Decimal) => BigInt(d.times(100).toFixed(0));
const fromCents = (c: bigint) => new Decimal(c.toString()).dividedBy(100);

function matches(line: CalcLine, f: Adjustment['filter']): boolean {
  return (
    (f.line_type === undefined || f.line_type === line.lineType) &&
    (f.category === undefined || f.category === line.category) &&
    (f.department_id === undefined || f.department_id === line.departmentId) &&
    (f.gl_account_id === undefined || f.gl_account_id === line.glAccountId)
  );
}

/** Whether a period is at or after `from` (a YYYY-MM month or a period index). */
function fromHere(p: { index: number; start: string }, from: Adjustment['from_period']): boolean {
  if (from === undefined) return true;
  return typeof from === 'number' ? p.index >= from : p.start.slice(0, 7) >= from;
}

/** Splits `delta` cents over cells in proportion to `weights` (evenly if all zero); exact. */
export function distributeCents(delta: bigint, weights: bigint[]): bigint[] {
  const n = weights.length;
  const total = weights.reduce((a, b) => a + b, 0n);
  const w = total === 0n ? weights.map(() => 1n) : weights;
  const sum = total === 0n ? BigInt(n) : total;
  const sign = delta < 0n ? -1n : 1n;
  const abs = delta * sign;
  const shares = w.map((x) => (abs * x) / sum);
  const rest = w.map((x, i) => ({ i, r: (abs * x) % sum }));
  let left = abs - shares.reduce((a, b) => a + b, 0n);
  rest.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of rest) {
    if (left === 0n) break;
    shares[i]! += 1n;
    left -= 1n;
  }
  return shares.map((s) => s * sign);
}

/** Applies the adjustments to the lines; the inputs are not changed. */
export function applyAdjustments(lines: CalcLine[], adjustments: Adjustment[]): AdjustedLine[] {
  return lines.map((line) => {
    let cells = line.periods ? line.periods.map((p) => toCents(new Decimal(p.amount))) : null;
    let amount = toCents(new Decimal(line.amount));
    let clamped = false;
    for (const adj of adjustments) {
      if (!matches(line, adj.filter)) continue;
      const scope = line.periods
        ? line.periods.map((p, i) => (fromHere(p, adj.from_period) ? i : -1)).filter((i) => i >= 0)
        : null;
      const affected = cells && scope ? scope.reduce((a, i) => a + cells![i]!, 0n) : amount;
      if (scope && scope.length === 0) continue;
      let delta =
        adj.kind === 'percent'
          ? toCents(
              fromCents(affected).times(adj.value).dividedBy(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP),
            )
          : toCents(new Decimal(adj.value));
      if (line.isContra ? affected + delta > 0n : affected + delta < 0n) {
        delta = -affected;
        clamped = true;
      }
      amount += delta;
      if (cells && scope) {
        const parts = distributeCents(
          delta,
          // In proportion to the periods' sizes (a contra line's periods are <= 0).
          scope.map((i) => (cells![i]! < 0n ? -cells![i]! : cells![i]!)),
        );
        cells = cells.slice();
        scope.forEach((i, k) => {
          cells![i] = cells![i]! + parts[k]!;
        });
      }
    }
    return { id: line.id, amount: fromCents(amount), periods: cells ? cells.map(fromCents) : null, clamped };
  });
}
