/** SQL of FX rates: bulk upsert, list, delete, and single conversions through the contract's lateral. */
import { type SQL, sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../platform/db/client.ts';
import type { RateInput } from './fx.schema.ts';
import { fxConvertedAmount, fxRateLateral } from './fx.sql.ts';

export interface RateRow {
  period: string;
  from_currency: string;
  to_currency: string;
  rate: string;
  source: string | null;
  created_at: Date | string;
  created_by: string;
}

/** Inserts or replaces rates in one statement. */
export async function upsertRates(
  tx: Queryable,
  tenantId: string,
  userId: string,
  rates: RateInput[],
): Promise<void> {
  const rows = rates.map((r) => ({
    period: r.period,
    from_currency: r.from,
    to_currency: r.to,
    rate: r.rate,
    source: r.source ?? null,
  }));
  await tx.execute(sql`
    INSERT INTO fx_rates (tenant_id, period, from_currency, to_currency, rate, source, created_by)
    SELECT ${tenantId}::uuid, r.period, r.from_currency, r.to_currency, r.rate, r.source, ${userId}
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      AS r(period date, from_currency varchar, to_currency varchar, rate numeric, source varchar)
    ON CONFLICT (tenant_id, period, from_currency, to_currency)
    DO UPDATE SET rate = excluded.rate, source = excluded.source, created_at = now(), created_by = excluded.created_by`);
}

export interface RatesFilter {
  period?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** Rates newest month first, then by pair; keyset after (period, from, to). */
export function listRates(tx: Queryable, f: RatesFilter, limit: number, after?: [string, string, string]) {
  const where: SQL[] = [sql`true`];
  if (f.period) where.push(sql`period = ${f.period}::date`);
  if (f.from) where.push(sql`from_currency = ${f.from}`);
  if (f.to) where.push(sql`to_currency = ${f.to}`);
  if (after)
    where.push(
      sql`(period < ${after[0]}::date OR (period = ${after[0]}::date AND (from_currency, to_currency) > (${after[1]}, ${after[2]})))`,
    );
  return queryRows<RateRow>(
    tx,
    sql`SELECT to_char(period, 'YYYY-MM-DD') AS period, from_currency, to_currency, rate::text AS rate, source, created_at, created_by
        FROM fx_rates WHERE ${sql.join(where, sql` AND `)}
        ORDER BY period DESC, from_currency, to_currency LIMIT ${limit + 1}`,
  );
}

/** Deletes one rate; false when there was none. */
export async function deleteRate(tx: Queryable, period: string, from: string, to: string): Promise<boolean> {
  const rows = await queryRows<{ period: string }>(
    tx,
    sql`DELETE FROM fx_rates WHERE period = ${period}::date AND from_currency = ${from} AND to_currency = ${to} RETURNING period`,
  );
  return rows.length > 0;
}

/** Converts one amount by the contract; rate is null when no rate applies. */
export async function convertOne(tx: Queryable, amount: string, from: string, to: string, period: string) {
  const [row] = await queryRows<{
    rate: string | null;
    rate_period: string | null;
    rate_inverted: boolean | null;
    converted: string | null;
  }>(
    tx,
    sql`SELECT fx.rate::text AS rate, to_char(fx.rate_period, 'YYYY-MM-DD') AS rate_period, fx.rate_inverted,
               ${fxConvertedAmount(sql`${amount}::numeric`, sql`fx.rate`)}::text AS converted
        FROM (SELECT 1) one LEFT JOIN LATERAL ${fxRateLateral(sql`${from}::varchar`, sql`${period}::date`, sql`${to}::varchar`)} fx ON true`,
  );
  return row;
}
