/**
 * The forecasting module (ML_ENABLED): models trained in worker threads (the training job) and
 * the rolling forecast. With the feature off the routes answer 404 and queued training jobs
 * fail at once.
 */
import { FEATURES } from '../../platform/features.ts';
import type { ModuleContext, ModuleDefinition } from '../../platform/module.ts';
import { forecastingJobs } from './forecasting.jobs.ts';
import { ComputePool } from './forecasting.pool.ts';
import { forecastingRoutes } from './forecasting.routes.ts';
import { ForecastingService } from './forecasting.service.ts';
import { rollingForecastRoutes } from './rolling-forecast.routes.ts';
import { RollingForecastService } from './rolling-forecast.service.ts';

export function forecastingModule({ platform, deps }: ModuleContext): ModuleDefinition<{
  forecasting: { models: ForecastingService; rolling: RollingForecastService; pool: ComputePool };
}> {
  const pool = new ComputePool();
  const models = new ForecastingService(deps, platform.queue, pool);
  const rolling = new RollingForecastService(deps, pool);
  return {
    name: 'forecasting',
    feature: FEATURES.forecasting,
    services: { forecasting: { models, rolling, pool } },
    routes: (api, auth) => {
      forecastingRoutes(api, auth, models);
      rollingForecastRoutes(api, auth, rolling);
    },
    jobs: forecastingJobs(deps.db, pool),
    close: () => pool.close(),
  };
}
