/**
 * Exchange rates by month. `tenant_id` leads every key; RLS is in
 * `migrations/0003_planning_rls.sql`.
 */
import { sql } from 'drizzle-orm';
import { check, date, numeric, pgTable, primaryKey, uuid, varchar } from 'drizzle-orm/pg-core';
import { tstz } from './columns.ts';

/** Exchange rate for a month: 1 unit of from_currency = rate units of to_currency. */
export const fxRates = pgTable(
  'fx_rates',
  {
    tenantId: uuid('tenant_id').notNull(),
    period: date('period', { mode: 'string' }).notNull(),
    fromCurrency: varchar('from_currency', { length: 3 }).notNull(),
    toCurrency: varchar('to_currency', { length: 3 }).notNull(),
    rate: numeric('rate', { precision: 20, scale: 10 }).notNull(),
    source: varchar('source', { length: 100 }),
    createdAt: tstz('created_at').notNull().defaultNow(),
    createdBy: varchar('created_by', { length: 255 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.period, t.fromCurrency, t.toCurrency] }),
    check('fx_rates_rate_positive', sql`${t.rate} > 0`),
    check('fx_rates_period_first_day', sql`extract(day from ${t.period}) = 1`),
  ],
);
