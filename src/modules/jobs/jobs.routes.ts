/** GET /jobs and /jobs/:id: status, progress and result of background work. */
import { z } from 'zod';
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import type { Db } from '../../platform/db/client.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import { findJob, type JobAttempt, type JobRow, listJobs } from '../../platform/queue/jobs.repository.ts';
import { withTenant } from '../../platform/tenancy/tenancy.ts';
import { JOB_STATUSES } from '../../shared/enums.ts';
import { pageQuery, uuidParam } from '../../shared/validation.ts';

export const jobResponse = z.object({
  job_id: z.uuid(),
  type: z.string(),
  status: z.enum(JOB_STATUSES),
  progress: z.number().int().meta({ description: 'percent, 0-100' }),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  result: z.unknown(),
  error: z.string().nullable(),
  created_at: z.string(),
  created_by: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  attempt_history: z
    .array(
      z.object({
        attempt: z.number().int(),
        started_at: z.string(),
        finished_at: z.string().nullable(),
        outcome: z.enum(['running', 'completed', 'retried', 'failed', 'interrupted']),
        error: z.string().nullable(),
      }),
    )
    .meta({
      description: 'every attempt, oldest first; `interrupted`: its process died (finished_at unknown)',
    }),
});
// A named component of the OpenAPI document (and of the generated client types).
z.globalRegistry.add(jobResponse, { id: 'Job' });

/** A job as the API returns it. */
export function presentJob(j: JobRow) {
  return {
    job_id: j.id,
    type: j.type,
    status: j.status,
    progress: j.progress,
    attempts: j.attempts,
    max_attempts: j.maxAttempts,
    result: j.result,
    error: j.error,
    created_at: j.createdAt.toISOString(),
    created_by: j.createdBy,
    started_at: j.startedAt?.toISOString() ?? null,
    finished_at: j.finishedAt?.toISOString() ?? null,
    attempt_history: j.attemptHistory as JobAttempt[],
  };
}

/** Registers /jobs routes. */
export function jobRoutes(app: App, auth: Authenticator, db: Db): void {
  app.get(
    '/jobs/:id',
    {
      onRequest: auth.require('jobs:read'),
      schema: {
        tags: ['jobs'],
        summary: 'A background job: status (queued, running, completed, failed), progress, result or error',
        params: z.strictObject({ id: uuidParam }),
        response: { 200: jobResponse, ...errorResponses },
      },
    },
    async (req) => {
      const job = await withTenant(db, ctxOf(req), (tx) => findJob(tx, req.params.id));
      if (!job) throw new NotFoundError('Job', req.params.id);
      return presentJob(job);
    },
  );

  app.get(
    '/jobs',
    {
      onRequest: auth.require('jobs:read'),
      schema: {
        tags: ['jobs'],
        summary: "The tenant's jobs, newest first",
        querystring: z.strictObject({ type: z.string().max(50).optional(), ...pageQuery }),
        response: {
          200: z.object({ items: z.array(jobResponse), next_cursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const rows = await withTenant(db, ctxOf(req), (tx) =>
        listJobs(tx, req.query.limit, decodeCursor(req.query.cursor), req.query.type),
      );
      const page = pageOf(rows, req.query.limit);
      return { items: page.items.map(presentJob), next_cursor: page.nextCursor };
    },
  );
}
