/**
 * The composition root of the domain: every module's `<domain>.module.ts` builds its services
 * and declares what it contributes (a ModuleDefinition, src/platform/module.ts); this file puts
 * them in one list and assembles it: job handlers onto the queue, change listeners onto the
 * change hooks, routes into the API scope (behind the module's feature switch). `bf serve`
 * (through buildApp) and `bf worker` (without HTTP) both start here, so a worker runs exactly
 * the job handlers the API process would.
 */

import { actualsModule } from '../modules/actuals/index.ts';
import { auditModule } from '../modules/audit/index.ts';
import { budgetAccess, budgetsModule } from '../modules/budgets/index.ts';
import { collaborationModule } from '../modules/collaboration/index.ts';
import { dimensionsModule } from '../modules/dimensions/index.ts';
import { eventsModule } from '../modules/events/index.ts';
import { excelModule } from '../modules/excel/index.ts';
import { forecastingModule } from '../modules/forecasting/index.ts';
import { fxModule } from '../modules/fx/index.ts';
import { jobsModule } from '../modules/jobs/index.ts';
import { linesModule } from '../modules/lines/index.ts';
import { recommendationsModule } from '../modules/recommendations/index.ts';
import { rollupsModule } from '../modules/rollups/index.ts';
import { scenariosModule } from '../modules/scenarios/index.ts';
import { settingsModule } from '../modules/settings/index.ts';
import { templatesModule } from '../modules/templates/index.ts';
import { usersModule } from '../modules/users/index.ts';
import { varianceModule } from '../modules/variance/index.ts';
import { workflowModule } from '../modules/workflow/index.ts';
import { createAuthenticator } from '../platform/auth/authenticate.ts';
import { ChangeHooks } from '../platform/events/change-hooks.ts';
import { featureJobs, registerFeature } from '../platform/features.ts';
import type { App } from '../platform/http/types.ts';
import type { ModuleContext, ModuleDefinition } from '../platform/module.ts';
import type { Platform } from '../platform/platform.ts';
import { applyModuleSettings } from './settings.ts';

export type Modules = ReturnType<typeof createModules>;

/** Builds every module, registers its job handlers and change listeners; mount() adds the routes. */
export function createModules(platform: Platform) {
  const { config, queue } = platform;
  applyModuleSettings(config);
  const changes = new ChangeHooks();
  const ctx: ModuleContext = {
    platform,
    deps: { db: platform.database.db, cache: platform.cache, config, changes },
  };

  // A module is built after the modules whose services it takes.
  const users = usersModule(ctx);
  const settings = settingsModule(ctx);
  const dimensions = dimensionsModule(ctx);
  const budgets = budgetsModule(ctx);
  const { budgets: budgetService } = budgets.services;
  const lines = linesModule(ctx, budgetAccess(budgetService.cache));
  const workflow = workflowModule(ctx, budgetService.cache);
  const templates = templatesModule(ctx, budgetService);
  const scenarios = scenariosModule(ctx, budgetService);
  const collaboration = collaborationModule(ctx, lines.services.lines);
  const forecasting = forecastingModule(ctx);
  const actuals = actualsModule(ctx);
  const fx = fxModule(ctx);
  const variance = varianceModule(ctx);
  const recommendations = recommendationsModule(
    ctx,
    variance.services.variance,
    scenarios.services.scenarios,
  );
  const rollups = rollupsModule(ctx, lines.services.periods, variance.services.variance);
  const excel = excelModule(ctx, budgetService.cache, variance.services.variance);

  const list: readonly ModuleDefinition[] = [
    users,
    budgets,
    lines,
    variance,
    excel,
    workflow,
    settings,
    templates,
    scenarios,
    recommendations,
    auditModule(ctx),
    eventsModule(ctx),
    jobsModule(ctx),
    forecasting,
    collaboration,
    actuals,
    fx,
    dimensions,
    rollups,
  ];
  for (const m of list) {
    // A switched-off module's jobs are still registered, to fail at once (not wait forever).
    const jobs = m.feature ? featureJobs(queue, config, m.feature) : queue;
    for (const [type, handler] of Object.entries(m.jobs ?? {})) jobs.register(type, handler);
    for (const listener of m.listeners ?? []) changes.add(listener);
  }

  const auth = createAuthenticator(platform.verifier, platform.tenants);
  return {
    services: {
      ...users.services,
      ...budgets.services,
      ...lines.services,
      ...collaboration.services,
      ...templates.services,
      ...scenarios.services,
      ...workflow.services,
      ...settings.services,
      ...forecasting.services,
      ...actuals.services,
      ...fx.services,
      ...variance.services,
      ...dimensions.services,
    },
    /** Every module's routes, under the API prefix (optional features behind their setting). */
    mount(api: App): void {
      for (const m of list) {
        const routes = m.routes;
        if (!routes) continue;
        if (m.feature) registerFeature(api, config, m.feature, (scope) => routes(scope, auth));
        else routes(api, auth);
      }
    },
    /** Stops what the modules own (the forecasting worker threads). */
    close: async () => {
      for (const m of list) await m.close?.();
    },
  };
}
