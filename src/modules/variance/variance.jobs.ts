/** The background job of variance reports: same computation, result stored in the job record. */
import { emit } from '../../platform/events/outbox.ts';
import { AppError } from '../../platform/http/errors.ts';
import type { JobHandlers } from '../../platform/module.ts';
import { type JobRun, PermanentJobError } from '../../platform/queue/queue.ts';
import { VARIANCE_JOB, type VarianceJobPayload, type VarianceService } from './variance.service.ts';

/** The variance job handler, by job type; each computed report emits `variance.computed` in its transaction. */
export function varianceJobs(variance: VarianceService): JobHandlers {
  return {
    [VARIANCE_JOB]: async (run: JobRun<VarianceJobPayload>) => {
      await run.progress(5);
      try {
        const ctx = { tenantId: run.tenantId, userId: run.userId };
        return await variance.compute(run, run.payload.budget_id, run.payload.query, async (tx, r) => {
          await emit(tx, ctx, {
            type: 'variance.computed',
            // One event per job, however many attempts commit this transaction.
            dedupeKey: `job:${run.jobId}`,
            subjectId: r.budget_id,
            data: {
              budget_id: r.budget_id,
              job_id: run.jobId,
              by: r.by,
              as_of: r.as_of,
              base_currency: r.base_currency,
              rows: r.rows.length,
            },
          });
        });
      } catch (error) {
        // A missing budget, period or FX rate does not fix itself by retrying.
        if (error instanceof AppError && error.status < 500)
          throw new PermanentJobError(`${error.code}: ${error.message}`);
        throw error;
      }
    },
  };
}
