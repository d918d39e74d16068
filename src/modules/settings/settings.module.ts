/** The settings module: the tenant's settings (fiscal year start, ...). */
import type { ModuleContext, ModuleDefinition } from '../../platform/module.ts';
import { settingsRoutes } from './settings.routes.ts';
import { SettingsService } from './settings.service.ts';

export function settingsModule({ deps }: ModuleContext): ModuleDefinition<{ settings: SettingsService }> {
  const settings = new SettingsService(deps.db);
  return {
    name: 'settings',
    services: { settings },
    routes: (api, auth) => settingsRoutes(api, auth, settings),
  };
}
