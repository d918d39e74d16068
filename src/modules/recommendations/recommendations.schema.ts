/** Request and response schemas of recommendations, their bundles, actions and benchmarks. */
import { z } from 'zod';
import { Decimal, decimalString } from '../../shared/money.ts';
import { pageQuery, trimmed, uuidParam } from '../../shared/validation.ts';
import { BENCHMARK_METRICS } from './recommendations.benchmarks.ts';

const percent = (label: string, fallback: string) =>
  decimalString({ scale: 2, min: new Decimal(0), max: new Decimal(1000), label }).default(fallback);

export const generateSchema = z
  .strictObject({
    context_id: z.string().trim().min(1).max(255).optional(),
    strategic_goals: z.array(z.string().trim().min(1).max(100)).max(20).default([]).meta({
      description: 'categories that get +20 in the ranking (e.g. "budget_overrun", "revenue_growth")',
    }),
    risk_tolerance: z.enum(['low', 'medium', 'high']).default('medium'),
    industry: z.string().trim().min(1).max(100).default('general'),
    as_of: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'as_of must be a month YYYY-MM' })
      .optional()
      .meta({
        description:
          'month of the year-to-date figures; default: the latest month of the budget with actuals',
      }),
    overrun_threshold_percent: percent('overrun_threshold_percent', '2.00'),
    underspend_threshold_percent: percent('underspend_threshold_percent', '10.00'),
    seasonal_threshold_percent: percent('seasonal_threshold_percent', '5.00'),
    volatility_threshold: decimalString({
      scale: 4,
      min: new Decimal(0),
      max: new Decimal(100),
      label: 'volatility_threshold',
    }).default('0.2500'),
    concentration_threshold_percent: percent('concentration_threshold_percent', '60.00'),
    narrative: z.boolean().default(false).meta({ description: 'ask the configured LLM for a narrative' }),
    run_as_job: z
      .boolean()
      .optional()
      .meta({ description: 'force a background job (default: only for large budgets)' }),
  })
  .default({
    strategic_goals: [],
    risk_tolerance: 'medium',
    industry: 'general',
    overrun_threshold_percent: '2.00',
    underspend_threshold_percent: '10.00',
    seasonal_threshold_percent: '5.00',
    volatility_threshold: '0.2500',
    concentration_threshold_percent: '60.00',
    narrative: false,
  });
export type GenerateInput = z.output<typeof generateSchema>;

export const budgetParams = z.strictObject({ id: uuidParam });
export const bundleParams = z.strictObject({ bundleId: uuidParam });
export const itemParams = z.strictObject({ bundleId: uuidParam, recommendationId: uuidParam });
export const bundleListQuery = z.strictObject({ ...pageQuery });

export const actSchema = z.strictObject({
  version: z.number().int().min(1).optional().meta({ description: 'optimistic locking (optional)' }),
  reason: z.string().trim().max(2000).optional(),
});
export const dismissSchema = actSchema.extend({ reason: trimmed(1, 2000, 'reason') });
export type ActInput = z.output<typeof actSchema>;

const figure = z.strictObject({
  industry: trimmed(1, 100, 'industry'),
  metric: z.enum(BENCHMARK_METRICS),
  value: decimalString({ scale: 4, min: new Decimal(0), max: new Decimal('99999999999999'), label: 'value' }),
  unit: z
    .string()
    .trim()
    .regex(/^([A-Z]{3}|percent)$/, { message: 'unit is a currency code or "percent"' }),
  source: z.string().trim().min(1).max(1000).nullable().default(null),
  is_configurable_default: z.boolean().default(false),
});
export const benchmarksPutSchema = z
  .strictObject({ figures: z.array(figure).max(500) })
  .refine((b) => b.figures.every((f) => f.source !== null || f.is_configurable_default), {
    message: 'each figure needs a source, or is_configurable_default: true',
    path: ['figures'],
  });
export type BenchmarksPut = z.output<typeof benchmarksPutSchema>;

const benchmarkView = z.object({
  industry: z.string(),
  metric: z.string(),
  value: z.string(),
  unit: z.string(),
  source: z.string().nullable(),
  is_configurable_default: z.boolean(),
  origin: z.enum(['tenant', 'built_in']),
});
export const benchmarksResponse = z.object({ figures: z.array(benchmarkView) });

const adjustmentView = z.record(z.string(), z.unknown()).nullable();
export const recommendationView = z.object({
  recommendation_id: z.uuid(),
  bundle_id: z.uuid(),
  budget_id: z.uuid(),
  rank: z.number().int(),
  type: z.string(),
  category: z.string(),
  title: z.string(),
  description: z.string(),
  estimated_impact: z.string().meta({ description: 'base currency; negative = spend saved' }),
  confidence_score: z.string(),
  implementation_effort: z.string(),
  timeframe: z.string(),
  required_actions: z.array(z.string()),
  risk_factors: z.array(z.string()),
  priority: z.string(),
  priority_score: z.string(),
  evidence: z.record(z.string(), z.unknown()),
  adjustment: adjustmentView,
  status: z.string(),
  status_reason: z.string().nullable(),
  acted_at: z.string().nullable(),
  acted_by: z.string().nullable(),
  scenario_id: z.uuid().nullable(),
  version: z.number().int(),
});

export const bundleSummary = z.object({
  bundle_id: z.uuid(),
  context_id: z.string().nullable(),
  budget_id: z.uuid(),
  total_estimated_impact: z.string(),
  average_confidence: z.string().nullable(),
  recommendation_count: z.number().int(),
  parameters: z.record(z.string(), z.unknown()),
  generated_at: z.string(),
  algorithm_version: z.string(),
});
export const bundleView = bundleSummary.extend({
  analysis: z.record(z.string(), z.unknown()),
  benchmarks: z.array(z.record(z.string(), z.unknown())),
  narrative: z.string().nullable(),
  narrative_status: z.string().nullable(),
  recommendations: z.array(recommendationView),
});
export const bundleListResponse = z.object({
  items: z.array(bundleSummary),
  next_cursor: z.string().nullable(),
});
export const generateAccepted = z.object({ job_id: z.uuid(), status: z.string() });
