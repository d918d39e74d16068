/**
 * A dimension's members from CSV (columns code, name, parent_code, account_type[, sort_order]):
 * every row is read and validated before anything is written; errors name the row, the column
 * and the rule (`rows.<file row>.<column>`), and every failed row is counted.
 */
import { z } from 'zod';
import type { FieldError } from '../../platform/http/errors.ts';
import { zodFieldErrors } from '../../platform/http/zod-errors.ts';
import {
  type ByteSource,
  cellText,
  csvRows,
  ImportRejectedError,
  RowErrors,
  UnreadableFileError,
} from '../imports/index.ts';
import { type Dimension, type MemberInput, memberCode, memberFields } from './dimensions.schema.ts';

/** Rows per file (a chart of accounts of a large organisation fits many times over). */
export const MAX_MEMBER_ROWS = 100_000;

// Header names, compared lower-case without punctuation. A Map: header text is the client's.
const COLUMNS: ReadonlyMap<string, keyof MemberInput> = new Map([
  ['code', 'code'],
  ['membercode', 'code'],
  ['name', 'name'],
  ['description', 'name'],
  ['parentcode', 'parent_code'],
  ['parent', 'parent_code'],
  ['accounttype', 'account_type'],
  ['type', 'account_type'],
  ['sortorder', 'sort_order'],
  ['order', 'sort_order'],
]);

const rowSchema = z.strictObject({ code: memberCode(), ...memberFields });

/** One member read from the file, with its file row. */
export interface MemberFileRow extends MemberInput {
  row: number;
}

const reject = (path: string, code: string, message: string) =>
  new ImportRejectedError([{ path, code, message }], 1, 0);

/**
 * Reads and checks every row of a members file (per-row rules, the dimension's account-type
 * rule, duplicate codes); throws ImportRejectedError (422) counting every failed row.
 */
export async function readMembersFile(dimension: Dimension, bytes: ByteSource): Promise<MemberFileRow[]> {
  let columns: (keyof MemberInput | undefined)[] | undefined;
  const errors = new RowErrors();
  const out: MemberFileRow[] = [];
  const seen = new Map<string, number>();
  let dataRows = 0;
  try {
    for await (const row of csvRows(bytes, {}, { format: 'csv' })) {
      if (!columns) {
        columns = row.cells.map((c) =>
          COLUMNS.get(
            cellText(c)
              .toLowerCase()
              .replace(/[^a-z]/g, ''),
          ),
        );
        const missing = (['code', 'name'] as const).filter((c) => !columns!.includes(c));
        if (missing.length)
          throw reject('file', 'column_not_found', `the header row lacks ${missing.join(', ')}`);
        continue;
      }
      if (row.cells.every((c) => cellText(c) === '')) continue;
      if (++dataRows > MAX_MEMBER_ROWS)
        throw reject(`rows.${row.rowNumber}`, 'too_many_rows', `at most ${MAX_MEMBER_ROWS} members per file`);
      const n = row.rowNumber;
      const raw: Record<string, unknown> = {};
      columns.forEach((field, i) => {
        const v = cellText(row.cells[i]).trim();
        if (!field || v === '') return;
        if (field === 'sort_order') raw[field] = /^-?\d+$/.test(v) ? Number(v) : v;
        else raw[field] = field === 'account_type' ? v.toLowerCase() : v;
      });
      const rowErrors: FieldError[] = [];
      const parsed = rowSchema.safeParse(raw);
      if (!parsed.success)
        for (const e of zodFieldErrors(parsed.error, `rows.${n}`))
          rowErrors.push({ ...e, message: `row ${n}: ${e.path.split('.').at(-1)}: ${e.message}` });
      const value = parsed.success ? parsed.data : undefined;
      if (value) {
        const typeError = accountTypeError(dimension, value.account_type ?? null);
        if (typeError)
          rowErrors.push({
            path: `rows.${n}.account_type`,
            code: typeError.code,
            message: `row ${n}: ${typeError.message}`,
          });
        const first = seen.get(value.code);
        if (first !== undefined)
          rowErrors.push({
            path: `rows.${n}.code`,
            code: 'duplicate_code',
            message: `row ${n}: code "${value.code}" is also on row ${first}`,
          });
        else seen.set(value.code, n);
        if (value.parent_code === value.code)
          rowErrors.push({
            path: `rows.${n}.parent_code`,
            code: 'dimension_cycle',
            message: `row ${n}: a member cannot be its own parent`,
          });
      }
      if (rowErrors.length) errors.add(n, rowErrors);
      else if (value) out.push({ row: n, ...value, parent_code: value.parent_code ?? null });
    }
  } catch (error) {
    if (error instanceof UnreadableFileError) throw reject('file', 'unreadable_file', error.message);
    throw error;
  }
  if (!columns) throw reject('file', 'empty_file', 'the file has no header row');
  errors.throwIfAny(dataRows);
  if (dataRows === 0) throw reject('rows.2', 'no_rows', 'the file has a header but no member rows');
  return out;
}

/** The account-type rule: required for gl_account members, absent for the other dimensions. */
export function accountTypeError(
  dimension: Dimension,
  accountType: string | null,
): { code: string; message: string } | undefined {
  if (dimension === 'gl_account' && !accountType)
    return {
      code: 'required',
      message: 'account_type is required for gl_account members (revenue, expense, asset, liability, equity)',
    };
  if (dimension !== 'gl_account' && accountType)
    return { code: 'not_allowed', message: `account_type is only for gl_account members, not ${dimension}` };
  return undefined;
}
