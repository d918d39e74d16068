/** The workflow module: submit, approve, reject, reopen a budget (four eyes). */
import type { ModuleContext, ModuleDefinition } from '../../platform/module.ts';
import type { BudgetCache } from '../budgets/index.ts';
import { workflowRoutes } from './workflow.routes.ts';
import { WorkflowService } from './workflow.service.ts';

export function workflowModule(
  { deps }: ModuleContext,
  cache: BudgetCache,
): ModuleDefinition<{ workflow: WorkflowService }> {
  const workflow = new WorkflowService(deps, cache);
  return {
    name: 'workflow',
    services: { workflow },
    routes: (api, auth) => workflowRoutes(api, auth, workflow),
  };
}
