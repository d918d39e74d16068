/** Shapes registry rows for the wire (snake_case, ISO times, money as decimal strings). */
import { Decimal } from '../../shared/money.ts';
import type { ForecastRow, ModelRow } from './forecasting.repository.ts';
import type { Algorithm, TrainingConfig } from './forecasting.schema.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The training results as stored in `metrics` (already in wire shape). */
export interface TrainingResults {
  model_used: string;
  cv_mae: number;
  cv_mae_std: number;
  training_samples: number;
  feature_importance: Record<string, number> | null;
  backtest: {
    origins: number;
    horizon: number;
    points: number;
    mae: number;
    rmse: number;
    smape: number;
    mase: number | null;
  };
  interval_coverage: { level: number; coverage: number }[];
}

/** A model with its configuration, status and training results. */
export function presentModel(m: ModelRow) {
  return {
    model_id: m.id,
    name: m.name,
    description: m.description,
    algorithm: m.algorithm as Algorithm,
    hyperparameters: m.hyperparameters,
    target_variable: m.targetVariable,
    features: m.features as unknown[],
    training_config: m.trainingConfig as TrainingConfig,
    status: m.status,
    series: m.seriesSpec ?? null,
    training_job_id: m.trainingJobId,
    trained_at: iso(m.trainedAt),
    training_error: m.trainingError,
    training_results: m.status === 'trained' ? ((m.metrics as TrainingResults | null) ?? null) : null,
    version: m.version,
    created_at: m.createdAt.toISOString(),
    created_by: m.createdBy,
    updated_at: iso(m.updatedAt),
  };
}
export type ModelView = ReturnType<typeof presentModel>;

/** One predicted month as stored and sent. */
export interface Prediction {
  period: string;
  value: string;
  lower: string;
  upper: string;
}

/** An engine number as money: rounded half-up to the cent (the one float-to-money boundary). */
export function toCents(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`forecast value ${x} is not finite`);
  return new Decimal(x).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
}

/**
 * A stored forecast with its predictions and intervals, also in the design guide's shape
 * (`confidence_intervals`, `metadata.model_performance` from the model's training results).
 */
export function presentForecast(f: ForecastRow, model: ModelRow) {
  const predictions = f.predictions as Prediction[];
  const results = model.status === 'trained' ? (model.metrics as TrainingResults | null) : null;
  return {
    forecast_id: f.id,
    model_id: f.modelId,
    scenario_name: f.scenarioName,
    forecast_period: { start: predictions[0]?.period ?? '', end: predictions.at(-1)?.period ?? '' },
    horizon: f.horizon,
    confidence_level: Number(f.level),
    model_used: f.modelUsed,
    predictions,
    confidence_intervals: {
      confidence_level: Number(f.level) / 100,
      lower: predictions.map((p) => p.lower),
      upper: predictions.map((p) => p.upper),
    },
    metadata: {
      algorithm: model.algorithm,
      model_performance: {
        cv_mae: results?.cv_mae ?? null,
        training_samples: results?.training_samples ?? null,
      },
    },
    generated_at: f.createdAt.toISOString(),
    created_by: f.createdBy,
  };
}
