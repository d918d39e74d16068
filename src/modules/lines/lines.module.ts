/**
 * The lines module: budget line CRUD, a line's periods and their spreading; offers LineService
 * (used by collaboration and excel) and PeriodService. It takes its budgets through the
 * BudgetAccess port (lines.budgets.ts), implemented by the budgets module.
 */
import type { ModuleContext, ModuleDefinition } from '../../platform/module.ts';
import { MappingService } from '../actuals/index.ts';
import type { BudgetAccess } from './lines.budgets.ts';
import { lineImportRoutes } from './lines.import-routes.ts';
import { lineRoutes } from './lines.routes.ts';
import { LineService } from './lines.service.ts';
import { periodRoutes } from './periods.routes.ts';
import { PeriodService } from './periods.service.ts';

export function linesModule(
  { deps }: ModuleContext,
  budgets: BudgetAccess,
): ModuleDefinition<{ lines: LineService; periods: PeriodService }> {
  const lines = new LineService(deps, budgets);
  const periods = new PeriodService(deps, budgets);
  const mappings = new MappingService(deps.db);
  return {
    name: 'lines',
    services: { lines, periods },
    routes: (api, auth) => {
      lineRoutes(api, auth, lines);
      periodRoutes(api, auth, periods);
      lineImportRoutes(api, auth, lines, mappings, deps.config);
    },
  };
}
