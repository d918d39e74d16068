/**
 * The transactional outbox of domain events (docs/events.md): one row per event, written in the
 * same transaction as the change it announces (`emit` in src/platform/events/outbox.ts). The
 * relay publishes unpublished rows to RabbitMQ and sets `published_at`; `GET /events` lists
 * them per tenant. RLS and grants are in `migrations/0016_outbox_events.sql`: the application
 * role may read and insert, only the owner (the relay) updates.
 */
import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { tstz } from './columns.ts';

export const outboxEvents = pgTable(
  'outbox_events',
  {
    tenantId: uuid('tenant_id').notNull(),
    // UUIDv7, generated in code: the stable event id consumers de-duplicate by; time-ordered.
    id: uuid('id').notNull(),
    type: varchar('type', { length: 100 }).notNull(),
    // Schema version of the event type (docs/events.md).
    version: smallint('version').notNull(),
    occurredAt: tstz('occurred_at').notNull().defaultNow(),
    actorId: varchar('actor_id', { length: 255 }).notNull(),
    subjectType: varchar('subject_type', { length: 50 }).notNull(),
    subjectId: uuid('subject_id').notNull(),
    // The whole envelope as published (id, type, version, tenant_id, occurred_at, actor, subject, data).
    payload: jsonb('payload').notNull(),
    publishedAt: tstz('published_at'),
    // A relay that claimed the row holds it until then (a crashed relay's rows return after it).
    leaseUntil: tstz('lease_until'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    // Set by emitters that may run twice for one fact (a retried job): the second write of the
    // same key is dropped (ON CONFLICT DO NOTHING), so the event is emitted once. NULLs never clash.
    dedupeKey: varchar('dedupe_key', { length: 200 }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('outbox_events_type').on(t.tenantId, t.type, t.id),
    index('outbox_events_subject').on(t.tenantId, t.subjectId, t.id),
    // The relay's work list: small, since published rows leave it.
    uniqueIndex('outbox_events_dedupe_uq').on(t.tenantId, t.dedupeKey),
    index('outbox_events_unpublished').on(t.occurredAt).where(sql`${t.publishedAt} IS NULL`),
  ],
);
