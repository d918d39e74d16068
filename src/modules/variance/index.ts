/**
 * The public surface of the variance module. Other modules, src/app, src/cli, the benches and test/
 * import it only through this file, its zod schemas too (biome.json, noRestrictedImports;
 * docs/architecture.md, module boundaries).
 */

export { varianceModule } from './variance.module.ts';
export { budgetMonths } from './variance.repository.ts';
export type { VarianceGrouping, VarianceQuery, VarianceResult } from './variance.schema.ts';
export { varianceParams, varianceQuery } from './variance.schema.ts';
export { VarianceService } from './variance.service.ts';
