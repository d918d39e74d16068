/**
 * The editor's grid model, free of React: columns, exact money in integer cents (BigInt, never
 * a float), ranges, TSV in and out (what Excel and Google Sheets put on the clipboard), and the
 * cell changes a paste / fill / typed value makes.
 */
import Papa from 'papaparse';
import { LINE_TYPES } from '../../../../src/shared/enums.ts';
import { parseAmount } from '../../lib/format.ts';

export { LINE_TYPES };
export type LineType = (typeof LINE_TYPES)[number];
export const SPREAD_METHODS = ['even', 'seasonal', 'last_year', 'manual'] as const;

export type FieldKey =
  | 'line_name'
  | 'line_type'
  | 'category'
  | 'gl_account_id'
  | 'department_id'
  | 'cost_center_id'
  | 'quantity'
  | 'unit_cost'
  | 'spread_method';

export interface GridLine {
  line_id: string;
  version: number;
  line_name: string;
  line_type: LineType;
  category: string;
  gl_account_id: string | null;
  department_id: string | null;
  cost_center_id: string | null;
  quantity: string | null;
  unit_cost: string | null;
  spread_method: string;
  amount: string;
  /** One decimal string per period. */
  periods: string[];
  updated_by: string | null;
  updated_at: string | null;
}

export type Column =
  | { kind: 'field'; key: FieldKey; label: string; width: number; numeric: boolean; frozen?: boolean }
  | { kind: 'period'; index: number; label: string; width: number }
  | { kind: 'quarter'; quarter: number; label: string; width: number; from: number; to: number }
  | { kind: 'total'; label: string; width: number };

export function columnsFor(periodStarts: string[], locale: string): Column[] {
  const month = new Intl.DateTimeFormat(locale, { month: 'short', year: '2-digit', timeZone: 'UTC' });
  const cols: Column[] = [
    { kind: 'field', key: 'line_name', label: 'Line', width: 220, numeric: false, frozen: true },
    { kind: 'field', key: 'line_type', label: 'Type', width: 96, numeric: false, frozen: true },
    { kind: 'field', key: 'category', label: 'Category', width: 120, numeric: false },
    { kind: 'field', key: 'gl_account_id', label: 'GL account', width: 104, numeric: false },
    { kind: 'field', key: 'department_id', label: 'Department', width: 112, numeric: false },
    { kind: 'field', key: 'cost_center_id', label: 'Cost centre', width: 104, numeric: false },
    { kind: 'field', key: 'quantity', label: 'Qty', width: 80, numeric: true },
    { kind: 'field', key: 'unit_cost', label: 'Unit cost', width: 100, numeric: true },
    { kind: 'field', key: 'spread_method', label: 'Spread', width: 96, numeric: false },
  ];
  periodStarts.forEach((start, index) => {
    cols.push({ kind: 'period', index, label: month.format(new Date(`${start}T00:00:00Z`)), width: 108 });
  });
  if (periodStarts.length === 12) {
    for (let q = 0; q < 4; q++)
      cols.push({
        kind: 'quarter',
        quarter: q + 1,
        label: `Q${q + 1}`,
        width: 120,
        from: q * 3,
        to: q * 3 + 2,
      });
  }
  cols.push({ kind: 'total', label: periodStarts.length === 12 ? 'Full year' : 'Total', width: 132 });
  return cols;
}

export const isEditable = (c: Column | undefined): boolean => c?.kind === 'field' || c?.kind === 'period';

/** The key a cell's error and change are filed under: a field name or `periods.N`. */
export function cellKey(c: Column): string {
  if (c.kind === 'field') return c.key;
  if (c.kind === 'period') return `periods.${c.index}`;
  if (c.kind === 'quarter') return `q${c.quarter}`;
  return 'total';
}

// ---- exact money in cents ----

/** "1234.5" → 123450n; undefined for what is not a number. */
export function toCents(value: string | null | undefined): bigint {
  if (!value) return 0n;
  const m = /^(-)?(\d*)(?:\.(\d*))?$/.exec(value.trim());
  if (!m) return 0n;
  const frac = `${m[3] ?? ''}00`.slice(0, 2);
  const cents = BigInt(m[2] || '0') * 100n + BigInt(frac);
  return m[1] ? -cents : cents;
}

