/** The recommendations module (RECOMMENDATIONS_ENABLED): ranked suggestions from variance and scenarios. */
import { FEATURES } from '../../platform/features.ts';
import type { ModuleContext, ModuleDefinition } from '../../platform/module.ts';
import type { ScenarioService } from '../scenarios/index.ts';
import type { VarianceService } from '../variance/index.ts';
import { recommendationJobs } from './recommendations.jobs.ts';
import { Narrator } from './recommendations.narrative.ts';
import { recommendationRoutes } from './recommendations.routes.ts';
import { RecommendationService } from './recommendations.service.ts';

export function recommendationsModule(
  { platform, deps }: ModuleContext,
  variance: VarianceService,
  scenarios: ScenarioService,
): ModuleDefinition<{ recommendations: RecommendationService }> {
  const narrator = new Narrator(deps.config);
  const recommendations = new RecommendationService(deps, variance, scenarios, platform.queue, narrator);
  return {
    name: 'recommendations',
    feature: FEATURES.recommendations,
    services: { recommendations },
    routes: (api, auth) => recommendationRoutes(api, auth, recommendations),
    jobs: recommendationJobs(recommendations),
  };
}
