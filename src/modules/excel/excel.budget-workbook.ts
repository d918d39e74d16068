/**
 * The budget workbook: a `Summary` sheet, the `Lines` sheet (lines x months, one row per line
 * with its id and version so that the workbook can be imported back, see excel.sync.ts), and a
 * very hidden `Export snapshot` sheet. Every total is a formula (SUM / SUMIF, rounded to the
 * cent) so the workbook recalculates when a planner edits it; each formula also carries its
 * exact result so readers that do not recalculate show it too.
 */
import ExcelJS from 'exceljs';
import { Decimal } from '../../shared/money.ts';
import { LINE_COLUMNS, LINES_SHEET, SNAPSHOT_SHEET, TOTAL_MARK } from './excel.columns.ts';
import type { ExportLine } from './excel.repository.ts';

export interface BudgetSheetInput {
  budget: {
    name: string;
    fiscalYear: string;
    type: string;
    status: string;
    baseCurrency: string;
  };
  /** The budget's months, YYYY-MM. */
  months: string[];
  lines: ExportLine[];
}

export const MONEY_FORMAT = '#,##0.00;[Red]-#,##0.00';
export const PERCENT_FORMAT = '0.00%';
const QUANTITY_FORMAT = '#,##0.####';
const LINE_TYPES = ['revenue', 'expense', 'asset', 'liability'] as const;

/** Excel's column letters for a 1-based column number. */
export function col(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

// Excel cells are doubles; amounts up to 999,999,999,999.99 keep their cents exactly there.
const num = (d: Decimal | string) => new Decimal(d).toNumber();
const quote = (sheet: string) => `'${sheet.replace(/'/g, "''")}'`;
/** An amount as the money format shows it: the width a column needs to show it, not `###`. */
const shown = (d: Decimal | string) => {
  const [int, frac] = new Decimal(d).abs().toFixed(2).split('.');
  return (
    (new Decimal(d).isNeg() ? 1 : 0) + int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',').length + 1 + frac!.length
  );
};

/**
 * Print setup of every sheet: landscape, one page wide (as many pages tall as it takes), the
 * header rows repeated on every page, the budget's name in the page header.
 */
export function printSetup(ws: ExcelJS.Worksheet, title: string, titleRows: string): void {
  ws.pageSetup = {
    orientation: 'landscape',
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    printTitlesRow: titleRows,
    paperSize: 9,
  };
  // `&` starts a code in page headers: a literal one is doubled.
  ws.headerFooter = { oddHeader: `&C${title.replace(/&/g, '&&')}`, oddFooter: '&CPage &P of &N' };
}

/** Sets each column's width to fit its widest value (as shown), at least `min`. */
export function fitWidths(ws: ExcelJS.Worksheet, widths: number[], min = 8): void {
  widths.forEach((w, i) => {
    ws.getColumn(i + 1).width = Math.min(Math.max(min, w + 2), 60);
  });
}

