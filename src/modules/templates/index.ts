/**
 * The public surface of the templates module. Other modules, src/app, src/cli, the benches and test/
 * import it only through this file, its zod schemas too (biome.json, noRestrictedImports;
 * docs/architecture.md, module boundaries).
 */

export { templatesModule } from './templates.module.ts';
export { budgetFromTemplateSchema, templateCreateSchema, templateUpdateSchema } from './templates.schema.ts';
export { TemplateService } from './templates.service.ts';
