/**
 * The public surface of the recommendations module. Other modules, src/app, src/cli, the benches and test/
 * import it only through this file, its zod schemas too (biome.json, noRestrictedImports;
 * docs/architecture.md, module boundaries).
 */

export { recommendationsModule } from './recommendations.module.ts';
export { Narrator } from './recommendations.narrative.ts';
export { RECOMMENDATIONS_JOB, RecommendationService } from './recommendations.service.ts';
