/**
 * Tables of the recommendations engine: tenant benchmark figures, stored recommendation bundles
 * and their ranked recommendations (with evidence and what was done about them). `tenant_id`
 * leads every key; RLS is in `migrations/0010_recommendations_rls.sql`.
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  foreignKey,
  index,
  integer,
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
import { tstz } from './columns.ts';
import { budgets } from './schema.ts';

export const RECOMMENDATION_STATUSES = ['open', 'accepted', 'dismissed', 'applied'] as const;
export type RecommendationStatus = (typeof RECOMMENDATION_STATUSES)[number];

/** A tenant's own benchmark figure (uploaded); built-in defaults live in code with their sources. */
export const recommendationBenchmarks = pgTable(
  'recommendation_benchmarks',
  {
    tenantId: uuid('tenant_id').notNull(),
    industry: varchar('industry', { length: 100 }).notNull(),
    metric: varchar('metric', { length: 100 }).notNull(),
    value: numeric('value', { precision: 18, scale: 4 }).notNull(),
    unit: varchar('unit', { length: 30 }).notNull(),
    // Where the figure comes from; null only when it is a configurable default.
    source: varchar('source', { length: 1000 }),
    isConfigurableDefault: boolean('is_configurable_default').notNull().default(false),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
    updatedBy: varchar('updated_by', { length: 255 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.industry, t.metric] }),
    check('recommendation_benchmarks_sourced', sql`${t.source} IS NOT NULL OR ${t.isConfigurableDefault}`),
  ],
);

/** One generation run for a budget: the analysis, ranking parameters and totals. */
export const recommendationBundles = pgTable(
  'recommendation_bundles',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    budgetId: uuid('budget_id').notNull(),
    contextId: varchar('context_id', { length: 255 }),
    // strategic_goals, risk_tolerance, industry, as_of.
    parameters: jsonb('parameters').notNull(),
    analysis: jsonb('analysis').notNull(),
    benchmarks: jsonb('benchmarks').notNull().default([]),
    totalEstimatedImpact: numeric('total_estimated_impact', { precision: 15, scale: 2 }).notNull(),
    averageConfidence: numeric('average_confidence', { precision: 5, scale: 4 }),
    algorithmVersion: varchar('algorithm_version', { length: 20 }).notNull(),
    narrative: text('narrative'),
    // Why the narrative is absent (disabled, failed, unverifiable numbers).
    narrativeStatus: varchar('narrative_status', { length: 100 }),
    jobId: uuid('job_id'),
    generatedAt: tstz('generated_at').notNull().defaultNow(),
    createdBy: varchar('created_by', { length: 255 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.budgetId],
      foreignColumns: [budgets.tenantId, budgets.id],
    }).onDelete('cascade'),
    index('recommendation_bundles_budget_idx').on(t.tenantId, t.budgetId, t.generatedAt),
  ],
);

/** A ranked recommendation of a bundle: the guide's fields plus evidence and its status. */
export const recommendations = pgTable(
  'recommendations',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    bundleId: uuid('bundle_id').notNull(),
    budgetId: uuid('budget_id').notNull(),
    rank: smallint('rank').notNull(),
    type: varchar('type', { length: 40 }).notNull(),
    category: varchar('category', { length: 100 }).notNull(),
    title: varchar('title', { length: 300 }).notNull(),
    description: varchar('description', { length: 4000 }).notNull(),
    estimatedImpact: numeric('estimated_impact', { precision: 15, scale: 2 }).notNull(),
    confidenceScore: numeric('confidence_score', { precision: 5, scale: 4 }).notNull(),
    implementationEffort: varchar('implementation_effort', { length: 10 }).notNull(),
    timeframe: varchar('timeframe', { length: 50 }).notNull(),
    requiredActions: jsonb('required_actions').$type<string[]>().notNull().default([]),
    riskFactors: jsonb('risk_factors').$type<string[]>().notNull().default([]),
    priority: varchar('priority', { length: 10 }).notNull(),
    priorityScore: numeric('priority_score', { precision: 7, scale: 2 }).notNull(),
    // { figures: {...}, queries: [{ name, sql, parameters }] }.
    evidence: jsonb('evidence').notNull(),
    // The scenario adjustment "apply" would create, when the recommendation has one.
    adjustment: jsonb('adjustment'),
    status: varchar('status', { length: 20, enum: RECOMMENDATION_STATUSES }).notNull().default('open'),
    statusReason: varchar('status_reason', { length: 2000 }),
    actedAt: tstz('acted_at'),
    actedBy: varchar('acted_by', { length: 255 }),
    scenarioId: uuid('scenario_id'),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.bundleId],
      foreignColumns: [recommendationBundles.tenantId, recommendationBundles.id],
    }).onDelete('cascade'),
    uniqueIndex('recommendations_bundle_rank_uq').on(t.tenantId, t.bundleId, t.rank),
    check('recommendations_status_valid', sql`${t.status} IN ('open', 'accepted', 'dismissed', 'applied')`),
    check('recommendations_confidence_range', sql`${t.confidenceScore} >= 0 AND ${t.confidenceScore} <= 1`),
  ],
);