/** Writes the Lines sheet; returns where its rows and columns are. */
function addLinesSheet(wb: ExcelJS.Workbook, input: BudgetSheetInput) {
  const { months, lines } = input;
  // Line ID and Version are hidden: frozen are them and the line name.
  const ws = wb.addWorksheet(LINES_SHEET, { views: [{ state: 'frozen', xSplit: 3, ySplit: 1 }] });
  const fixed = LINE_COLUMNS.length;
  const amountCol = fixed;
  const firstMonth = fixed + 1;
  const totalCol = firstMonth + months.length;
  const typeCol = LINE_COLUMNS.findIndex(([, k]) => k === 'line_type') + 1;
  const header = [...LINE_COLUMNS.map(([label]) => label), ...months, 'Total'];
  ws.addRow(header).font = { bold: true };
  const widths = header.map((h) => h.length);
  const widen = (c: number, w: number) => {
    widths[c - 1] = Math.max(widths[c - 1] ?? 0, w);
  };
  const last = lines.length + 1;
  // Sums by line type of the amount, each month and the total (exact, for the formulas' results).
  const sums = new Map(
    LINE_TYPES.map((t) => [t, Array.from({ length: months.length + 2 }, () => new Decimal(0))]),
  );
  for (const [i, l] of lines.entries()) {
    const r = i + 2;
    const perMonth = months.map((m) => new Decimal(l.periods?.[m] ?? 0));
    const rowTotal = perMonth.reduce((s, v) => s.plus(v), new Decimal(0));
    const fields = [
      l.line_id,
      l.version,
      l.line_name,
      l.line_type,
      l.category,
      l.department_id,
      l.cost_center_id,
      l.gl_account_id,
      l.currency,
      l.is_contra ? 'yes' : 'no',
      l.quantity === null ? null : num(l.quantity),
      l.unit_cost === null ? null : num(l.unit_cost),
      l.spread_method,
      l.line_order,
      num(l.amount),
    ];
    ws.addRow([
      ...fields,
      ...perMonth.map(num),
      months.length
        ? { formula: `ROUND(SUM(${col(firstMonth)}${r}:${col(totalCol - 1)}${r}),2)`, result: num(rowTotal) }
        : 0,
    ]);
    fields.forEach((v, k) => {
      if (typeof v === 'string') widen(k + 1, v.length);
    });
    for (const [k, v] of [l.quantity, l.unit_cost].entries()) if (v !== null) widen(11 + k, shown(v));
    const s = sums.get(l.line_type as (typeof LINE_TYPES)[number]);
    [new Decimal(l.amount), ...perMonth, rowTotal].forEach((v, k) => {
      widen(amountCol + k, shown(v));
      if (s) s[k] = s[k]!.plus(v);
    });
  }
  // Totals per line type, then the net (revenue - expense), as /periods reports it: adding
  // revenue to expense would mean nothing.
  const typeRange = `$${col(typeCol)}$2:$${col(typeCol)}$${last}`;
  const totalRows: Record<string, number> = {};
  for (const t of LINE_TYPES) {
    const r = ws.rowCount + 1;
    totalRows[t] = r;
    const row = ws.addRow([TOTAL_MARK, null, `Total ${t}`]);
    row.font = { bold: true };
    for (let c = amountCol; c <= totalCol; c++) {
      const result = num(sums.get(t)![c - amountCol]!);
      row.getCell(c).value = lines.length
        ? { formula: `ROUND(SUMIF(${typeRange},"${t}",${col(c)}$2:${col(c)}$${last}),2)`, result }
        : 0;
    }
  }
  const net = ws.addRow([TOTAL_MARK, null, 'Net (revenue - expense)']);
  net.font = { bold: true };
  for (let c = amountCol; c <= totalCol; c++) {
    const k = c - amountCol;
    const result = sums.get('revenue')![k]!.minus(sums.get('expense')![k]!);
    widen(c, shown(result));
    net.getCell(c).value = {
      formula: `ROUND(${col(c)}${totalRows.revenue}-${col(c)}${totalRows.expense},2)`,
      result: num(result),
    };
  }
  for (let c = amountCol; c <= totalCol; c++) ws.getColumn(c).numFmt = MONEY_FORMAT;
  ws.getColumn(11).numFmt = QUANTITY_FORMAT;
  ws.getColumn(12).numFmt = MONEY_FORMAT;
  fitWidths(ws, widths);
  ws.getColumn(1).hidden = true;
  ws.getColumn(2).hidden = true;
  printSetup(ws, input.budget.name, '1:1');
  return { last, amountCol: col(amountCol), typeCol: col(typeCol) };
}

/** The very hidden snapshot: each exported line's id and version (see excel.sync.ts, delete_missing). */
function addSnapshotSheet(wb: ExcelJS.Workbook, lines: ExportLine[]) {
  const ws = wb.addWorksheet(SNAPSHOT_SHEET, {
    state: 'veryHidden',
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  ws.addRow(['line_id', 'version']);
  for (const l of lines) ws.addRow([l.line_id, l.version]);
}

/** Builds the workbook of a budget: `Summary`, `Lines` and the hidden `Export snapshot`. */
export async function budgetWorkbook(b: BudgetSheetInput): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'APG Budgeting & Forecasting';
  const summary = wb.addWorksheet('Summary', { views: [{ state: 'frozen', xSplit: 1, ySplit: 1 }] });
  const header = [
    'Budget',
    'Fiscal year',
    'Type',
    'Status',
    'Currency',
    'Lines',
    ...LINE_TYPES.map((t) => t[0]!.toUpperCase() + t.slice(1)),
    'Net (revenue - expense)',
  ];
  summary.addRow(header).font = { bold: true };
  const s = addLinesSheet(wb, b);
  addSnapshotSheet(wb, b.lines);
  const types = `${quote(LINES_SHEET)}!$${s.typeCol}$2:$${s.typeCol}$${s.last}`;
  const amounts = `${quote(LINES_SHEET)}!$${s.amountCol}$2:$${s.amountCol}$${s.last}`;
  const byType = (t: string) =>
    b.lines.filter((l) => l.line_type === t).reduce((x, l) => x.plus(l.amount), new Decimal(0));
  // An empty range (no lines) would make Excel count the header row: plain zeros then.
  const f = (formula: string, result: number) => (b.lines.length ? { formula, result } : 0);
  const netValue = byType('revenue').minus(byType('expense'));
  const values = [b.budget.name, b.budget.fiscalYear, b.budget.type, b.budget.status, b.budget.baseCurrency];
  summary.addRow([
    ...values,
    f(`COUNTA(${types})`, b.lines.length),
    ...LINE_TYPES.map((t) => f(`ROUND(SUMIF(${types},"${t}",${amounts}),2)`, num(byType(t)))),
    { formula: 'ROUND(G2-H2,2)', result: num(netValue) },
  ]);
  const widths = header.map((h) => h.length);
  values.forEach((v, i) => {
    widths[i] = Math.max(widths[i]!, v.length);
  });
  [...LINE_TYPES.map(byType), netValue].forEach((v, i) => {
    widths[6 + i] = Math.max(widths[6 + i]!, shown(v));
  });
  for (let c = 7; c <= 11; c++) summary.getColumn(c).numFmt = MONEY_FORMAT;
  fitWidths(summary, widths);
  printSetup(summary, b.budget.name, '1:1');
  return Buffer.from(await wb.xlsx.writeBuffer());
}
