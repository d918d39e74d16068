/** Shapes the tagged rows of the variance query into the API response. */
import { toCsv } from '../../platform/http/csv.ts';
import type { LineType } from '../../shared/enums.ts';
import { Decimal } from '../../shared/money.ts';
import type { VarianceSqlRow } from './variance.repository.ts';
import { MATCH_LEVELS, type ReportGrouping, type VarianceReport } from './variance.schema.ts';

type Figures = VarianceReport['rows'][number]['month'];
type Flag = Figures['flags'][number];

// Names of k1..k4 per grouping, as they appear in each row's `key`.
const KEY_NAMES: Record<ReportGrouping, string[]> = {
  quarter: ['period'],
  half: ['period'],
  year: ['period'],
  line: ['line_id', 'line_name', 'category', 'gl_account_id'],
  category: ['category'],
  department: ['department_id'],
  gl_account: ['gl_account_id'],
  period: ['period'],
};
const UNMATCHED_KEY_NAME: Record<ReportGrouping, string> = {
  quarter: 'period',
  half: 'period',
  year: 'period',
  line: 'gl_account_id',
  category: 'category',
  department: 'department_id',
  gl_account: 'gl_account_id',
  period: 'period',
};

function figures(r: VarianceSqlRow, p: 'm' | 'y'): Figures {
  const flags = (r[`${p}flags`] ?? '').split(',').filter(Boolean) as Flag[];
  return {
    budget: r[`${p}b`]!,
    actual: r[`${p}a`]!,
    variance: r[`${p}v`]!,
    variance_percent: r[`${p}p`],
    favourability: r[`${p}fav`] as Figures['favourability'],
    flags,
    flagged: flags.length === 2,
  };
}

const keyOf = (names: string[], r: VarianceSqlRow) =>
  Object.fromEntries(names.map((n, i) => [n, [r.k1, r.k2, r.k3, r.k4][i] ?? null]));

export interface VarianceHeader {
  budgetId: string;
  baseCurrency: string;
  by: ReportGrouping;
  asOf: string;
  from: string;
  thresholds: { amount: string; percent: string };
}

/** The response of a variance report; money stays decimal strings as PostgreSQL computed it. */
export function presentVariance(h: VarianceHeader, rows: VarianceSqlRow[]): VarianceReport {
  const out: VarianceReport = {
    budget_id: h.budgetId,
    base_currency: h.baseCurrency,
    by: h.by,
    as_of: h.asOf.slice(0, 7),
    period_from: h.from.slice(0, 7),
    thresholds: h.thresholds,
    rows: [],
    totals: [],
    unmatched: { month_actual: '0.00', ytd_actual: '0.00', actual_rows: 0, groups: [] },
    matched_by_level: MATCH_LEVELS.map((level) => ({
      level,
      month_actual: '0.00',
      ytd_actual: '0.00',
      actual_rows: 0,
    })),
    fx_rates: [],
  };
  for (const r of rows) {
    if (r.kind === 'row') {
      out.rows.push({
        key: keyOf(KEY_NAMES[h.by], r),
        line_type: r.line_type as LineType,
        month: figures(r, 'm'),
        ytd: figures(r, 'y'),
      });
    } else if (r.kind === 'total') {
      out.totals.push({ line_type: r.line_type as LineType, month: figures(r, 'm'), ytd: figures(r, 'y') });
    } else if (r.kind === 'unmatched') {
      out.unmatched.groups.push({
        key: { [UNMATCHED_KEY_NAME[h.by]]: r.k1 },
        month_actual: r.ma!,
        ytd_actual: r.ya!,
        actual_rows: Number(r.n),
      });
    } else if (r.kind === 'level') {
      // k1 is the level's number, 1 = most specific.
      const entry = out.matched_by_level[Number(r.k1) - 1];
      if (entry) {
        entry.month_actual = r.ma!;
        entry.ytd_actual = r.ya!;
        entry.actual_rows = Number(r.n);
      }
    } else {
      out.fx_rates.push({
        from_currency: r.k1!,
        to_currency: h.baseCurrency,
        period: r.k2!,
        rate: r.k3!,
        rate_period: r.k4 ?? r.k2!,
        rate_inverted: r.n === 'true',
      });
    }
  }
  const um = out.unmatched;
  um.month_actual = um.groups.reduce((s, g) => s.plus(g.month_actual), new Decimal(0)).toFixed(2);
  um.ytd_actual = um.groups.reduce((s, g) => s.plus(g.ytd_actual), new Decimal(0)).toFixed(2);
  um.actual_rows = um.groups.reduce((s, g) => s + g.actual_rows, 0);
  return out;
}

/** The report as CSV: one row per report row, then the totals per line type (docs/variance.md). */
export function varianceCsv(v: VarianceReport): string {
  const keys = KEY_NAMES[v.by];
  const fig = ['budget', 'actual', 'variance', 'variance_percent', 'favourability', 'flagged'] as const;
  const head = [...keys, 'line_type', ...fig.map((f) => `month_${f}`), ...fig.map((f) => `ytd_${f}`)];
  const cells = (f: Figures) => fig.map((k) => (k === 'flagged' ? String(f.flagged) : f[k]));
  const lines: (string | null | undefined)[][] = [head];
  for (const r of v.rows)
    lines.push([...keys.map((k) => r.key[k]), r.line_type, ...cells(r.month), ...cells(r.ytd)]);
  for (const t of v.totals)
    lines.push([
      ...keys.map((_, i) => (i === 0 ? 'TOTAL' : '')),
      t.line_type,
      ...cells(t.month),
      ...cells(t.ytd),
    ]);
  return toCsv(lines);
}
