/**
 * The composition root of the domain: builds every module's services over an opened platform,
 * registers their job handlers and change listeners, and mounts their routes. `bf serve`
 * (through buildApp) and `bf worker` (without HTTP) both start here, so a worker runs exactly
 * the job handlers the API process would.
 */

import { actualsRoutes } from '../modules/actuals/actuals.routes.ts';
import { MappingService } from '../modules/actuals/actuals.saved-mappings.ts';
import { ActualsService } from '../modules/actuals/actuals.service.ts';
import { auditRoutes } from '../modules/audit/audit.routes.ts';
import { budgetRoutes } from '../modules/budgets/budgets.routes.ts';
import { BudgetService } from '../modules/budgets/budgets.service.ts';
import { createCollaboration, registerCollaboration } from '../modules/collaboration/collaboration.module.ts';
import { excelRoutes } from '../modules/excel/excel.routes.ts';
import { ExcelService } from '../modules/excel/excel.service.ts';
import { createForecasting, registerForecasting } from '../modules/forecasting/forecasting.module.ts';
import { fxRoutes } from '../modules/fx/fx.routes.ts';
import { FxService } from '../modules/fx/fx.service.ts';
import { jobRoutes } from '../modules/jobs/jobs.routes.ts';
import { lineRoutes } from '../modules/lines/lines.routes.ts';
import { LineService } from '../modules/lines/lines.service.ts';
import { periodRoutes } from '../modules/periods/periods.routes.ts';
import { PeriodService } from '../modules/periods/periods.service.ts';
import { registerRecommendationJobs } from '../modules/recommendations/recommendations.jobs.ts';
import { Narrator } from '../modules/recommendations/recommendations.narrative.ts';
import { recommendationRoutes } from '../modules/recommendations/recommendations.routes.ts';
import { RecommendationService } from '../modules/recommendations/recommendations.service.ts';
import { scenarioRoutes } from '../modules/scenarios/scenarios.routes.ts';
import { ScenarioService } from '../modules/scenarios/scenarios.service.ts';
import { settingsRoutes } from '../modules/settings/settings.routes.ts';
import { SettingsService } from '../modules/settings/settings.service.ts';
import { templateRoutes } from '../modules/templates/templates.routes.ts';
import { TemplateService } from '../modules/templates/templates.service.ts';
import { userRoutes } from '../modules/users/users.routes.ts';
import { UserService } from '../modules/users/users.service.ts';
import { registerVarianceJobs } from '../modules/variance/variance.jobs.ts';
import { varianceRoutes } from '../modules/variance/variance.routes.ts';
import { VarianceService } from '../modules/variance/variance.service.ts';
import { workflowRoutes } from '../modules/workflow/workflow.routes.ts';
import { WorkflowService } from '../modules/workflow/workflow.service.ts';
import { createAuthenticator } from '../platform/auth/authenticate.ts';
import { ChangeHooks } from '../platform/events/change-hooks.ts';
import { FEATURES, featureJobs, registerFeature } from '../platform/features.ts';
import type { App } from '../platform/http/types.ts';
import type { Platform } from '../platform/platform.ts';
import { applyModuleSettings } from './settings.ts';

export type Modules = ReturnType<typeof createModules>;

/** Builds the services, job handlers and change listeners of every module. */
export function createModules(platform: Platform) {
  const { config, queue } = platform;
  const db = platform.database.db;
  applyModuleSettings(config);
  const changes = new ChangeHooks();
  const deps = { db, cache: platform.cache, config, changes };

  // Planning: budgets and what hangs off them.
  const budgets = new BudgetService(deps);
  const lines = new LineService(deps, budgets.cache);
  const periods = new PeriodService(deps, budgets.cache);
  const workflow = new WorkflowService(deps, budgets.cache);
  const templates = new TemplateService(deps, budgets);
  const scenarios = new ScenarioService(deps, budgets);
  const settings = new SettingsService(db);
  const users = new UserService(db, config, platform.jwtSecret, platform.tenants);
  // Listener: the collaboration feed on `changes` (every budget and line write reaches sockets).
  const collaboration = createCollaboration(platform, deps, lines);

  // Data in and analysis. Job handlers: training (createForecasting), import (ActualsService),
  // variance and recommendation reports (below).
  const forecasting = createForecasting(platform, deps);
  const actuals = new ActualsService(db, queue, config);
  const importMappings = new MappingService(db);
  const fx = new FxService(db);
  const variance = new VarianceService(deps, queue);
  registerVarianceJobs(queue, variance);
  const recommendations = new RecommendationService(deps, variance, scenarios, queue, new Narrator(config));
  registerRecommendationJobs(featureJobs(queue, config, FEATURES.recommendations), recommendations);
  const excel = new ExcelService(deps, lines, variance);

  const auth = createAuthenticator(platform.verifier, platform.tenants);
  return {
    services: {
      budgets,
      lines,
      collaboration,
      users,
      templates,
      scenarios,
      periods,
      workflow,
      settings,
      forecasting,
      actuals,
      importMappings,
      fx,
      variance,
    },
    /** Every module's routes, under the API prefix (optional features behind their setting). */
    mount(api: App): void {
      userRoutes(api, auth, users, config);
      budgetRoutes(api, auth, budgets);
      lineRoutes(api, auth, lines);
      varianceRoutes(api, auth, variance);
      excelRoutes(api, auth, excel, config.BODY_LIMIT_BYTES);
      periodRoutes(api, auth, periods);
      workflowRoutes(api, auth, workflow);
      settingsRoutes(api, auth, settings);
      templateRoutes(api, auth, templates);
      scenarioRoutes(api, auth, scenarios);
      registerFeature(api, config, FEATURES.recommendations, (s) =>
        recommendationRoutes(s, auth, recommendations),
      );
      auditRoutes(api, auth, db);
      jobRoutes(api, auth, db);
      registerFeature(api, config, FEATURES.forecasting, (s) => registerForecasting(s, auth, forecasting));
      registerFeature(api, config, FEATURES.collaboration, (s) =>
        registerCollaboration(s, auth, collaboration),
      );
      actualsRoutes(api, auth, actuals, importMappings);
      fxRoutes(api, auth, fx, config.BODY_LIMIT_BYTES);
    },
    /** Stops what the modules own (the forecasting worker threads). */
    close: () => forecasting.close(),
  };
}
