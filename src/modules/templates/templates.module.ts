/** The templates module: budget templates and budgets made from them. */
import type { ModuleContext, ModuleDefinition } from '../../platform/module.ts';
import type { BudgetService } from '../budgets/index.ts';
import { templateRoutes } from './templates.routes.ts';
import { TemplateService } from './templates.service.ts';

export function templatesModule(
  { deps }: ModuleContext,
  budgets: BudgetService,
): ModuleDefinition<{ templates: TemplateService }> {
  const templates = new TemplateService(deps, budgets);
  return {
    name: 'templates',
    services: { templates },
    routes: (api, auth) => templateRoutes(api, auth, templates),
  };
}
