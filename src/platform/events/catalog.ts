/**
 * The catalogue of domain events: every type the service emits, its schema version, what it is
 * about (subject) and the zod schema of its `data`. The envelope, the JSON Schemas, the AsyncAPI
 * document (`npm run asyncapi`) and docs/events.md are derived from this one table. A change
 * that is not additive bumps the type's `version` (docs/events.md "Versioning").
 */
import { z } from 'zod';
import { BUDGET_STATUSES, BUDGET_TYPES } from '../../shared/enums.ts';

const uuid = z.uuid();
const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, { message: 'must be a decimal string' });
const status = z.enum(BUDGET_STATUSES);

const budgetSummary = z.object({
  budget_id: uuid,
  budget_name: z.string(),
  budget_type: z.enum(BUDGET_TYPES),
  fiscal_year: z.string(),
  status,
  base_currency: z.string(),
  total_amount: decimal.nullable(),
  version: z.number().int(),
});

const transition = z.object({
  budget_id: uuid,
  from_status: status,
  to_status: status,
  workflow_id: uuid.nullable(),
  comment: z.string().nullable(),
  version: z.number().int().describe('the budget version after the transition'),
});

/** One event type of the catalogue. */
interface EventDefinition {
  version: number;
  subject: 'budget' | 'actual_batch' | 'forecast_model' | 'recommendation' | 'scenario';
  summary: string;
  data: z.ZodType;
}

const define = <const T extends Record<string, EventDefinition>>(t: T) => t;

export const EVENT_CATALOG = define({
  'budget.created': {
    version: 1,
    subject: 'budget',
    summary: 'A budget was created (directly, from a template or by promoting a scenario).',
    data: budgetSummary.extend({
      line_count: z.number().int(),
      template_id: uuid.nullable(),
    }),
  },
  'budget.updated': {
    version: 1,
    subject: 'budget',
    summary: "A budget's fields were changed (PATCH); `changed` names the fields.",
    data: budgetSummary.extend({ changed: z.array(z.string()) }),
  },
  'budget.deleted': {
    version: 1,
    subject: 'budget',
    summary: 'A budget was deleted; `soft` is false when it was removed for good.',
    data: z.object({ budget_id: uuid, soft: z.boolean() }),
  },
  'budget.submitted': { version: 1, subject: 'budget', summary: 'Submitted for approval.', data: transition },
  'budget.approved': { version: 1, subject: 'budget', summary: 'Approved (four eyes).', data: transition },
  'budget.rejected': {
    version: 1,
    subject: 'budget',
    summary: 'Rejected; `comment` is the reason.',
    data: transition,
  },
  'budget.reopened': {
    version: 1,
    subject: 'budget',
    summary: 'A rejected budget back to draft.',
    data: transition,
  },
  'budget.activated': {
    version: 1,
    subject: 'budget',
    summary: 'An approved budget made active.',
    data: transition,
  },
  'budget.locked': { version: 1, subject: 'budget', summary: 'Locked (no edits).', data: transition },
  'budget.unlocked': {
    version: 1,
    subject: 'budget',
    summary: 'Unlocked, back to the status it had when locked.',
    data: transition,
  },
  'budget.archived': { version: 1, subject: 'budget', summary: 'Archived.', data: transition },
  'lines.changed': {
    version: 1,
    subject: 'budget',
    summary:
      "A budget's lines changed in one write: counts of added, updated and deleted lines, and their ids when at most 100.",
    data: z.object({
      budget_id: uuid,
      change: z.enum(['added', 'replaced', 'updated', 'deleted']),
      added: z.number().int(),
      updated: z.number().int(),
      deleted: z.number().int(),
      line_ids: z.array(uuid).optional().describe('omitted when more than 100 lines changed'),
    }),
  },
  'actuals.imported': {
    version: 1,
    subject: 'actual_batch',
    summary: 'A batch of actuals was imported (upload, job or CLI).',
    data: z.object({
      batch_id: uuid,
      batch_key: z.string(),
      file_name: z.string().nullable(),
      format: z.string(),
      row_count: z.number().int(),
      replaced_batch_id: uuid.nullable().describe('the batch with the same key this one replaced'),
    }),
  },
  'variance.computed': {
    version: 1,
    subject: 'budget',
    summary: "A budget's variance report was computed by a job (an interactive GET emits nothing).",
    data: z.object({
      budget_id: uuid,
      job_id: uuid,
      by: z.string().describe('the grouping of the report'),
      as_of: z.string().describe('YYYY-MM'),
      base_currency: z.string(),
      rows: z.number().int(),
    }),
  },
  'forecast.trained': {
    version: 1,
    subject: 'forecast_model',
    summary: 'A forecast model finished training.',
    data: z.object({
      model_id: uuid,
      job_id: uuid,
      algorithm: z.string(),
      model_used: z.string(),
      cv_mae: z.number().nullable().describe('cross-validated mean absolute error (a statistic, not money)'),
      training_samples: z.number().int(),
    }),
  },
  'recommendation.accepted': {
    version: 1,
    subject: 'recommendation',
    summary: 'A recommendation was accepted.',
    data: z.object({ recommendation_id: uuid, bundle_id: uuid, budget_id: uuid, status: z.string() }),
  },
  'recommendation.applied': {
    version: 1,
    subject: 'recommendation',
    summary: 'A recommendation was applied to its budget or scenario.',
    data: z.object({
      recommendation_id: uuid,
      bundle_id: uuid,
      budget_id: uuid,
      status: z.string(),
      scenario_id: uuid.describe('the scenario created with the adjustment'),
    }),
  },
  'scenario.promoted': {
    version: 1,
    subject: 'scenario',
    summary: 'A scenario was promoted to a new budget.',
    data: z.object({
      scenario_id: uuid,
      source_budget_id: uuid.describe("the scenario's budget"),
      budget_id: uuid.describe('the new budget'),
    }),
  },
});

export type EventType = keyof typeof EVENT_CATALOG;
export type EventData<T extends EventType> = z.input<(typeof EVENT_CATALOG)[T]['data']>;
export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as EventType[];

/** The envelope every event travels in (AMQP body, GET /events item). */
export const eventEnvelope = z.object({
  id: uuid.describe('stable event id (UUIDv7): consumers de-duplicate by it'),
  type: z.string().describe('the event type, also the AMQP routing key'),
  version: z.number().int().describe("schema version of the event type's data"),
  tenant_id: uuid,
  occurred_at: z.iso.datetime({ offset: true }),
  actor: z.object({ user_id: z.string().describe('who made the change (token subject)') }),
  subject: z.object({ type: z.string(), id: uuid }),
  data: z.record(z.string(), z.unknown()),
});
export type EventEnvelope = z.output<typeof eventEnvelope>;

/** The JSON Schema (2020-12) of one event type: the envelope with its type, version and data fixed. */
export function eventJsonSchema(type: EventType): Record<string, unknown> {
  const def: EventDefinition = EVENT_CATALOG[type];
  const schema = eventEnvelope.extend({
    type: z.literal(type),
    version: z.literal(def.version),
    subject: z.object({ type: z.literal(def.subject), id: uuid }),
    data: def.data,
  });
  return {
    $id: `https://apg.example/budgeting-forecasting/events/${type}/v${def.version}.json`,
    title: `${type} v${def.version}`,
    description: def.summary,
    ...z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }),
  };
}
