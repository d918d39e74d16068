/**
 * The mapping engine of both imports: finds each field's column in the header row (from the
 * mapping, or by header name with a confidence), and computes derived fields. Header matching
 * never decides alone on a weak guess: an import without `columns` is refused when a field would
 * be read from a column matched below HIGH_CONFIDENCE (docs/imports.md).
 */
import type { FieldError } from '../../platform/http/errors.ts';
import type { Cell } from './imports.readers.ts';
import {
  type Derived,
  type ImportTarget,
  type Mapping,
  missingRequiredFields,
  REQUIRED_FIELDS,
  TARGET_FIELDS,
} from './imports.schema.ts';

/** Suggestions at or above this confidence are used by an import without `columns`. */
export const HIGH_CONFIDENCE = 0.85;
/** Below this a suggestion is a low-confidence guess. */
export const MEDIUM_CONFIDENCE = 0.6;

// Header names seen in ledger and budget exports (lower-case, no punctuation or spaces), each with
// how sure a match on it is: full names 1.0, common names 0.9, abbreviations and loose words less.
const SYNONYMS: Record<string, Record<string, number>> = {
  period: {
    period: 1,
    month: 1,
    postingperiod: 1,
    fiscalperiod: 1,
    accountingperiod: 1,
    postingdate: 1,
    date: 0.9,
    year: 0.9,
    fiscalyear: 1,
    budgetyear: 0.9,
    fy: 0.8,
  },
  gl_account: {
    glaccount: 1,
    glaccountid: 1,
    accountcode: 1,
    accountnumber: 1,
    accountno: 1,
    glcode: 1,
    ledgeraccount: 1,
    account: 0.9,
    objectcode: 0.85,
    gl: 0.8,
    object: 0.6,
  },
  department: {
    department: 1,
    departmentid: 1,
    departmentcode: 1,
    deptcode: 0.85,
    deptid: 0.7,
    dept: 0.6,
    organization: 0.6,
    organisation: 0.6,
  },
  cost_centre: {
    costcentre: 1,
    costcenter: 1,
    costcentreid: 1,
    costcenterid: 1,
    costcentrecode: 1,
    costcentercode: 1,
    programcode: 0.9,
    program: 0.85,
    programme: 0.85,
    cc: 0.6,
  },
  category: { category: 1, accountcategory: 1, class: 0.7 },
  amount: {
    amount: 1,
    netamount: 1,
    amt: 0.9,
    value: 0.8,
    net: 0.7,
    balance: 0.7,
    budgetamount: 1,
    budget: 0.9,
    adoptedbudget: 0.9,
    appropriation: 0.8,
  },
  currency: { currency: 1, currencycode: 1, ccy: 0.9, curr: 0.8, cur: 0.7 },
  description: { description: 1, desc: 0.9, memo: 0.9, narrative: 0.9, details: 0.8, text: 0.6 },
  line_name: { linename: 1, lineitem: 0.9, name: 0.85, title: 0.7 },
  line_type: { linetype: 1, accounttype: 0.8, type: 0.7 },
  subcategory: { subcategory: 1 },
  fund: { fund: 1, fundcode: 1, fundid: 1 },
  notes: { notes: 1, note: 0.9 },
  is_contra: { iscontra: 1, contra: 1 },
  spread_method: { spreadmethod: 1, phasing: 0.8 },
};

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
const words = (s: string) =>
  s
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

/** How one header matches one field: exact name, last word (a head noun) or another word. */
function score(field: string, header: string): { confidence: number; rule: string } | null {
  const table = SYNONYMS[field] ?? {};
  const exact = table[norm(header)];
  if (exact !== undefined)
    return { confidence: exact, rule: exact >= HIGH_CONFIDENCE ? 'header_name' : 'abbreviated_header_name' };
  const w = words(header);
  if (w.length < 2) return null;
  const last = table[w.at(-1)!];
  if (last !== undefined) return { confidence: round(last * 0.95), rule: 'header_last_word' };
  const any = Math.max(...w.map((x) => table[x] ?? 0));
  return any > 0 ? { confidence: round(any * 0.7), rule: 'header_word' } : null;
}
const round = (x: number) => Math.round(x * 100) / 100;

