/**
 * The variance report as a workbook: the report rows with variances and totals as formulas,
 * then the unmatched actuals and the FX rates used. Formula results are the API's own figures.
 */
import ExcelJS from 'exceljs';
import { Decimal } from '../../shared/money.ts';
import type { VarianceGrouping, VarianceResult } from '../variance/index.ts';
import { col, fitWidths, MONEY_FORMAT, PERCENT_FORMAT, printSetup } from './excel.budget-workbook.ts';

const KEY_COLUMNS: Record<VarianceGrouping, [string, string][]> = {
  line: [
    ['line_name', 'Line'],
    ['category', 'Category'],
    ['gl_account_id', 'GL account'],
  ],
  category: [['category', 'Category']],
  department: [['department_id', 'Department']],
  gl_account: [['gl_account_id', 'GL account']],
  period: [['period', 'Period']],
};
const FIGURES = ['budget', 'actual', 'variance', 'variance %', 'favourability', 'flagged'];
const HEADER_ROW = 6;

const num = (s: string) => new Decimal(s).toNumber();
// The API's percentages are of 100; a cell holds the ratio and shows it with the % format.
const ratio = (p: string | null) => (p === null ? '' : new Decimal(p).div(100).toNumber());

/** Builds the variance workbook of one report. */
export async function varianceWorkbook(budgetName: string, v: VarianceResult): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'APG Budgeting & Forecasting';
  const ws = wb.addWorksheet('Variance', { views: [{ state: 'frozen', ySplit: HEADER_ROW }] });
  ws.addRow([`Variance: ${budgetName}`]).font = { bold: true, size: 14 };
  ws.addRow(['As of', v.as_of, 'Year-to-date from', v.period_from]);
  ws.addRow(['Grouping', v.by, 'Base currency', v.base_currency]);
  ws.addRow(['Threshold amount', num(v.thresholds.amount), 'Threshold %', num(v.thresholds.percent)]);
  ws.addRow([]);
  const keys = KEY_COLUMNS[v.by];
  const typeCol = keys.length + 1;
  const monthCol = typeCol + 1;
  const ytdCol = monthCol + FIGURES.length;
  ws.addRow([
    ...keys.map(([, label]) => label),
    'Line type',
    ...FIGURES.map((f) => `Month ${f}`),
    ...FIGURES.map((f) => `YTD ${f}`),
  ]).font = { bold: true };

  const figureCells = (f: VarianceResult['rows'][number]['month'], c: number, r: number) => {
    const [b, a, d] = [col(c), col(c + 1), col(c + 2)];
    return [
      num(f.budget),
      num(f.actual),
      { formula: `ROUND(${a}${r}-${b}${r},2)`, result: num(f.variance) },
      {
        formula: `IF(${b}${r}=0,"",ROUND(${d}${r}/${b}${r},4))`,
        result: ratio(f.variance_percent),
      },
      f.favourability,
      f.flagged ? 'yes' : 'no',
    ];
  };
  for (const [i, row] of v.rows.entries()) {
    const r = HEADER_ROW + 1 + i;
    ws.addRow([
      ...keys.map(([k]) => row.key[k] ?? ''),
      row.line_type,
      ...figureCells(row.month, monthCol, r),
      ...figureCells(row.ytd, ytdCol, r),
    ]);
  }
  const first = HEADER_ROW + 1;
  const last = HEADER_ROW + v.rows.length;
  ws.addRow([]);
  // Totals per line type: adding revenue to expense would mean nothing.
  for (const t of v.totals) {
    const r = ws.rowCount + 1;
    const sumif = (c: number, result: string) =>
      v.rows.length
        ? {
            formula: `ROUND(SUMIF($${col(typeCol)}$${first}:$${col(typeCol)}$${last},"${t.line_type}",${col(c)}$${first}:${col(c)}$${last}),2)`,
            result: num(result),
          }
        : num(result);
    const cells: ExcelJS.CellValue[] = [`Total ${t.line_type}`];
    cells[typeCol - 1] = t.line_type;
    for (const [c, f] of [
      [monthCol, t.month],
      [ytdCol, t.ytd],
    ] as const) {
      cells[c - 1] = sumif(c, f.budget);
      cells[c] = sumif(c + 1, f.actual);
      cells[c + 1] = { formula: `ROUND(${col(c + 1)}${r}-${col(c)}${r},2)`, result: num(f.variance) };
      cells[c + 2] = {
        formula: `IF(${col(c)}${r}=0,"",ROUND(${col(c + 2)}${r}/${col(c)}${r},4))`,
        result: ratio(f.variance_percent),
      };
      cells[c + 3] = f.favourability;
      cells[c + 4] = f.flagged ? 'yes' : 'no';
    }
    ws.addRow(cells).font = { bold: true };
  }
  for (const c of [monthCol, ytdCol]) {
    for (let k = 0; k < 3; k++) ws.getColumn(c + k).numFmt = MONEY_FORMAT;
    ws.getColumn(c + 3).numFmt = PERCENT_FORMAT;
  }
  fitWidths(ws, widthsOf(ws, HEADER_ROW));
  printSetup(ws, `Variance: ${budgetName}`, `${HEADER_ROW}:${HEADER_ROW}`);

  const um = wb.addWorksheet('Unmatched actuals', { views: [{ state: 'frozen', ySplit: 1 }] });
  const umKey = Object.keys(v.unmatched.groups[0]?.key ?? { key: null })[0]!;
  um.addRow([umKey, 'Month actual', 'YTD actual', 'Actual rows']).font = { bold: true };
  for (const g of v.unmatched.groups)
    um.addRow([g.key[umKey] ?? '(none)', num(g.month_actual), num(g.ytd_actual), g.actual_rows]);
  const n = v.unmatched.groups.length;
  um.addRow([
    'Total',
    n ? { formula: `ROUND(SUM(B2:B${n + 1}),2)`, result: num(v.unmatched.month_actual) } : 0,
    n ? { formula: `ROUND(SUM(C2:C${n + 1}),2)`, result: num(v.unmatched.ytd_actual) } : 0,
    n ? { formula: `SUM(D2:D${n + 1})`, result: v.unmatched.actual_rows } : 0,
  ]).font = { bold: true };
  um.getColumn(2).numFmt = MONEY_FORMAT;
  um.getColumn(3).numFmt = MONEY_FORMAT;
  fitWidths(um, widthsOf(um, 1));
  printSetup(um, `Unmatched actuals: ${budgetName}`, '1:1');

  const fx = wb.addWorksheet('FX rates', { views: [{ state: 'frozen', ySplit: 1 }] });
  fx.addRow(['From', 'To', 'Period', 'Rate', 'Rate of month']).font = { bold: true };
  for (const r of v.fx_rates) fx.addRow([r.from_currency, r.to_currency, r.period, r.rate, r.rate_period]);
  fitWidths(fx, widthsOf(fx, 1));
  printSetup(fx, `FX rates: ${budgetName}`, '1:1');
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * The width each column needs, from row `from` on (the title rows above may overflow): the
 * longest text, or a number as the money format shows it (thousands separators, 2 decimals).
 */
function widthsOf(ws: ExcelJS.Worksheet, from: number): number[] {
  const widths: number[] = [];
  ws.eachRow((row, n) => {
    if (n < from) return;
    row.eachCell((cell, c) => {
      const v = cell.value;
      const value = v !== null && typeof v === 'object' && 'result' in v ? v.result : v;
      const text =
        typeof value === 'number'
          ? new Decimal(value).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
          : String(value ?? '');
      widths[c - 1] = Math.max(widths[c - 1] ?? 0, text.length);
    });
  });
  return Array.from(widths, (w) => w ?? 0);
}
