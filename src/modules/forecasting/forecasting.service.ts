/** Model registry use cases: create, read, delete, train (as a background job) and forecast. */
import { v7 as uuidv7 } from 'uuid';
import type { Tx } from '../../platform/db/client.ts';
import { pgError } from '../../platform/db/errors.ts';
import { BusinessRuleError, ConflictError, fieldError, NotFoundError } from '../../platform/http/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import type { JobQueue } from '../../platform/queue/queue.ts';
import type { ServiceDeps } from '../../platform/services.ts';
import { type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import { auditor } from '../audit/index.ts';
import {
  checkModelConfig,
  firstDay,
  type ModelArtifact,
  monthIndexOf,
  monthLabel,
  specOf,
} from './forecasting.config.ts';
import type { ComputePool } from './forecasting.pool.ts';
import {
  type ModelView,
  type Prediction,
  presentForecast,
  presentModel,
  toCents,
} from './forecasting.presenter.ts';
import {
  budgetCurrency,
  findModel,
  insertForecast,
  insertModel,
  listForecasts,
  listModels,
  type ModelRow,
  modelNameTaken,
  updateModel,
} from './forecasting.repository.ts';
import type {
  ForecastCreateInput,
  ModelCreateInput,
  ModelListQuery,
  TrainInput,
} from './forecasting.schema.ts';

/** Job type of model training. */
export const TRAIN_JOB = 'forecasting.train';
/** Attempts of a training job: the queue's default (3 retries with backoff); bad input fails at once. */
export const TRAIN_MAX_ATTEMPTS = 4;

/** What a training job carries: the model and its series request (currency resolved). */
export interface TrainPayload {
  modelId: string;
  series: TrainInput & { currency?: string | undefined };
}

const duplicateName = (name: string) =>
  new ConflictError('duplicate_model_name', 'name', `A model named "${name}" already exists`);

export class ForecastingService {
  private readonly audit = auditor('forecast_model');

  constructor(
    private readonly deps: ServiceDeps,
    private readonly queue: JobQueue,
    readonly pool: ComputePool,
  ) {}

  /** Creates a draft model from the guide's configuration (hyperparameters checked per algorithm). */
  async create(ctx: TenantContext, input: ModelCreateInput): Promise<ModelView> {
    const { hyperparameters, features } = checkModelConfig(this.deps.config, input);
    return withTenant(this.deps.db, ctx, async (tx) => {
      if (await modelNameTaken(tx, input.name)) throw duplicateName(input.name);
      const row = await insertModel(tx, {
        id: uuidv7(),
        tenantId: ctx.tenantId,
        createdBy: ctx.userId,
        name: input.name,
        description: input.description ?? null,
        algorithm: input.algorithm,
        hyperparameters,
        targetVariable: input.target_variable,
        features,
        trainingConfig: input.training_config,
      }).catch((e: unknown) => {
        const pe = pgError(e);
        if (pe?.code === '23505' && pe.constraint === 'forecast_models_name_uq')
          throw duplicateName(input.name);
        throw e;
      });
      const view = presentModel(row);
      await this.audit(tx, ctx, 'forecast_model.created', row.id, null, view);
      return view;
    });
  }

  /** Live models, newest first. */
  async list(ctx: TenantContext, q: ModelListQuery) {
    const afterId = decodeCursor(q.cursor);
    const rows = await withTenant(this.deps.db, ctx, (tx) =>
      listModels(tx, { status: q.status, algorithm: q.algorithm, afterId, limit: q.limit }),
    );
    const page = pageOf(rows, q.limit);
    return { items: page.items.map(presentModel), next_cursor: page.nextCursor };
  }

  /** One live model with its training results. */
  async get(ctx: TenantContext, id: string): Promise<ModelView> {
    return withTenant(this.deps.db, ctx, async (tx) => presentModel(await this.mustFind(tx, id)));
  }

  /** Soft-deletes a model (a running training finds it gone and stops writing). */
  async delete(ctx: TenantContext, id: string): Promise<void> {
    await withTenant(this.deps.db, ctx, async (tx) => {
      const before = await this.mustFind(tx, id, true);
      await updateModel(tx, id, { isDeleted: true, deletedAt: new Date(), deletedBy: ctx.userId });
      await this.audit(tx, ctx, 'forecast_model.deleted', id, presentModel(before), null);
    });
  }

  /** Queues training on the requested series; the model is `training` until the job ends. */
  async train(ctx: TenantContext, id: string, input: TrainInput) {
    const series = await withTenant(this.deps.db, ctx, async (tx) => {
      const m = await this.mustFind(tx, id, true);
      if (m.status === 'training')
        throw new ConflictError('model_training', 'params.id', `Model ${id} is already training`);
      const resolved = await this.resolveSeries(tx, input);
      await updateModel(tx, id, { status: 'training', trainingError: null, updatedBy: ctx.userId });
      await this.audit(tx, ctx, 'forecast_model.training_requested', id, null, {
        series: describe(resolved),
      });
      return resolved;
    });
    let jobId: string;
    try {
      const payload: TrainPayload = { modelId: id, series };
      jobId = (await this.queue.enqueue(ctx, TRAIN_JOB, payload, { maxAttempts: TRAIN_MAX_ATTEMPTS })).id;
    } catch (error) {
      await withTenant(this.deps.db, ctx, (tx) =>
        updateModel(tx, id, { status: 'failed', trainingError: 'the training job could not be queued' }),
      );
      throw error;
    }
    // Only the job id is written here: the job may already have finished and set the status.
    await withTenant(this.deps.db, ctx, (tx) => updateModel(tx, id, { trainingJobId: jobId }));
    return { message: 'Training queued', model_id: id, job_id: jobId, status: 'training' as const };
  }

  /** Forecasts with a trained model: refits from its artifact in a worker and stores the result. */
  async forecast(ctx: TenantContext, id: string, input: ForecastCreateInput) {
    const m = await withTenant(this.deps.db, ctx, (tx) => this.mustFind(tx, id));
    if (m.status !== 'trained' || !m.artifact)
      throw new BusinessRuleError(
        'model_not_trained',
        `Model ${id} is ${m.status}; train it first`,
        'params.id',
      );
    const artifact = m.artifact as ModelArtifact;
    const { spec, series } = specOf(artifact);
    const next = series.startIndex + series.values.length;
    const { start, horizon, level } = resolveForecastRequest(id, input, next);
    if (start < next)
      throw fieldError(
        'start_period',
        'inside_training_series',
        `start_period must be after the training series, which ends ${monthLabel(next - 1)}`,
      );
    const offset = start - next;
    if (offset + horizon > artifact.horizon)
      throw new BusinessRuleError(
        'horizon_beyond_training',
        `The model forecasts up to ${monthLabel(next + artifact.horizon - 1)} (training_config.horizon ${artifact.horizon}); retrain with a longer horizon`,
        'horizon',
      );
    // Always the trained horizon: the interval calibration depends on it, so every request
    // slices one deterministic run (which must match the training-time path exactly).
    const [f] = await this.pool.forecast([{ spec, series, horizon: artifact.horizon, level }]);
    if (!f || f.mean.some((v, i) => v !== artifact.fitted_mean[i]))
      throw new BusinessRuleError(
        'model_stale',
        `Model ${id} no longer reproduces its trained forecast (the engine changed since training); train it again`,
        'params.id',
      );
    const predictions: Prediction[] = [];
    for (let j = offset; j < offset + horizon; j++)
      predictions.push({
        period: monthLabel(next + j),
        value: toCents(f.mean[j]!),
        lower: toCents(f.lo[j]!),
        upper: toCents(f.hi[j]!),
      });
    return withTenant(this.deps.db, ctx, async (tx) => {
      const model = await this.mustFind(tx, id);
      const row = await insertForecast(tx, {
        tenantId: ctx.tenantId,
        id: uuidv7(),
        modelId: id,
        scenarioName: input.scenario_name,
        startPeriod: firstDay(start),
        horizon,
        level: String(level),
        modelUsed: f.model,
        predictions,
        createdBy: ctx.userId,
      });
      const view = presentForecast(row, model);
      await this.audit(tx, ctx, 'forecast.created', id, null, {
        forecast_id: row.id,
        scenario: row.scenarioName,
      });
      return view;
    });
  }

  /** A model's forecasts, newest first. */
  async forecasts(ctx: TenantContext, id: string, limit: number, cursor: string | undefined) {
    const afterId = decodeCursor(cursor);
    const { model, rows } = await withTenant(this.deps.db, ctx, async (tx) => ({
      model: await this.mustFind(tx, id),
      rows: await listForecasts(tx, id, limit, afterId),
    }));
    const page = pageOf(rows, limit);
    return { items: page.items.map((f) => presentForecast(f, model)), next_cursor: page.nextCursor };
  }

  /** Fixes the currency of an actuals series: the budget's, the one asked for, or a 400. */
  private async resolveSeries(tx: Tx, input: TrainInput): Promise<TrainPayload['series']> {
    if (input.source === 'upload') return input;
    if (input.budget_id) {
      const currency = await budgetCurrency(tx, input.budget_id);
      if (!currency) throw new NotFoundError('Budget', input.budget_id, 'budget_id');
      if (input.currency && input.currency !== currency)
        throw fieldError('currency', 'currency_mismatch', `the budget's currency is ${currency}`);
      return { ...input, currency };
    }
    if (!input.currency)
      throw fieldError(
        'currency',
        'required',
        'give currency or budget_id: actuals are summed in one currency',
      );
    return input;
  }

  private async mustFind(tx: Tx, id: string, forUpdate = false): Promise<ModelRow> {
    const m = await findModel(tx, id, forUpdate);
    if (!m) throw new NotFoundError('Forecast model', id);
    return m;
  }
}

/** A series request without its (possibly long) uploaded values, for audit and the model row. */
export function describe(s: TrainPayload['series']) {
  return s.source === 'upload' ? { source: s.source, start: s.start, length: s.values.length } : s;
}

/**
 * The forecast request in our fields and the design guide's: `forecast_period` {start, end} beside
 * `start_period` + `horizon`, `confidence_level` (a fraction) beside `level` (percent), `model_id`
 * beside the path's id. Both spellings may be sent when they agree; a disagreement names the field.
 */
export function resolveForecastRequest(
  id: string,
  input: ForecastCreateInput,
  next: number,
): { start: number; horizon: number; level: number } {
  if (input.model_id !== undefined && input.model_id !== id)
    throw fieldError('model_id', 'mismatch', `model_id must be the model in the path (${id})`);
  let start = input.start_period ? monthIndexOf(input.start_period) : next;
  let horizon = input.horizon;
  const period = input.forecast_period;
  if (period) {
    const from = monthIndexOf(period.start);
    const to = monthIndexOf(period.end);
    if (to < from)
      throw fieldError(
        'forecast_period.end',
        'before_start',
        'forecast_period.end must not be before its start',
      );
    if (input.start_period && from !== start)
      throw fieldError(
        'forecast_period.start',
        'mismatch',
        'forecast_period.start must equal start_period when both are sent',
      );
    if (horizon !== undefined && horizon !== to - from + 1)
      throw fieldError(
        'forecast_period.end',
        'mismatch',
        `forecast_period covers ${to - from + 1} months but horizon is ${horizon}`,
      );
    if (to - from + 1 > 60)
      throw fieldError('forecast_period.end', 'too_big', 'forecast_period must cover at most 60 months');
    start = from;
    horizon = to - from + 1;
  }
  if (horizon === undefined)
    throw fieldError('horizon', 'required', 'horizon (or forecast_period) is required');
  const fromFraction =
    input.confidence_level === undefined ? undefined : Math.round(input.confidence_level * 1000) / 10;
  if (input.level !== undefined && fromFraction !== undefined && input.level !== fromFraction)
    throw fieldError(
      'confidence_level',
      'mismatch',
      `confidence_level ${input.confidence_level} disagrees with level ${input.level}`,
    );
  return { start, horizon, level: input.level ?? fromFraction ?? 95 };
}