/** One suggested column for a field, with how sure the match is. */
export interface Suggestion {
  field: string;
  source: string;
  column: number;
  confidence: number;
  level: 'high' | 'medium' | 'low';
  rule: string;
  alternatives: { source: string; column: number; confidence: number }[];
}

const levelOf = (c: number): Suggestion['level'] =>
  c >= HIGH_CONFIDENCE ? 'high' : c >= MEDIUM_CONFIDENCE ? 'medium' : 'low';

/**
 * Suggested columns by header name: every (field, header) pair scored, then assigned greedily from
 * the surest match, each header and field used once (so "Department" takes department before
 * "Dept" is considered). A tie between two headers for a field is ambiguous: low confidence.
 */
export function suggestColumns(header: string[], target: ImportTarget, skip: string[] = []): Suggestion[] {
  const pairs: { field: string; index: number; confidence: number; rule: string }[] = [];
  for (const field of TARGET_FIELDS[target]) {
    if (skip.includes(field)) continue;
    header.forEach((h, index) => {
      const s = score(field, h);
      if (s) pairs.push({ field, index, ...s });
    });
  }
  pairs.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
  const usedFields = new Set<string>();
  const usedHeaders = new Set<number>();
  const out: Suggestion[] = [];
  for (const p of pairs) {
    if (usedFields.has(p.field) || usedHeaders.has(p.index)) continue;
    usedFields.add(p.field);
    usedHeaders.add(p.index);
    const others = pairs.filter((q) => q.field === p.field && q.index !== p.index);
    const tie = others.some((q) => q.confidence === p.confidence && !usedHeaders.has(q.index));
    const confidence = tie ? Math.min(p.confidence, 0.5) : p.confidence;
    out.push({
      field: p.field,
      source: header[p.index] ?? '',
      column: p.index + 1,
      confidence,
      level: levelOf(confidence),
      rule: tie ? 'ambiguous_header_name' : p.rule,
      alternatives: others.map((q) => ({
        source: header[q.index] ?? '',
        column: q.index + 1,
        confidence: q.confidence,
      })),
    });
  }
  return out.sort((a, b) => TARGET_FIELDS[target].indexOf(a.field) - TARGET_FIELDS[target].indexOf(b.field));
}

/** Where a field is read from: a column, or a derived rule (with the column it reads, if any). */
export type ResolvedField =
  | { kind: 'column'; index: number; header: string; by: 'mapping' | 'header_name'; confidence?: number }
  | { kind: 'derived'; rule: Derived; index: number | null; header: string | null; regex?: RegExp };
export type ResolvedColumns = Partial<Record<string, ResolvedField>>;

function findColumn(header: string[], ref: string | number): number {
  if (typeof ref === 'number') return ref <= header.length ? ref - 1 : -1;
  return header.findIndex((h) => h.trim().toLowerCase() === ref.toLowerCase());
}

/**
 * Finds each field's column (or derived rule) in the header row; errors name the mapping field.
 * `strict`: refuse header-name matches below HIGH_CONFIDENCE (an import); a preview shows them.
 */
