/**
 * Idempotency keys (`Idempotency-Key` on POST): one row per tenant and key, holding the request's
 * fingerprint and, once the request finished, the response replayed to retries. RLS is in
 * `migrations/0015_idempotency.sql`; rows older than IDEMPOTENCY_TTL_HOURS are ignored and purged.
 */
import { index, pgTable, primaryKey, smallint, text, uuid, varchar } from 'drizzle-orm/pg-core';
import { tstz } from './columns.ts';

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    tenantId: uuid('tenant_id').notNull(),
    key: varchar('key', { length: 255 }).notNull(),
    userId: varchar('user_id', { length: 255 }).notNull(),
    // sha256 of method, route, path, query and body.
    fingerprint: varchar('fingerprint', { length: 64 }).notNull(),
    method: varchar('method', { length: 10 }).notNull(),
    path: varchar('path', { length: 2048 }).notNull(),
    // Null while the first request runs.
    status: smallint('status'),
    responseType: varchar('response_type', { length: 255 }),
    responseLocation: varchar('response_location', { length: 2048 }),
    responseBody: text('response_body'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    completedAt: tstz('completed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.key] }),
    index('idempotency_keys_created').on(t.tenantId, t.createdAt),
  ],
);
