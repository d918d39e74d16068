/** The background job of recommendation generation: same engine, the bundle id in the job result. */
import { AppError } from '../../platform/http/errors.ts';
import type { JobHandlers } from '../../platform/module.ts';
import { type JobRun, PermanentJobError } from '../../platform/queue/queue.ts';
import {
  type GenerateJobPayload,
  RECOMMENDATIONS_JOB,
  type RecommendationService,
} from './recommendations.service.ts';

/** The generation job handler, by job type. */
export function recommendationJobs(service: RecommendationService): JobHandlers {
  return {
    [RECOMMENDATIONS_JOB]: async (run: JobRun<GenerateJobPayload>) => {
      await run.progress(5);
      try {
        const bundle = await service.compute(
          run.tenantId,
          run.userId,
          run.payload.budget_id,
          run.payload.input,
          run.jobId,
        );
        return { bundle_id: bundle.bundle_id, recommendation_count: bundle.recommendations.length };
      } catch (error) {
        // A missing budget does not come back by retrying.
        if (error instanceof AppError && error.status < 500)
          throw new PermanentJobError(`${error.code}: ${error.message}`);
        throw error;
      }
    },
  };
}
