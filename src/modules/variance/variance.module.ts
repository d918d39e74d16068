/** The variance module: budget against actuals, inline or as a job; offers VarianceService. */
import type { ModuleContext, ModuleDefinition } from '../../platform/module.ts';
import { varianceJobs } from './variance.jobs.ts';
import { varianceRoutes } from './variance.routes.ts';
import { VarianceService } from './variance.service.ts';

export function varianceModule({
  platform,
  deps,
}: ModuleContext): ModuleDefinition<{ variance: VarianceService }> {
  const variance = new VarianceService(deps, platform.queue);
  return {
    name: 'variance',
    services: { variance },
    routes: (api, auth) => varianceRoutes(api, auth, variance),
    jobs: varianceJobs(variance),
  };
}