export function fromCents(cents: bigint): string {
  const neg = cents < 0n;
  const abs = neg ? -cents : cents;
  const s = `${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
  return neg ? `-${s}` : s;
}

/** The value a cell shows (raw: a decimal string or text). */
export function cellValue(line: GridLine, c: Column): string {
  switch (c.kind) {
    case 'field':
      return line[c.key] ?? '';
    case 'period':
      return line.periods[c.index] ?? '0.00';
    case 'quarter': {
      let s = 0n;
      for (let i = c.from; i <= c.to; i++) s += toCents(line.periods[i]);
      return fromCents(s);
    }
    case 'total': {
      let s = 0n;
      for (const p of line.periods) s += toCents(p);
      return fromCents(s);
    }
  }
}

export interface Totals {
  /** Per line type, per period (cents). */
  byType: Record<LineType, bigint[]>;
  net: bigint[];
}

export function totalsOf(lines: readonly GridLine[], periods: number): Totals {
  const byType = Object.fromEntries(
    LINE_TYPES.map((t) => [t, new Array<bigint>(periods).fill(0n)]),
  ) as Record<LineType, bigint[]>;
  for (const l of lines) {
    const row = byType[l.line_type] ?? byType.expense;
    for (let i = 0; i < periods; i++) row[i]! += toCents(l.periods[i]);
  }
  const net = byType.revenue.map((r, i) => r - byType.expense[i]!);
  return { byType, net };
}

// ---- ranges ----

export interface Pos {
  r: number;
  c: number;
}
export interface Range {
  r0: number;
  c0: number;
  r1: number;
  c1: number;
}

export function rangeOf(a: Pos, b: Pos): Range {
  return { r0: Math.min(a.r, b.r), c0: Math.min(a.c, b.c), r1: Math.max(a.r, b.r), c1: Math.max(a.c, b.c) };
}

export const inRange = (rg: Range, r: number, c: number) =>
  r >= rg.r0 && r <= rg.r1 && c >= rg.c0 && c <= rg.c1;

// ---- clipboard ----

/** The range as TSV (what Excel pastes): raw decimal strings, so nothing is lost. */
export function toTsv(lines: readonly GridLine[], cols: readonly Column[], rg: Range): string {
  const out: string[] = [];
  for (let r = rg.r0; r <= rg.r1; r++) {
    const line = lines[r];
    if (!line) continue;
    const cells: string[] = [];
    for (let c = rg.c0; c <= rg.c1; c++) {
      const v = cellValue(line, cols[c]!);
      cells.push(/[\t\n"]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    }
    out.push(cells.join('\t'));
  }
  return out.join('\n');
}

/** A TSV block from the clipboard (quoted cells with tabs or newlines as Excel writes them). */
export function parseTsv(text: string): string[][] {
  const trimmed = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '');
  if (trimmed === '') return [];
  const res = Papa.parse<string[]>(trimmed, { delimiter: '\t', newline: '\n', skipEmptyLines: false });
  return res.data;
}

/** One cell's new value. */
export interface CellChange {
  lineId: string;
  /** `line_name` … or `periods.N` */
  key: string;
  before: string;
  after: string;
}

export interface ChangeResult {
  changes: CellChange[];
  /** Cells whose text is not a valid value for the column, with why (shown, not sent). */
  rejected: { r: number; c: number; message: string }[];
  /** The range written (for the selection after a paste). */
  written?: Range;
}

/** Normalises a typed or pasted value for a column; an error message when it cannot be one. */
export function normalise(c: Column, text: string): { value: string } | { error: string } {
  if (c.kind === 'period') {
    const v = parseAmount(text);
    if (v === undefined) return { error: `“${text}” is not an amount` };
    return { value: v === '' ? '0.00' : v };
  }
  if (c.kind === 'field') {
    if (c.numeric) {
      const v = parseAmount(text);
      if (v === undefined) return { error: `“${text}” is not a number` };
      return { value: v };
    }
    if (c.key === 'line_type') {
      const v = text.trim().toLowerCase();
      return (LINE_TYPES as readonly string[]).includes(v)
        ? { value: v }
        : { error: `Type must be one of ${LINE_TYPES.join(', ')}` };
    }
    if (c.key === 'spread_method') {
      const v = text.trim().toLowerCase().replace(/\s+/g, '_');
      return (SPREAD_METHODS as readonly string[]).includes(v)
        ? { value: v }
        : { error: `Spread must be one of ${SPREAD_METHODS.join(', ')}` };
    }
    return { value: text.trim() };
  }
  return { error: 'This column is calculated' };
}

function setCell(
  lines: readonly GridLine[],
  cols: readonly Column[],
  r: number,
  c: number,
  text: string,
  out: ChangeResult,
) {
  const line = lines[r];
  const col = cols[c];
  if (!line || !col || !isEditable(col)) return;
  const n = normalise(col, text);
  if ('error' in n) {
    out.rejected.push({ r, c, message: n.error });
    return;
  }
  const before = cellValue(line, col);
  const same = col.kind === 'period' ? toCents(before) === toCents(n.value) : before === n.value;
  if (!same) out.changes.push({ lineId: line.line_id, key: cellKey(col), before, after: n.value });
}

/**
 * A pasted block from the selection's top-left, onto editable columns only (calculated quarter
 * and total columns are skipped, so 12 months from Excel land on the 12 months). A single value
 * pasted onto a larger selection fills it.
 */
export function pasteBlock(
  lines: readonly GridLine[],
  cols: readonly Column[],
  rg: Range,
  block: string[][],
): ChangeResult {
  const out: ChangeResult = { changes: [], rejected: [] };
  if (block.length === 0) return out;
  const single = block.length === 1 && block[0]!.length === 1;
  if (single && (rg.r1 > rg.r0 || rg.c1 > rg.c0)) {
    for (let r = rg.r0; r <= rg.r1; r++)
      for (let c = rg.c0; c <= rg.c1; c++) setCell(lines, cols, r, c, block[0]![0]!, out);
    out.written = rg;
    return out;
  }
  const editableFrom: number[] = [];
  for (let c = rg.c0; c < cols.length; c++) if (isEditable(cols[c])) editableFrom.push(c);
  let lastC = rg.c0;
  let lastR = rg.r0;
  block.forEach((row, i) => {
    const r = rg.r0 + i;
    if (r >= lines.length) return;
    lastR = r;
    row.forEach((text, j) => {
      const c = editableFrom[j];
      if (c === undefined) return;
      lastC = Math.max(lastC, c);
      setCell(lines, cols, r, c, text, out);
    });
  });
  out.written = { r0: rg.r0, c0: rg.c0, r1: lastR, c1: lastC };
  return out;
}

/** Ctrl+D: the top row of the range copied down; Ctrl+R: the left column copied right. */
export function fill(
  lines: readonly GridLine[],
  cols: readonly Column[],
  rg: Range,
  direction: 'down' | 'right',
): ChangeResult {
  const out: ChangeResult = { changes: [], rejected: [] };
  for (let r = rg.r0; r <= rg.r1; r++)
    for (let c = rg.c0; c <= rg.c1; c++) {
      const src = direction === 'down' ? lines[rg.r0] : lines[r];
      const srcCol = direction === 'down' ? cols[c] : cols[rg.c0];
      if (!src || !srcCol || (direction === 'down' ? r === rg.r0 : c === rg.c0)) continue;
      if (!isEditable(cols[c])) continue;
      setCell(lines, cols, r, c, cellValue(src, srcCol), out);
    }
  out.written = rg;
  return out;
}

/** Delete / Backspace over a range: months to 0, optional text fields emptied. */
export function clear(lines: readonly GridLine[], cols: readonly Column[], rg: Range): ChangeResult {
  const out: ChangeResult = { changes: [], rejected: [] };
  for (let r = rg.r0; r <= rg.r1; r++)
    for (let c = rg.c0; c <= rg.c1; c++) {
      const col = cols[c];
      if (col?.kind === 'period') setCell(lines, cols, r, c, '0', out);
      else if (
        col?.kind === 'field' &&
        !['line_name', 'line_type', 'category', 'spread_method'].includes(col.key)
      )
        setCell(lines, cols, r, c, '', out);
    }
  return out;
}

/** Applies changes to lines (immutably; only touched lines are new objects). */
export function applyChanges(
  lines: GridLine[],
  changes: readonly CellChange[],
  use: 'before' | 'after',
): GridLine[] {
  if (changes.length === 0) return lines;
  const byLine = new Map<string, CellChange[]>();
  for (const ch of changes) {
    const list = byLine.get(ch.lineId) ?? [];
    list.push(ch);
    byLine.set(ch.lineId, list);
  }
  return lines.map((l) => {
    const list = byLine.get(l.line_id);
    if (!list) return l;
    const next: GridLine = { ...l, periods: [...l.periods] };
    for (const ch of list) {
      const v = ch[use];
      if (ch.key.startsWith('periods.')) next.periods[Number(ch.key.slice(8))] = v;
      else
        (next as unknown as Record<string, string | null>)[ch.key] =
          v === '' && ch.key !== 'line_name' ? null : v;
    }
    let s = 0n;
    for (const p of next.periods) s += toCents(p);
    next.amount = fromCents(s);
    return next;
  });
}
