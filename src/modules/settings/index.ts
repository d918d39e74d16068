/**
 * The public surface of the settings module. Other modules, src/app, src/cli, the benches and test/
 * import it only through this file, its zod schemas too (biome.json, noRestrictedImports;
 * docs/architecture.md, module boundaries).
 */

export { settingsModule } from './settings.module.ts';
export type { PlanningSettings } from './settings.repository.ts';
export { DEFAULT_PLANNING, fiscalYearStartMonth, planningSettings } from './settings.repository.ts';
export { SettingsService } from './settings.service.ts';
