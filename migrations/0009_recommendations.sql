CREATE TABLE "recommendation_benchmarks" (
	"tenant_id" uuid NOT NULL,
	"industry" varchar(100) NOT NULL,
	"metric" varchar(100) NOT NULL,
	"value" numeric(18, 4) NOT NULL,
	"unit" varchar(30) NOT NULL,
	"source" varchar(1000),
	"is_configurable_default" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" varchar(255) NOT NULL,
	CONSTRAINT "recommendation_benchmarks_tenant_id_industry_metric_pk" PRIMARY KEY("tenant_id","industry","metric"),
	CONSTRAINT "recommendation_benchmarks_sourced" CHECK ("recommendation_benchmarks"."source" IS NOT NULL OR "recommendation_benchmarks"."is_configurable_default")
);
--> statement-breakpoint
CREATE TABLE "recommendation_bundles" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"budget_id" uuid NOT NULL,
	"context_id" varchar(255),
	"parameters" jsonb NOT NULL,
	"analysis" jsonb NOT NULL,
	"benchmarks" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"total_estimated_impact" numeric(15, 2) NOT NULL,
	"average_confidence" numeric(5, 4),
	"algorithm_version" varchar(20) NOT NULL,
	"narrative" text,
	"narrative_status" varchar(100),
	"job_id" uuid,
	"generated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" varchar(255) NOT NULL,
	CONSTRAINT "recommendation_bundles_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "recommendations" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"bundle_id" uuid NOT NULL,
	"budget_id" uuid NOT NULL,
	"rank" smallint NOT NULL,
	"type" varchar(40) NOT NULL,
	"category" varchar(100) NOT NULL,
	"title" varchar(300) NOT NULL,
	"description" varchar(4000) NOT NULL,
	"estimated_impact" numeric(15, 2) NOT NULL,
	"confidence_score" numeric(5, 4) NOT NULL,
	"implementation_effort" varchar(10) NOT NULL,
	"timeframe" varchar(50) NOT NULL,
	"required_actions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"risk_factors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"priority" varchar(10) NOT NULL,
	"priority_score" numeric(7, 2) NOT NULL,
	"evidence" jsonb NOT NULL,
	"adjustment" jsonb,
	"status" varchar(20) DEFAULT 'open' NOT NULL,
	"status_reason" varchar(2000),
	"acted_at" timestamp with time zone,
	"acted_by" varchar(255),
	"scenario_id" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "recommendations_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "recommendations_status_valid" CHECK ("recommendations"."status" IN ('open', 'accepted', 'dismissed', 'applied')),
	CONSTRAINT "recommendations_confidence_range" CHECK ("recommendations"."confidence_score" >= 0 AND "recommendations"."confidence_score" <= 1)
);
--> statement-breakpoint
ALTER TABLE "recommendation_bundles" ADD CONSTRAINT "recommendation_bundles_tenant_id_budget_id_budgets_tenant_id_id_fk" FOREIGN KEY ("tenant_id","budget_id") REFERENCES "public"."budgets"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recommendations" ADD CONSTRAINT "recommendations_tenant_id_bundle_id_recommendation_bundles_tenant_id_id_fk" FOREIGN KEY ("tenant_id","bundle_id") REFERENCES "public"."recommendation_bundles"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "recommendation_bundles_budget_idx" ON "recommendation_bundles" USING btree ("tenant_id","budget_id","generated_at");--> statement-breakpoint
CREATE UNIQUE INDEX "recommendations_bundle_rank_uq" ON "recommendations" USING btree ("tenant_id","bundle_id","rank");