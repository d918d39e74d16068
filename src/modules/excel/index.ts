/**
 * The public surface of the excel module. Other modules, src/app, src/cli, the benches and test/
 * import it only through this file, its zod schemas too (biome.json, noRestrictedImports;
 * docs/architecture.md, module boundaries).
 */

export { excelModule } from './excel.module.ts';
export { ExcelService } from './excel.service.ts';
