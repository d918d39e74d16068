/** The excel module: budget and variance workbooks out, budget lines in. */
import type { ModuleContext, ModuleDefinition } from '../../platform/module.ts';
import type { BudgetCache } from '../budgets/index.ts';
import type { VarianceService } from '../variance/index.ts';
import { excelRoutes } from './excel.routes.ts';
import { ExcelService } from './excel.service.ts';

export function excelModule(
  { deps, platform }: ModuleContext,
  budgetCache: BudgetCache,
  variance: VarianceService,
): ModuleDefinition<{ excel: ExcelService }> {
  const excel = new ExcelService(deps, budgetCache, variance, platform.files);
  return {
    name: 'excel',
    services: { excel },
    routes: (api, auth) => excelRoutes(api, auth, excel, deps.config.BODY_LIMIT_BYTES),
  };
}
