/** Request and response schemas of the model registry (the guide's model configuration, training, forecasts). */
import { z } from 'zod';
import { FORECAST_MODEL_STATUSES } from '../../platform/db/schema-forecasting.ts';
import { decimalString, MAX_AMOUNT } from '../../shared/money.ts';
import { currencySchema, optionalText, pageQuery, trimmed, uuidParam } from '../../shared/validation.ts';
import { MODEL_NAMES } from './engine/types.ts';

export const algorithmSchema = z.enum(MODEL_NAMES);
export type Algorithm = z.infer<typeof algorithmSchema>;

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const fraction = z.number().gt(0).max(1);

/** Hyperparameters per algorithm (scikit-learn names, as in the guide); statistical models take none. */
export const HYPERPARAMETERS: Record<Algorithm, z.ZodType<Record<string, number>>> = {
  random_forest: z.strictObject({
    n_estimators: int(1, 500).optional(),
    max_depth: int(1, 30).optional(),
    min_samples_leaf: int(1, 50).optional(),
    max_features: fraction.optional(),
  }),
  gradient_boosting: z.strictObject({
    n_estimators: int(1, 1000).optional(),
    max_depth: int(1, 12).optional(),
    learning_rate: fraction.optional(),
    subsample: fraction.optional(),
  }),
  neural_network: z.strictObject({
    hidden_layer_sizes: int(1, 256).optional(),
    learning_rate_init: z.number().gt(0).max(1).optional(),
    max_iter: int(1, 5000).optional(),
    alpha: z.number().min(0).max(10).optional(),
  }),
  auto: z.strictObject({}),
  snaive: z.strictObject({}),
  naive2: z.strictObject({}),
  ets: z.strictObject({}),
  theta: z.strictObject({}),
  arima: z.strictObject({}),
} as Record<Algorithm, z.ZodType<Record<string, number>>>;

const lagList = z.array(int(1, 24)).min(1).max(24);
const windowList = z.array(int(2, 24)).min(1).max(6);

/** One entry of the guide's feature configuration. */
export const featureSchema = z.discriminatedUnion('feature_type', [
  z.strictObject({
    feature_name: trimmed(1, 100, 'feature_name'),
    feature_type: z.literal('historical_values'),
    source_column: z.string().max(100).optional(),
    lag_periods: lagList.default([1]),
  }),
  z.strictObject({
    feature_name: trimmed(1, 100, 'feature_name'),
    feature_type: z.literal('rolling_statistics'),
    source_column: z.string().max(100).optional(),
    windows: windowList.default([3, 6, 12]),
    statistics: z
      .array(z.enum(['mean', 'std']))
      .min(1)
      .default(['mean', 'std']),
  }),
  z.strictObject({
    feature_name: trimmed(1, 100, 'feature_name'),
    feature_type: z.literal('seasonal'),
    date_column: z.string().max(100).optional(),
    components: z
      .array(z.enum(['month', 'quarter', 'year']))
      .min(1)
      .default(['month', 'quarter', 'year']),
  }),
]);
export type FeatureEntry = z.infer<typeof featureSchema>;

/** How training evaluates and how far the model may forecast. */
export const trainingConfigSchema = z.strictObject({
  horizon: int(1, 60)
    .default(12)
    .meta({ description: 'months after the training series the model can forecast' }),
  seed: int(0, 2 ** 31 - 1).default(42),
  backtest_origins: int(1, 8).default(4),
});
export type TrainingConfig = z.infer<typeof trainingConfigSchema>;

export const modelCreateSchema = z.strictObject({
  name: trimmed(1, 255, 'name'),
  description: optionalText(2000),
  algorithm: algorithmSchema,
  // Checked per algorithm by the service (field errors under `hyperparameters.`).
  hyperparameters: z.record(z.string(), z.unknown()).default({}),
  target_variable: trimmed(1, 100, 'target_variable').default('amount'),
  features: z.array(featureSchema).max(20).optional(),
  training_config: trainingConfigSchema.default({ horizon: 12, seed: 42, backtest_origins: 4 }),
});
export type ModelCreateInput = z.infer<typeof modelCreateSchema>;

export const monthSchema = (label: string) =>
  z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: `${label} must be a month like "2026-04"` });

/** A signed amount (actuals and uploaded series may be negative). */
const signedAmount = decimalString({
  scale: 2,
  min: MAX_AMOUNT.neg(),
  max: MAX_AMOUNT,
  label: 'value',
});

/** The series to train on: tenant actuals per month, or an uploaded monthly series. */
export const trainSchema = z.discriminatedUnion('source', [
  z.strictObject({
    source: z.literal('actuals'),
    group_by: z.enum(['gl_account', 'category', 'department']),
    key: trimmed(1, 255, 'key'),
    currency: currencySchema('currency').optional(),
    budget_id: uuidParam.optional(),
    from: monthSchema('from').optional(),
    to: monthSchema('to').optional(),
  }),
  z.strictObject({
    source: z.literal('upload'),
    start: monthSchema('start'),
    values: z.array(signedAmount).min(1).max(600),
  }),
]);
export type TrainInput = z.infer<typeof trainSchema>;

