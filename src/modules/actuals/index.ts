/**
 * The public surface of the actuals module. Other modules, src/app, src/cli, the benches and test/
 * import it only through this file, its zod schemas too (biome.json, noRestrictedImports;
 * docs/architecture.md, module boundaries).
 */

export type { ByteSource, FileFormat, SourceInfo } from '../imports/index.ts';
export { csvRows, ImportRejectedError, MAX_REPORTED_ERRORS, mappingSchema } from '../imports/index.ts';
export { actualsModule } from './actuals.module.ts';
export type { BatchView } from './actuals.presenter.ts';
export { MappingService } from './actuals.saved-mappings.ts';
export {
  importQuery,
  mappingCreateSchema,
  previewQuery,
  suggestionOut,
  XLSX_TYPE,
} from './actuals.schema.ts';
export { ActualsService } from './actuals.service.ts';
