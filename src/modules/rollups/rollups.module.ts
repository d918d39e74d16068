/** The rollups module: budgets and variance rolled up along the dimension trees. */
import type { ModuleContext, ModuleDefinition } from '../../platform/module.ts';
import type { PeriodService } from '../lines/index.ts';
import type { VarianceService } from '../variance/index.ts';
import { rollupRoutes } from './rollups.routes.ts';
import { RollupService } from './rollups.service.ts';

export function rollupsModule(
  { deps }: ModuleContext,
  periods: PeriodService,
  variance: VarianceService,
): ModuleDefinition<{ rollups: RollupService }> {
  const rollups = new RollupService(deps, periods, variance);
  return { name: 'rollups', services: { rollups }, routes: (api, auth) => rollupRoutes(api, auth, rollups) };
}