export const forecastCreateSchema = z.strictObject({
  /** The guide's field; the model is the one in the path, and a different id here is a 400. */
  model_id: z
    .uuid()
    .optional()
    .meta({ description: "the design guide's field: must be the path's model id" }),
  scenario_name: trimmed(1, 255, 'scenario_name').default('Default'),
  start_period: monthSchema('start_period').optional().meta({
    description: 'first month to forecast; default the month after the training series',
  }),
  horizon: int(1, 60)
    .optional()
    .meta({ description: 'months to forecast; required unless forecast_period is given' }),
  /** The guide's `forecast_period`: first and last month, instead of (or agreeing with) start_period + horizon. */
  forecast_period: z
    .strictObject({ start: monthSchema('forecast_period.start'), end: monthSchema('forecast_period.end') })
    .optional()
    .meta({ description: "the design guide's field: first and last month to forecast" }),
  level: z
    .number()
    .min(50)
    .max(99.9)
    .optional()
    .meta({ description: 'interval level in percent; default 95' }),
  /** The guide's `confidence_level` as a fraction (0.95), beside `level` in percent (95). */
  confidence_level: z
    .number()
    .min(0.5)
    .max(0.999)
    .optional()
    .meta({ description: "the design guide's interval level as a fraction (0.95 = level 95)" }),
});
export type ForecastCreateInput = z.infer<typeof forecastCreateSchema>;

export const modelParams = z.strictObject({ id: uuidParam });
export const modelListQuery = z.strictObject({
  status: z.enum(FORECAST_MODEL_STATUSES).optional(),
  algorithm: algorithmSchema.optional(),
  ...pageQuery,
});
export type ModelListQuery = z.infer<typeof modelListQuery>;
export const forecastListQuery = z.strictObject({ ...pageQuery });

const num = z.number();
export const modelResponse = z.object({
  model_id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  algorithm: algorithmSchema,
  hyperparameters: z.record(z.string(), num),
  target_variable: z.string(),
  features: z.array(z.unknown()),
  training_config: z.object({ horizon: num, seed: num, backtest_origins: num }),
  status: z.enum(FORECAST_MODEL_STATUSES),
  series: z.unknown().meta({
    description: 'what the model was trained on: source, key, start, end, length (null until trained)',
  }),
  training_job_id: z.uuid().nullable(),
  trained_at: z.string().nullable(),
  training_error: z.string().nullable(),
  training_results: z
    .object({
      model_used: z.string(),
      cv_mae: num,
      cv_mae_std: num,
      training_samples: num,
      feature_importance: z.record(z.string(), num).nullable(),
      backtest: z.object({
        origins: num,
        horizon: num,
        points: num,
        mae: num,
        rmse: num,
        smape: num,
        mase: num.nullable(),
      }),
      interval_coverage: z.array(z.object({ level: num, coverage: num })),
    })
    .nullable(),
  version: num,
  created_at: z.string(),
  created_by: z.string(),
  updated_at: z.string().nullable(),
});
// A named component of the OpenAPI document (and of the generated client types).
z.globalRegistry.add(modelResponse, { id: 'ForecastingModel' });
export const modelListResponse = z.object({
  items: z.array(modelResponse),
  next_cursor: z.string().nullable(),
});

export const trainResponse = z.object({
  message: z.string(),
  model_id: z.uuid(),
  job_id: z.uuid(),
  status: z.enum(FORECAST_MODEL_STATUSES),
});

const money = z.string().meta({ description: 'decimal string, rounded to the cent' });
export const forecastResponse = z.object({
  forecast_id: z.uuid(),
  model_id: z.uuid(),
  scenario_name: z.string(),
  forecast_period: z.object({ start: z.string(), end: z.string() }),
  horizon: num,
  confidence_level: num,
  model_used: z.string(),
  predictions: z.array(z.object({ period: z.string(), value: money, lower: money, upper: money })),
  /** The guide's shape of the same bounds: level as a fraction, one array per bound. */
  confidence_intervals: z.object({
    confidence_level: num,
    lower: z.array(money),
    upper: z.array(money),
  }),
  /** The guide's metadata: the algorithm and the model's training performance. */
  metadata: z.object({
    algorithm: z.string(),
    model_performance: z.object({ cv_mae: num.nullable(), training_samples: num.nullable() }),
  }),
  generated_at: z.string(),
  created_by: z.string(),
});
export const forecastListResponse = z.object({
  items: z.array(forecastResponse),
  next_cursor: z.string().nullable(),
});

/** The request example of POST /forecasting/models in the OpenAPI document. */
export const modelCreateExample = {
  name: 'Marketing spend, gradient boosting',
  description: 'Monthly marketing actuals with lags and seasonality',
  algorithm: 'gradient_boosting',
  hyperparameters: { n_estimators: 200, max_depth: 4, learning_rate: 0.1 },
  features: [
    { feature_name: 'lags', feature_type: 'historical_values', lag_periods: [1, 2, 12] },
    { feature_name: 'season', feature_type: 'seasonal', components: ['month', 'quarter'] },
  ],
  training_config: { horizon: 12, seed: 42, backtest_origins: 4 },
} satisfies z.input<typeof modelCreateSchema>;
