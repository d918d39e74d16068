/**
 * The budget workbook: a summary sheet, then one sheet per budget with its lines x months.
 * Every total is a formula (SUM / SUMIF) so the workbook recalculates when a planner edits it;
 * each formula also carries its exact result so readers that do not recalculate show it too.
 */
import ExcelJS from 'exceljs';
import { Decimal } from '../../shared/money.ts';
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
const LINE_TYPES = ['revenue', 'expense', 'asset', 'liability'] as const;
const FIXED = ['Line', 'Type', 'Category', 'Department', 'Cost centre', 'GL account', 'Currency', 'Amount'];

/** Excel's column letters for a 1-based column number. */
export function col(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

const SHEET_NAME_MAX = 31;
// Excel refuses these characters in sheet names; control characters make the file unreadable.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
const SHEET_NAME_BAD = /[[\]:*?/\\\u0000-\u001f\u007f]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A sheet name Excel accepts, made from a user-chosen name: at most 31 characters, none of
 * []:*?/\, no apostrophe at either end, never the reserved "History", unique (case-insensitive)
 * within the workbook. Any name gives a sheet: a budget is never unexportable for its name.
 */
export function sheetName(name: string, taken: Set<string>): string {
  const clean = (s: string) =>
    s
      .replace(SHEET_NAME_BAD, ' ')
      .replace(LONE_SURROGATE, ' ')
      .replace(/\s+/g, ' ')
      .replace(/^[\s']+|[\s']+$/g, '');
  // Whole code points, so that a cut never leaves half a surrogate pair.
  const cut = (s: string, max: number) => {
    let out = '';
    for (const ch of s) {
      if (out.length + ch.length > max) break;
      out += ch;
    }
    return clean(out);
  };
  let base = cut(clean(name), SHEET_NAME_MAX) || 'Budget';
  if (base.toLowerCase() === 'history') base = `${base} (budget)`;
  let out = base;
  for (let i = 2; taken.has(out.toLowerCase()); i++) {
    const suffix = ` (${i})`;
    out = `${cut(base, SHEET_NAME_MAX - suffix.length) || 'Budget'}${suffix}`;
  }
  taken.add(out.toLowerCase());
  return out;
}

// Excel cells are doubles; amounts up to 999,999,999,999.99 keep their cents exactly there.
const num = (d: Decimal | string) => new Decimal(d).toNumber();
const quote = (sheet: string) => `'${sheet.replace(/'/g, "''")}'`;

/** Writes one budget's lines x months sheet; returns its name and where its rows are. */
function addBudgetSheet(wb: ExcelJS.Workbook, input: BudgetSheetInput, taken: Set<string>) {
  const name = sheetName(input.budget.name, taken);
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', xSplit: 1, ySplit: 1 }] });
  const { months, lines } = input;
  const firstMonth = FIXED.length + 1;
  const totalCol = firstMonth + months.length;
  ws.addRow([...FIXED, ...months, 'Total']).font = { bold: true };
  const colSums = Array.from({ length: months.length + 2 }, () => new Decimal(0));
  for (const [i, l] of lines.entries()) {
    const r = i + 2;
    const perMonth = months.map((m) => new Decimal(l.periods?.[m] ?? 0));
    const rowTotal = perMonth.reduce((s, v) => s.plus(v), new Decimal(0));
    ws.addRow([
      l.line_name,
      l.line_type,
      l.category,
      l.department_id,
      l.cost_center_id,
      l.gl_account_id,
      l.currency,
      num(l.amount),
      ...perMonth.map(num),
      months.length
        ? { formula: `SUM(${col(firstMonth)}${r}:${col(totalCol - 1)}${r})`, result: num(rowTotal) }
        : 0,
    ]);
    colSums[0] = colSums[0]!.plus(l.amount);
    perMonth.forEach((v, k) => {
      colSums[k + 1] = colSums[k + 1]!.plus(v);
    });
    colSums[months.length + 1] = colSums[months.length + 1]!.plus(rowTotal);
  }
  const last = lines.length + 1;
  const totalRow = ws.addRow(['Total']);
  totalRow.font = { bold: true };
  for (let c = FIXED.length; c <= totalCol; c++) {
    const sum = colSums[c - FIXED.length]!;
    totalRow.getCell(c).value =
      lines.length > 0 ? { formula: `SUM(${col(c)}2:${col(c)}${last})`, result: num(sum) } : 0;
  }
  for (let c = FIXED.length; c <= totalCol; c++) ws.getColumn(c).numFmt = MONEY_FORMAT;
  ws.getColumn(1).width = 32;
  return { name, last, amountCol: col(FIXED.length), typeCol: col(2), totalRow: last + 1 };
}

/** Builds the workbook of one or more budgets: a "Summary" sheet first, then a sheet per budget. */
export async function budgetWorkbook(budgets: BudgetSheetInput[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'APG Budgeting & Forecasting';
  const summary = wb.addWorksheet('Summary');
  const taken = new Set(['summary']);
  summary.addRow([
    'Budget',
    'Fiscal year',
    'Type',
    'Status',
    'Currency',
    'Lines',
    ...LINE_TYPES.map((t) => t[0]!.toUpperCase() + t.slice(1)),
    'Net (revenue - expense)',
  ]).font = { bold: true };
  for (const [i, b] of budgets.entries()) {
    const s = addBudgetSheet(wb, b, taken);
    const r = i + 2;
    const types = `${quote(s.name)}!$${s.typeCol}$2:$${s.typeCol}$${s.last}`;
    const amounts = `${quote(s.name)}!$${s.amountCol}$2:$${s.amountCol}$${s.last}`;
    const byType = (t: string) =>
      b.lines.filter((l) => l.line_type === t).reduce((x, l) => x.plus(l.amount), new Decimal(0));
    // An empty range (no lines) would make Excel count the header row: plain zeros then.
    const f = (formula: string, result: number) => (b.lines.length ? { formula, result } : 0);
    summary.addRow([
      b.budget.name,
      b.budget.fiscalYear,
      b.budget.type,
      b.budget.status,
      b.budget.baseCurrency,
      f(`COUNTA(${types})`, b.lines.length),
      ...LINE_TYPES.map((t) => f(`SUMIF(${types},"${t}",${amounts})`, num(byType(t)))),
      { formula: `G${r}-H${r}`, result: num(byType('revenue').minus(byType('expense'))) },
    ]);
  }
  for (let c = 7; c <= 11; c++) summary.getColumn(c).numFmt = MONEY_FORMAT;
  summary.getColumn(1).width = 32;
  return Buffer.from(await wb.xlsx.writeBuffer());
}
