/** FX rates: bulk upsert, list, delete, CSV import (all or nothing), and conversion showing the rate used. */
import type { Db } from '../../platform/db/client.ts';
import { type FieldError, fieldError, NotFoundError } from '../../platform/http/errors.ts';
import { zodFieldErrors } from '../../platform/http/zod-errors.ts';
import { type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import {
  type ByteSource,
  csvRows,
  ImportRejectedError,
  MAX_REPORTED_ERRORS,
  type SourceInfo,
} from '../actuals/index.ts';
import { recordAudit } from '../audit/index.ts';
import { convertOne, deleteRate, listRates, type RateRow, upsertRates } from './fx.repository.ts';
import { type RateInput, type RatesQuery, rateInput } from './fx.schema.ts';
import { fxRateMissing } from './fx.sql.ts';

const MAX_CSV_ROWS = 100_000;
const UPSERT_CHUNK = 5_000;
// CSV header names, compared lower-case without punctuation.
// A Map: header text is the client's, and a "constructor" column must not read the prototype.
const CSV_COLUMNS: ReadonlyMap<string, keyof RateInput> = new Map([
  ['period', 'period'],
  ['month', 'period'],
  ['from', 'from'],
  ['fromcurrency', 'from'],
  ['to', 'to'],
  ['tocurrency', 'to'],
  ['rate', 'rate'],
  ['source', 'source'],
]);

/** A rate as the API returns it. */
export function presentRate(r: RateRow) {
  return {
    period: r.period,
    from: r.from_currency,
    to: r.to_currency,
    rate: r.rate,
    source: r.source,
    created_at: new Date(r.created_at).toISOString(),
    created_by: r.created_by,
  };
}

export class FxService {
  constructor(private readonly db: Db) {}

  /** Inserts or replaces rates, all in one transaction. */
  async put(ctx: TenantContext, rates: RateInput[]): Promise<{ upserted: number }> {
    await withTenant(this.db, ctx, async (tx) => {
      for (let i = 0; i < rates.length; i += UPSERT_CHUNK)
        await upsertRates(tx, ctx.tenantId, ctx.userId, rates.slice(i, i + UPSERT_CHUNK));
      await recordAudit(tx, ctx, {
        action: 'upsert',
        entityType: 'fx_rates',
        after: { count: rates.length },
      });
    });
    return { upserted: rates.length };
  }

  /** Rates newest month first. */
  async list(ctx: TenantContext, q: RatesQuery) {
    let after: [string, string, string] | undefined;
    if (q.cursor !== undefined) {
      const parts = Buffer.from(q.cursor, 'base64url').toString('utf8').split('|');
      if (parts.length !== 3 || !/^\d{4}-\d{2}-\d{2}$/.test(parts[0]!))
        throw fieldError('query.cursor', 'invalid_cursor', 'cursor is not one this API returned');
      after = parts as [string, string, string];
    }
    const rows = await withTenant(this.db, ctx, (tx) => listRates(tx, q, q.limit, after));
    const items = rows.slice(0, q.limit);
    const last = items.at(-1);
    const next =
      rows.length > q.limit && last
        ? Buffer.from(`${last.period}|${last.from_currency}|${last.to_currency}`).toString('base64url')
        : null;
    return { items: items.map(presentRate), next_cursor: next };
  }

  /** Deletes one rate (404 when there is none, also another tenant's). */
  async remove(ctx: TenantContext, period: string, from: string, to: string): Promise<void> {
    await withTenant(this.db, ctx, async (tx) => {
      if (!(await deleteRate(tx, period, from, to)))
        throw new NotFoundError('FX rate', `${from}→${to} ${period.slice(0, 7)}`, 'query');
      await recordAudit(tx, ctx, { action: 'delete', entityType: 'fx_rate', before: { period, from, to } });
    });
  }

  /** Imports rates from CSV (period, from, to, rate[, source]); a bad row stores nothing. */
  async importCsv(ctx: TenantContext, bytes: ByteSource): Promise<{ upserted: number }> {
    const info: SourceInfo = { format: 'csv' };
    const rates: RateInput[] = [];
    const errors: FieldError[] = [];
    let errorCount = 0;
    let columns: (keyof RateInput | undefined)[] | undefined;
    let dataRows = 0;
    for await (const row of csvRows(bytes, {}, info)) {
      if (!columns) {
        columns = row.cells.map((c) =>
          CSV_COLUMNS.get(
            String(c ?? '')
              .toLowerCase()
              .replace(/[^a-z]/g, ''),
          ),
        );
        const missing = (['period', 'from', 'to', 'rate'] as const).filter((c) => !columns!.includes(c));
        if (missing.length)
          throw new ImportRejectedError(
            [
              {
                path: 'file',
                code: 'column_not_found',
                message: `the header row lacks ${missing.join(', ')}`,
              },
            ],
            1,
            0,
          );
        continue;
      }
      if (row.cells.every((c) => String(c ?? '').trim() === '')) continue;
      if (++dataRows > MAX_CSV_ROWS)
        throw new ImportRejectedError(
          [
            {
              path: `rows.${row.rowNumber}`,
              code: 'too_many_rows',
              message: `row ${row.rowNumber}: at most ${MAX_CSV_ROWS} rates per file`,
            },
          ],
          1,
          dataRows,
        );
      const raw: Record<string, string> = {};
      columns.forEach((field, i) => {
        const v = String(row.cells[i] ?? '').trim();
        if (field && v !== '') raw[field] = field === 'from' || field === 'to' ? v.toUpperCase() : v;
      });
      const parsed = rateInput.safeParse(raw);
      if (parsed.success) rates.push(parsed.data);
      else
        for (const e of zodFieldErrors(parsed.error, `rows.${row.rowNumber}`)) {
          errorCount++;
          if (errors.length < MAX_REPORTED_ERRORS)
            errors.push({ ...e, message: `row ${row.rowNumber}: ${e.path.split('.').at(-1)}: ${e.message}` });
        }
    }
    if (!columns)
      throw new ImportRejectedError(
        [{ path: 'file', code: 'empty_file', message: 'the file has no header row' }],
        1,
        0,
      );
    if (errorCount > 0) throw new ImportRejectedError(errors, errorCount, dataRows);
    return this.put(ctx, rates);
  }

  /** Converts one amount by the documented rule, showing the rate used; 422 naming pair and period when none applies. */
  async convert(ctx: TenantContext, q: { amount: string; from: string; to: string; period: string }) {
    const row = await withTenant(this.db, ctx, (tx) => convertOne(tx, q.amount, q.from, q.to, q.period));
    if (!row?.rate || !row.converted) throw fxRateMissing(q.from, q.to, q.period.slice(0, 7));
    return {
      amount: q.amount,
      from: q.from,
      to: q.to,
      period: q.period,
      converted_amount: row.converted,
      rate: row.rate,
      rate_period: row.rate_period,
      rate_inverted: row.rate_inverted ?? false,
    };
  }
}
