/** The actuals module: imports of actual figures (inline or as a job) and saved column mappings. */
import type { ModuleContext, ModuleDefinition } from '../../platform/module.ts';
import { actualsRoutes } from './actuals.routes.ts';
import { MappingService } from './actuals.saved-mappings.ts';
import { ActualsService, IMPORT_JOB } from './actuals.service.ts';

export function actualsModule({ platform, deps }: ModuleContext): ModuleDefinition<{
  actuals: ActualsService;
  importMappings: MappingService;
}> {
  const actuals = new ActualsService(deps.db, platform.queue, deps.config, platform.files);
  const importMappings = new MappingService(deps.db);
  return {
    name: 'actuals',
    services: { actuals, importMappings },
    routes: (api, auth) => actualsRoutes(api, auth, actuals, importMappings),
    jobs: { [IMPORT_JOB]: (run) => actuals.runJob(run) },
  };
}
