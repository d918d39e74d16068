/** Wires the forecasting module: its worker pool, services, job handler and routes. */
import type { Authenticator } from '../../platform/auth/authenticate.ts';
import { FEATURES, featureJobs } from '../../platform/features.ts';
import type { App } from '../../platform/http/types.ts';
import type { Platform } from '../../platform/platform.ts';
import type { ServiceDeps } from '../../platform/services.ts';
import { registerForecastingJobs } from './forecasting.jobs.ts';
import { ComputePool } from './forecasting.pool.ts';
import { forecastingRoutes } from './forecasting.routes.ts';
import { ForecastingService } from './forecasting.service.ts';
import { rollingForecastRoutes } from './rolling-forecast.routes.ts';
import { RollingForecastService } from './rolling-forecast.service.ts';

export type Forecasting = ReturnType<typeof createForecasting>;

/** Creates the services and registers the training job (so `bf worker` processes train too). */
export function createForecasting(platform: Platform, deps: ServiceDeps) {
  const pool = new ComputePool();
  const models = new ForecastingService(deps, platform.queue, pool);
  const rolling = new RollingForecastService(deps, pool);
  // ML_ENABLED=false: the routes answer 404 (app.ts) and queued training jobs fail at once.
  registerForecastingJobs(featureJobs(platform.queue, platform.config, FEATURES.forecasting), deps.db, pool);
  return { models, rolling, pool, close: () => pool.close() };
}

/** Registers the module's routes. */
export function registerForecasting(app: App, auth: Authenticator, f: Forecasting): void {
  forecastingRoutes(app, auth, f.models);
  rollingForecastRoutes(app, auth, f.rolling);
}
