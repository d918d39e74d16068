/**
 * The public surface of the fx module. Other modules, src/app, src/cli, the benches and test/
 * import it only through this file, its zod schemas too (biome.json, noRestrictedImports;
 * docs/architecture.md, module boundaries).
 */

export { fxModule } from './fx.module.ts';
export { putRatesBody } from './fx.schema.ts';
export { FxService } from './fx.service.ts';
export { fxRateLateral, fxRateMissing } from './fx.sql.ts';
