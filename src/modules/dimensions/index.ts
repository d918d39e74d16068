/**
 * The public surface of the dimensions module (tenant trees of departments, cost centres, GL
 * accounts and funds; docs/dimensions.md). Other modules, src/app, src/cli, the benches and test/
 * import it only through this file, its zod schemas too (biome.json, noRestrictedImports;
 * docs/architecture.md, module boundaries).
 */
export { dimensionsModule } from './dimensions.module.ts';
export {
  checkActualMembers,
  checkLineMembers,
  type LineCodes,
  type MemberCheckOptions,
} from './dimensions.references.ts';
export { listMembers, type MemberRow } from './dimensions.repository.ts';
export { DIMENSIONS, type Dimension, dimensionParam, type MemberView } from './dimensions.schema.ts';
export { DimensionService } from './dimensions.service.ts';
