/**
 * Durable job records (the queue only dispatches). `tenant_id` leads every key; RLS is in
 * `migrations/0003_planning_rls.sql`.
 */
import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { JOB_STATUSES } from '../../shared/enums.ts';
import { tstz } from './columns.ts';

export const jobStatusEnum = pgEnum('bf_job_status', JOB_STATUSES);

/** Durable record of a background job; the queue (BullMQ or in-process) only dispatches. */
export const jobs = pgTable(
  'jobs',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    type: varchar('type', { length: 50 }).notNull(),
    status: jobStatusEnum('status').notNull().default('queued'),
    progress: smallint('progress').notNull().default(0),
    attempts: integer('attempts').notNull().default(0),
    // The first run plus 3 retries (the guide's Celery task: max_retries 3, 60 s x 2^retries).
    maxAttempts: integer('max_attempts').notNull().default(4),
    payload: jsonb('payload').notNull().default({}),
    result: jsonb('result'),
    error: text('error'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    createdBy: varchar('created_by', { length: 255 }).notNull(),
    startedAt: tstz('started_at'),
    finishedAt: tstz('finished_at'),
    // One entry per attempt, oldest first (JobAttempt in src/platform/queue/jobs.repository.ts).
    attemptHistory: jsonb('attempt_history').notNull().default([]),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('jobs_status_idx').on(t.tenantId, t.status, t.createdAt),
    check('jobs_progress_range', sql`${t.progress} >= 0 AND ${t.progress} <= 100`),
  ],
);
