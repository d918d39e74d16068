/**
 * The public surface of the budgets module. Other modules, src/app, src/cli, the benches and test/
 * import it only through this file, its zod schemas too (biome.json, noRestrictedImports;
 * docs/architecture.md, module boundaries).
 */
export { budgetAccess, mustFindBudget } from './budget-lookup.ts';
export type { BudgetCache } from './budgets.cache.ts';
export { budgetsModule } from './budgets.module.ts';
export { assertEditable } from './budgets.policy.ts';
export type { BudgetView } from './budgets.presenter.ts';
export { presentBudget } from './budgets.presenter.ts';
export type { BudgetRow, NewBudget } from './budgets.repository.ts';
export { findBudget, totalsFor, updateBudget } from './budgets.repository.ts';
export type { BudgetCreateInput } from './budgets.schema.ts';
export { budgetCreateSchema, budgetListQuery, budgetParams, budgetResponse } from './budgets.schema.ts';
export { BudgetService } from './budgets.service.ts';
