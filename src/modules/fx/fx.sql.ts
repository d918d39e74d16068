/**
 * The conversion contract other modules rely on (docs/api.md "FX rates and currency conversion"):
 * an amount in currency X for month P converts to base B at the rate of the latest month <= P
 * among X->B and B->X (inverted, rounded to 10 places; the direct pair wins within a month);
 * the same currency is rate 1; no such month is an error naming the pair and the period.
 * Everything here is SQL so that callers aggregate in the database.
 */
import { type SQL, sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../platform/db/client.ts';
import { BusinessRuleError } from '../../platform/http/errors.ts';

/**
 * A LATERAL subquery giving `rate` (NULL when missing), `rate_period` (the month whose rate is used)
 * and `rate_inverted` for a currency, a period (DATE, first of month) and a base currency.
 * Use as: `LEFT JOIN LATERAL ${fxRateLateral(sql`a.currency`, sql`a.period`, base)} fx ON true`.
 */
export function fxRateLateral(currency: SQL, period: SQL, base: SQL): SQL {
  return sql`(
    SELECT r.rate, r.rate_period, r.rate_inverted FROM (
      SELECT 1::numeric AS rate, NULL::date AS rate_period, false AS rate_inverted, 0 AS pref, NULL::date AS sort_period
      WHERE ${currency} = ${base}
      UNION ALL
      SELECT f.rate, f.period, false, 1, f.period FROM fx_rates f
      WHERE ${currency} <> ${base} AND f.from_currency = ${currency} AND f.to_currency = ${base} AND f.period <= ${period}
      UNION ALL
      SELECT round(1 / f.rate, 10), f.period, true, 2, f.period FROM fx_rates f
      WHERE ${currency} <> ${base} AND f.from_currency = ${base} AND f.to_currency = ${currency} AND f.period <= ${period}
    ) r
    ORDER BY r.sort_period DESC NULLS FIRST, r.pref
    LIMIT 1
  )`;
}

/** The converted amount: round(amount x rate, 2), half away from zero, exact NUMERIC. */
export function fxConvertedAmount(amount: SQL, rate: SQL): SQL {
  return sql`round(${amount} * ${rate}, 2)`;
}

/** The (currency, period) pairs of `source` (a query selecting `currency, period`) with no usable rate. */
export function missingFxRates(tx: Queryable, source: SQL, base: string, limit = 10) {
  return queryRows<{ currency: string; period: string }>(
    tx,
    sql`SELECT s.currency, to_char(s.period, 'YYYY-MM') AS period
        FROM (SELECT DISTINCT src.currency, src.period FROM (${source}) src) s
        WHERE NOT EXISTS (SELECT 1 FROM ${fxRateLateral(sql`s.currency`, sql`s.period`, sql`${base}`)} fx)
        ORDER BY s.period, s.currency LIMIT ${limit}`,
  );
}

/** The 422 for a missing rate, naming the pair and the period. */
export function fxRateMissing(
  from: string,
  to: string,
  period: string,
  more: { currency: string; period: string }[] = [],
) {
  const others = more.length
    ? ` (also missing: ${more.map((m) => `${m.currency}→${to} ${m.period}`).join(', ')})`
    : '';
  return new BusinessRuleError(
    'fx_rate_missing',
    `no FX rate for ${from}→${to} in ${period} or any earlier month${others}`,
    'fx_rates',
    { from, to, period },
  );
}

/** Throws fx_rate_missing if any (currency, period) of `source` cannot be converted to `base`. */
export async function assertFxCoverage(tx: Queryable, source: SQL, base: string): Promise<void> {
  const missing = await missingFxRates(tx, source, base);
  const [first, ...rest] = missing;
  if (first) throw fxRateMissing(first.currency, base, first.period, rest);
}
