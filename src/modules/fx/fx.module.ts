/** The fx module: exchange rates (variance converts through them). */
import type { ModuleContext, ModuleDefinition } from '../../platform/module.ts';
import { fxRoutes } from './fx.routes.ts';
import { FxService } from './fx.service.ts';

export function fxModule({ deps }: ModuleContext): ModuleDefinition<{ fx: FxService }> {
  const fx = new FxService(deps.db);
  return {
    name: 'fx',
    services: { fx },
    routes: (api, auth) => fxRoutes(api, auth, fx, deps.config.BODY_LIMIT_BYTES),
  };
}
