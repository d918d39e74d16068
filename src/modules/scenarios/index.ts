/**
 * The public surface of the scenarios module. Other modules, src/app, src/cli, the benches and test/
 * import it only through this file, its zod schemas too (biome.json, noRestrictedImports;
 * docs/architecture.md, module boundaries).
 */

export { scenariosModule } from './scenarios.module.ts';
export type { Adjustment } from './scenarios.schema.ts';
export { scenarioCreateSchema } from './scenarios.schema.ts';
export { ScenarioService } from './scenarios.service.ts';
