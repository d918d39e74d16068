/** The budgets module: budget CRUD; offers BudgetService (create-with-lines) and the budget cache. */
import type { ModuleContext, ModuleDefinition } from '../../platform/module.ts';
import { budgetRoutes } from './budgets.routes.ts';
import { BudgetService } from './budgets.service.ts';

export function budgetsModule({ deps }: ModuleContext): ModuleDefinition<{ budgets: BudgetService }> {
  const budgets = new BudgetService(deps);
  return { name: 'budgets', services: { budgets }, routes: (api, auth) => budgetRoutes(api, auth, budgets) };
}
