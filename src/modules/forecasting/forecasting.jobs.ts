/**
 * The training job: reads the series (tenant actuals per month, or the upload), trains in a
 * worker thread (never on the event loop that serves requests), and stores metrics and the
 * artifact on the model. Runs wherever jobs run: an API process or a `bf worker`.
 */
import type { Db } from '../../platform/db/client.ts';
import { emit } from '../../platform/events/outbox.ts';
import type { JobHandlers } from '../../platform/module.ts';
import { type JobRun, PermanentJobError } from '../../platform/queue/queue.ts';
import { withTenant } from '../../platform/tenancy/tenancy.ts';
import type { TrainResult } from './forecasting.compute.ts';
import {
  denseSeries,
  guideFeatureName,
  type ModelArtifact,
  monthIndexOf,
  monthLabel,
  specOf,
  toFeatureConfig,
} from './forecasting.config.ts';
import { ComputeError, type ComputePool } from './forecasting.pool.ts';
import type { TrainingResults } from './forecasting.presenter.ts';
import { findModel, type ModelRow, monthlyActuals, updateModel } from './forecasting.repository.ts';
import type { FeatureEntry, TrainingConfig } from './forecasting.schema.ts';
import { describe, TRAIN_JOB, TRAIN_MAX_ATTEMPTS, type TrainPayload } from './forecasting.service.ts';

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

interface Snapshot {
  start: number;
  values: string[];
  otherCurrencyRows: number;
}

/** Reads the training series: dense months, exact decimal sums, in one currency. */
async function readSeries(db: Db, tenantId: string, s: TrainPayload['series']): Promise<Snapshot> {
  if (s.source === 'upload') return { start: monthIndexOf(s.start), values: s.values, otherCurrencyRows: 0 };
  const from = s.from ? `${s.from}-01` : undefined;
  const to = s.to ? `${s.to}-01` : undefined;
  const { rows, otherCurrencyRows } = await withTenant(db, tenantId, (tx) =>
    monthlyActuals(tx, { groupBy: s.group_by, keys: [s.key], currency: s.currency!, from, to }),
  );
  if (rows.length === 0)
    throw new PermanentJobError(
      `no actuals in ${s.currency} for ${s.group_by} "${s.key}" in the requested months`,
    );
  const dense = denseSeries(rows, from ? monthIndexOf(from) : undefined, to ? monthIndexOf(to) : undefined);
  return { ...dense, otherCurrencyRows };
}

/** The artifact before training: configuration and snapshot (training adds the model used and fitted path). */
function draftArtifact(m: ModelRow, snap: Snapshot): ModelArtifact {
  const cfg = m.trainingConfig as TrainingConfig;
  return {
    format: 1,
    algorithm: m.algorithm as ModelArtifact['algorithm'],
    model_used: '',
    hyperparameters: m.hyperparameters,
    features: toFeatureConfig(m.features as FeatureEntry[]),
    seed: cfg.seed,
    backtest_origins: cfg.backtest_origins,
    horizon: cfg.horizon,
    period: 12,
    start: monthLabel(snap.start),
    values: snap.values,
    fitted_mean: [],
  };
}

/** The training results as stored on the model (the guide's names, feature keys included). */
function metricsOf(result: TrainResult, features: readonly FeatureEntry[]): TrainingResults {
  const bt = result.backtest;
  return {
    model_used: result.resolvedModel,
    cv_mae: r6(result.cv.cvMae),
    cv_mae_std: r6(result.cv.cvMaeStd),
    training_samples: result.cv.trainingSamples,
    feature_importance: result.cv.featureImportance
      ? Object.fromEntries(
          Object.entries(result.cv.featureImportance).map(([k, v]) => [guideFeatureName(k, features), r6(v)]),
        )
      : null,
    backtest: {
      origins: bt.origins,
      horizon: bt.horizon,
      points: bt.points,
      mae: r6(bt.mae),
      rmse: r6(bt.rmse),
      smape: r6(bt.smape),
      mase: bt.mase === null ? null : r6(bt.mase),
    },
    interval_coverage: bt.coverage.map((c) => ({ level: c.level, coverage: r6(c.share) })),
  };
}

/** Runs one training attempt. */
async function runTraining(db: Db, pool: ComputePool, run: JobRun<TrainPayload>) {
  const { modelId, series } = run.payload;
  const model = await withTenant(db, run, async (tx) => {
    const m = await findModel(tx, modelId);
    // A retry after a failed attempt puts the model back in training.
    if (m && m.status !== 'training')
      await updateModel(tx, modelId, { status: 'training', trainingError: null });
    return m;
  });
  if (!model) throw new PermanentJobError(`forecast model ${modelId} no longer exists`);
  try {
    const snap = await readSeries(db, run.tenantId, series);
    await run.progress(10);
    const draft = draftArtifact(model, snap);
    const { spec, series: numeric } = specOf(draft);
    const result = await pool.train({ spec, series: numeric, horizon: draft.horizon }, (f) => {
      run.progress(10 + 85 * f).catch(() => {});
    });
    const artifact = { ...draft, model_used: result.resolvedModel, fitted_mean: result.fittedMean };
    const metrics = metricsOf(result, model.features as FeatureEntry[]);
    const seriesSpec = {
      ...describe(series),
      start: artifact.start,
      end: monthLabel(snap.start + snap.values.length - 1),
      length: snap.values.length,
      other_currency_rows: snap.otherCurrencyRows,
    };
    const saved = await withTenant(db, run, async (tx) => {
      const row = await updateModel(tx, modelId, {
        status: 'trained',
        metrics,
        artifact,
        seriesSpec,
        trainedAt: new Date(),
        trainingError: null,
      });
      if (row)
        await emit(tx, run, {
          type: 'forecast.trained',
          // One event per job, however many attempts commit this transaction.
          dedupeKey: `job:${run.jobId}`,
          subjectId: modelId,
          data: {
            model_id: modelId,
            job_id: run.jobId,
            algorithm: model.algorithm,
            model_used: metrics.model_used,
            cv_mae: metrics.cv_mae,
            training_samples: metrics.training_samples,
          },
        });
      return row;
    });
    if (!saved) throw new PermanentJobError(`forecast model ${modelId} was deleted during training`);
    return { model_id: modelId, status: 'trained', ...metrics, feature_importance: undefined };
  } catch (error) {
    const permanent =
      error instanceof PermanentJobError || (error instanceof ComputeError && error.inputError);
    const message = error instanceof Error ? error.message : String(error);
    if (permanent || run.attempt >= TRAIN_MAX_ATTEMPTS)
      await withTenant(db, run, (tx) =>
        updateModel(tx, modelId, { status: 'failed', trainingError: message }),
      );
    throw permanent && !(error instanceof PermanentJobError) ? new PermanentJobError(message) : error;
  }
}

/** The training job handler, by job type. */
export function forecastingJobs(db: Db, pool: ComputePool): JobHandlers {
  return { [TRAIN_JOB]: (run: JobRun<TrainPayload>) => runTraining(db, pool, run) };
}
