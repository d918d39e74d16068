/**
 * Tables of the forecasting model registry: models (configuration, training status, metrics and
 * the persisted artifact) and the forecasts made with them. `tenant_id` leads every key; RLS is
 * in `migrations/0008_forecasting_rls.sql`.
 */
import { sql } from 'drizzle-orm';
import {
  check,
  date,
  foreignKey,
  index,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  smallint,
  text,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { baseColumns, tstz } from './columns.ts';

export const FORECAST_MODEL_STATUSES = ['draft', 'training', 'trained', 'failed'] as const;
export type ForecastModelStatus = (typeof FORECAST_MODEL_STATUSES)[number];

/** A forecasting model: the guide's model configuration plus its last training outcome. */
export const forecastModels = pgTable(
  'forecast_models',
  {
    ...baseColumns(),
    name: varchar('name', { length: 255 }).notNull(),
    description: varchar('description', { length: 2000 }),
    algorithm: varchar('algorithm', { length: 30 }).notNull(),
    hyperparameters: jsonb('hyperparameters').$type<Record<string, number>>().notNull().default({}),
    targetVariable: varchar('target_variable', { length: 100 }).notNull().default('amount'),
    // The guide's feature configuration (historical_values, rolling_statistics, seasonal).
    features: jsonb('features').notNull().default([]),
    trainingConfig: jsonb('training_config').notNull().default({}),
    status: varchar('status', { length: 20, enum: FORECAST_MODEL_STATUSES }).notNull().default('draft'),
    // Which series the last training used (actuals dimension/key/currency or an upload) and its range.
    seriesSpec: jsonb('series_spec'),
    trainingJobId: uuid('training_job_id'),
    trainedAt: tstz('trained_at'),
    trainingError: text('training_error'),
    // CV MAE mean/std, backtest metrics, interval coverage, feature importance.
    metrics: jsonb('metrics'),
    // Everything needed to forecast again after a restart: training snapshot, seed, chosen model.
    artifact: jsonb('artifact'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('forecast_models_name_uq')
      .on(t.tenantId, sql`lower(${t.name})`)
      .where(sql`NOT ${t.isDeleted}`),
    check('forecast_models_status_valid', sql`${t.status} IN ('draft', 'training', 'trained', 'failed')`),
    check('forecast_models_version_positive', sql`${t.version} >= 1`),
  ],
);

/** One forecast made with a trained model: scenario, period, level and the predictions. */
export const forecasts = pgTable(
  'forecasts',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    modelId: uuid('model_id').notNull(),
    scenarioName: varchar('scenario_name', { length: 255 }).notNull(),
    // First month forecast (first day of the month).
    startPeriod: date('start_period', { mode: 'string' }).notNull(),
    horizon: smallint('horizon').notNull(),
    level: numeric('level', { precision: 4, scale: 1 }).notNull(),
    modelUsed: varchar('model_used', { length: 100 }).notNull(),
    // [{ period, value, lower, upper }] with decimal strings.
    predictions: jsonb('predictions').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    createdBy: varchar('created_by', { length: 255 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.modelId],
      foreignColumns: [forecastModels.tenantId, forecastModels.id],
    }).onDelete('cascade'),
    index('forecasts_model_idx').on(t.tenantId, t.modelId, t.createdAt),
    check('forecasts_horizon_range', sql`${t.horizon} >= 1 AND ${t.horizon} <= 120`),
    check('forecasts_level_range', sql`${t.level} > 0 AND ${t.level} < 100`),
    check('forecasts_start_first_day', sql`extract(day from ${t.startPeriod}) = 1`),
  ],
);
