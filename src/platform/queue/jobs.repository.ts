/** Durable job records (status, progress, result), readable over the API whatever queue ran them. */
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.ts';
import { jobs } from '../db/schema.ts';

export type JobRow = typeof jobs.$inferSelect;

/** One attempt of a job, as `jobs.attempt_history` keeps it (ISO timestamps). */
export interface JobAttempt {
  attempt: number;
  started_at: string;
  /** Null while running, and for an attempt whose process died (outcome `interrupted`). */
  finished_at: string | null;
  outcome: 'running' | 'completed' | 'retried' | 'failed' | 'interrupted';
  error: string | null;
}

/** How a state change touches the attempt history: start a new entry, or close the last one. */
export type AttemptChange =
  | { start: JobAttempt }
  | { finish: Pick<JobAttempt, 'outcome' | 'error' | 'finished_at'> };

/** Inserts a queued job. */
export async function insertJob(tx: Queryable, row: typeof jobs.$inferInsert): Promise<JobRow> {
  const [created] = await tx.insert(jobs).values(row).returning();
  return created!;
}

/** Removes a job that was never dispatched. */
export async function deleteJob(tx: Queryable, id: string): Promise<void> {
  await tx.delete(jobs).where(eq(jobs.id, id));
}

/** One job of the current tenant. */
export async function findJob(tx: Queryable, id: string): Promise<JobRow | undefined> {
  const [row] = await tx.select().from(jobs).where(eq(jobs.id, id));
  return row;
}

/** Jobs newest first (UUIDv7 ids are time-ordered). */
export function listJobs(tx: Queryable, limit: number, afterId?: string, type?: string) {
  return tx
    .select()
    .from(jobs)
    .where(and(afterId ? lt(jobs.id, afterId) : undefined, type ? eq(jobs.type, type) : undefined))
    .orderBy(desc(jobs.id))
    .limit(limit + 1);
}

/** Applies a state change to a job. */
export async function updateJob(
  tx: Queryable,
  id: string,
  patch: Partial<typeof jobs.$inferInsert>,
  attempt?: AttemptChange,
): Promise<void> {
  const history = jobs.attemptHistory;
  const change = !attempt
    ? {}
    : 'start' in attempt
      ? { attemptHistory: sql`${history} || jsonb_build_array(${JSON.stringify(attempt.start)}::jsonb)` }
      : {
          // Merged into the last entry (the attempt being closed); nothing to close: unchanged.
          attemptHistory: sql`CASE WHEN jsonb_array_length(${history}) = 0 THEN ${history}
            ELSE jsonb_set(${history}, ARRAY[(jsonb_array_length(${history}) - 1)::text],
                           (${history} -> -1) || ${JSON.stringify(attempt.finish)}::jsonb) END`,
        };
  await tx
    .update(jobs)
    .set({ ...patch, ...change })
    .where(eq(jobs.id, id));
}

/** Sets progress without going backwards. */
export async function setProgress(tx: Queryable, id: string, progress: number): Promise<void> {
  await tx
    .update(jobs)
    .set({ progress: sql`greatest(${jobs.progress}, ${progress})` })
    .where(eq(jobs.id, id));
}