export function resolveColumns(
  header: string[],
  mapping: Mapping,
  strict = true,
): { columns: ResolvedColumns; errors: FieldError[]; suggestions: Suggestion[] } {
  const columns: ResolvedColumns = {};
  const errors: FieldError[] = [];
  const found = header.map((h) => `"${h}"`).join(', ');
  const shown = (ref: string | number) => (typeof ref === 'number' ? `#${ref}` : `"${ref}"`);
  const derived = mapping.derived ?? {};
  for (const [field, rule] of Object.entries(derived)) {
    if ('constant' in rule) {
      columns[field] = { kind: 'derived', rule, index: null, header: null };
      continue;
    }
    const index = findColumn(header, rule.column);
    if (index < 0) {
      errors.push({
        path: `mapping.derived.${field}.column`,
        code: 'column_not_found',
        message: `${field}: column ${shown(rule.column)} is not in the header row (found ${found})`,
      });
      continue;
    }
    const regex = 'pattern' in rule ? new RegExp(rule.pattern, 'u') : undefined;
    columns[field] = {
      kind: 'derived',
      rule,
      index,
      header: header[index] ?? '',
      ...(regex ? { regex } : {}),
    };
  }
  const suggestions = suggestColumns(header, mapping.target, Object.keys(derived));
  if (mapping.columns) {
    for (const field of TARGET_FIELDS[mapping.target]) {
      const ref = mapping.columns[field];
      if (ref === undefined) continue;
      const index = findColumn(header, ref);
      if (index < 0)
        errors.push({
          path: `mapping.columns.${field}`,
          code: 'column_not_found',
          message: `${field}: column ${shown(ref)} is not in the header row (found ${found})`,
        });
      else columns[field] = { kind: 'column', index, header: header[index] ?? '', by: 'mapping' };
    }
    for (const field of missingRequiredFields(mapping))
      errors.push({
        path: `mapping.columns.${field}`,
        code: 'required',
        message: `${field} is required: name its column (or derive it)`,
      });
    return { columns, errors, suggestions };
  }
  const weak: FieldError[] = [];
  for (const s of suggestions) {
    columns[s.field] = {
      kind: 'column',
      index: s.column - 1,
      header: s.source,
      by: 'header_name',
      confidence: s.confidence,
    };
    if (s.confidence < HIGH_CONFIDENCE)
      weak.push({
        path: `mapping.columns.${s.field}`,
        code: 'low_confidence_match',
        message: `${s.field}: column "${s.source}" matches only by ${s.rule.replaceAll('_', ' ')} (confidence ${s.confidence.toFixed(2)} < ${HIGH_CONFIDENCE}); nothing is imported on a guess: give mapping.columns (POST .../imports/preview shows the suggestions)`,
      });
  }
  for (const field of REQUIRED_FIELDS[mapping.target]) {
    if (!columns[field])
      errors.push({
        path: `mapping.columns.${field}`,
        code: 'column_not_found',
        message: `${field}: no column named like "${field}" in the header row (found ${found}); give a mapping`,
      });
  }
  if (strict) errors.push(...weak);
  return { columns, errors, suggestions };
}

/** The text of a cell as the row reader sees it. */
export function cellText(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? '' : cell.toISOString().slice(0, 10);
  return String(cell).trim();
}

/** A field's raw value in a row: the cell, or the derived rule applied to its source cell. */
export function fieldValue(columns: ResolvedColumns, field: string, cells: Cell[]): Cell | undefined {
  const c = columns[field];
  if (!c) return undefined;
  if (c.kind === 'column') return cells[c.index];
  const rule = c.rule;
  if ('constant' in rule) return rule.constant;
  const text = cellText(c.index === null ? undefined : cells[c.index]);
  if ('pattern' in rule) {
    const m = c.regex!.exec(text);
    if (!m) return '';
    return m[rule.group ?? (m.length > 1 ? 1 : 0)] ?? '';
  }
  const chars = Array.from(text);
  return chars.slice(rule.start, rule.length === undefined ? undefined : rule.start + rule.length).join('');
}

/** The report's description of where a field came from. */
export function describeField(c: ResolvedField | undefined) {
  if (!c) return { source: null };
  if (c.kind === 'column') return { source: c.header, column: c.index + 1, matched_by: c.by };
  return {
    source: c.header,
    column: c.index === null ? null : c.index + 1,
    matched_by: 'derived' as const,
    rule: c.rule,
  };
}
