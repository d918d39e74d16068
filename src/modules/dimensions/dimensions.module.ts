/** The dimensions module: tenant trees of departments, cost centres, GL accounts and funds. */
import type { ModuleContext, ModuleDefinition } from '../../platform/module.ts';
import { dimensionRoutes } from './dimensions.routes.ts';
import { DimensionService } from './dimensions.service.ts';

export function dimensionsModule({
  deps,
  platform,
}: ModuleContext): ModuleDefinition<{ dimensions: DimensionService }> {
  const dimensions = new DimensionService(deps.db, deps.cache, platform.pubsub);
  return {
    name: 'dimensions',
    services: { dimensions },
    routes: (api, auth) => dimensionRoutes(api, auth, dimensions, deps.config.BODY_LIMIT_BYTES),
  };
}
