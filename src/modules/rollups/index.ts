/**
 * The public surface of the rollups module (budgets and variance along dimension trees;
 * docs/dimensions.md). Other modules, src/app, src/cli, the benches and test/ import it only
 * through this file (biome.json, noRestrictedImports; docs/architecture.md, module boundaries).
 */
export { rollupsModule } from './rollups.module.ts';
export { RollupService } from './rollups.service.ts';
