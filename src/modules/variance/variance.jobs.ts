/** The background job of variance reports: same computation, result stored in the job record. */
import { AppError } from '../../platform/http/errors.ts';
import { type JobQueue, PermanentJobError } from '../../platform/queue/queue.ts';
import { VARIANCE_JOB, type VarianceJobPayload, type VarianceService } from './variance.service.ts';

/** Registers the variance job handler on the queue. */
export function registerVarianceJobs(queue: JobQueue, variance: VarianceService): void {
  queue.register<VarianceJobPayload>(VARIANCE_JOB, async (run) => {
    await run.progress(5);
    try {
      return await variance.compute(run.tenantId, run.payload.budget_id, run.payload.query);
    } catch (error) {
      // A missing budget, period or FX rate does not fix itself by retrying.
      if (error instanceof AppError && error.status < 500)
        throw new PermanentJobError(`${error.code}: ${error.message}`);
      throw error;
    }
  });
}
