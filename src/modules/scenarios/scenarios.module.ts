/** The scenarios module: what-if copies of a budget; offers ScenarioService (recommendations). */
import type { ModuleContext, ModuleDefinition } from '../../platform/module.ts';
import type { BudgetService } from '../budgets/index.ts';
import { scenarioRoutes } from './scenarios.routes.ts';
import { ScenarioService } from './scenarios.service.ts';

export function scenariosModule(
  { deps }: ModuleContext,
  budgets: BudgetService,
): ModuleDefinition<{ scenarios: ScenarioService }> {
  const scenarios = new ScenarioService(deps, budgets);
  return {
    name: 'scenarios',
    services: { scenarios },
    routes: (api, auth) => scenarioRoutes(api, auth, scenarios),
  };
}
