CREATE TYPE "public"."bf_spread_method" AS ENUM('even', 'seasonal', 'last_year', 'manual');--> statement-breakpoint
CREATE TYPE "public"."bf_job_status" AS ENUM('queued', 'running', 'completed', 'failed');--> statement-breakpoint
CREATE TABLE "budget_periods" (
	"tenant_id" uuid NOT NULL,
	"budget_id" uuid NOT NULL,
	"line_id" uuid NOT NULL,
	"period_index" smallint NOT NULL,
	"period_start" date NOT NULL,
	"amount" numeric(15, 2) NOT NULL,
	CONSTRAINT "budget_periods_tenant_id_line_id_period_index_pk" PRIMARY KEY("tenant_id","line_id","period_index"),
	CONSTRAINT "budget_periods_amount_range" CHECK ("budget_periods"."amount" >= 0 AND "budget_periods"."amount" <= 999999999999.99),
	CONSTRAINT "budget_periods_index_range" CHECK ("budget_periods"."period_index" >= 0 AND "budget_periods"."period_index" < 120)
);
--> statement-breakpoint
CREATE TABLE "actual_batches" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"batch_key" varchar(255) NOT NULL,
	"file_name" varchar(255),
	"format" varchar(10) NOT NULL,
	"row_count" integer DEFAULT 0 NOT NULL,
	"mapping" jsonb,
	"report" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" varchar(255) NOT NULL,
	CONSTRAINT "actual_batches_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "actuals" (
	"tenant_id" uuid NOT NULL,
	"batch_id" uuid NOT NULL,
	"row_number" integer NOT NULL,
	"period" date NOT NULL,
	"gl_account_id" varchar(255),
	"department_id" varchar(255),
	"cost_center_id" varchar(255),
	"category" varchar(100),
	"amount" numeric(15, 2) NOT NULL,
	"currency" varchar(3) NOT NULL,
	"description" varchar(1000),
	CONSTRAINT "actuals_tenant_id_batch_id_row_number_pk" PRIMARY KEY("tenant_id","batch_id","row_number"),
	CONSTRAINT "actuals_amount_range" CHECK (abs("actuals"."amount") <= 999999999999.99),
	CONSTRAINT "actuals_period_first_day" CHECK (extract(day from "actuals"."period") = 1)
);
--> statement-breakpoint
CREATE TABLE "budget_template_versions" (
	"tenant_id" uuid NOT NULL,
	"template_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"content" jsonb NOT NULL,
	"comment" varchar(2000),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" varchar(255) NOT NULL,
	CONSTRAINT "budget_template_versions_tenant_id_template_id_version_pk" PRIMARY KEY("tenant_id","template_id","version")
);
--> statement-breakpoint
CREATE TABLE "budget_templates" (
	"id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" varchar(255) NOT NULL,
	"updated_at" timestamp with time zone,
	"updated_by" varchar(255),
	"is_deleted" boolean DEFAULT false NOT NULL,
	"deleted_at" timestamp with time zone,
	"deleted_by" varchar(255),
	"version" integer DEFAULT 1 NOT NULL,
	"name" varchar(255) NOT NULL,
	"description" varchar(2000),
	"budget_type" varchar(20),
	"current_version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "budget_templates_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "fx_rates" (
	"tenant_id" uuid NOT NULL,
	"period" date NOT NULL,
	"from_currency" varchar(3) NOT NULL,
	"to_currency" varchar(3) NOT NULL,
	"rate" numeric(20, 10) NOT NULL,
	"source" varchar(100),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" varchar(255) NOT NULL,
	CONSTRAINT "fx_rates_tenant_id_period_from_currency_to_currency_pk" PRIMARY KEY("tenant_id","period","from_currency","to_currency"),
	CONSTRAINT "fx_rates_rate_positive" CHECK ("fx_rates"."rate" > 0),
	CONSTRAINT "fx_rates_period_first_day" CHECK (extract(day from "fx_rates"."period") = 1)
);
--> statement-breakpoint
CREATE TABLE "import_mappings" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"name" varchar(255) NOT NULL,
	"mapping" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" varchar(255) NOT NULL,
	"updated_at" timestamp with time zone,
	CONSTRAINT "import_mappings_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"type" varchar(50) NOT NULL,
	"status" "bf_job_status" DEFAULT 'queued' NOT NULL,
	"progress" smallint DEFAULT 0 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer DEFAULT 3 NOT NULL,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"result" jsonb,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" varchar(255) NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "jobs_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "jobs_progress_range" CHECK ("jobs"."progress" >= 0 AND "jobs"."progress" <= 100)
);
--> statement-breakpoint
CREATE TABLE "scenarios" (
	"id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" varchar(255) NOT NULL,
	"updated_at" timestamp with time zone,
	"updated_by" varchar(255),
	"is_deleted" boolean DEFAULT false NOT NULL,
	"deleted_at" timestamp with time zone,
	"deleted_by" varchar(255),
	"version" integer DEFAULT 1 NOT NULL,
	"budget_id" uuid NOT NULL,
	"name" varchar(255) NOT NULL,
	"description" varchar(2000),
	"adjustments" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"promoted_budget_id" uuid,
	CONSTRAINT "scenarios_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "budget_workflow_events" (
	"id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"budget_id" uuid NOT NULL,
	"workflow_id" varchar(255),
	"action" varchar(30) NOT NULL,
	"from_status" varchar(30) NOT NULL,
	"to_status" varchar(30) NOT NULL,
	"actor" varchar(255) NOT NULL,
	"comment" varchar(2000),
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "budget_workflow_events_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "budget_lines" ADD COLUMN "spread_method" "bf_spread_method" DEFAULT 'even' NOT NULL;--> statement-breakpoint
ALTER TABLE "budget_lines" ADD COLUMN "spread_profile" jsonb;--> statement-breakpoint
ALTER TABLE "budget_lines" ADD COLUMN "currency" varchar(3);--> statement-breakpoint
ALTER TABLE "budgets" ADD COLUMN "period_start" date;--> statement-breakpoint
ALTER TABLE "budgets" ADD COLUMN "period_end" date;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "fiscal_year_start_month" smallint DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "budget_periods" ADD CONSTRAINT "budget_periods_tenant_id_line_id_budget_lines_tenant_id_id_fk" FOREIGN KEY ("tenant_id","line_id") REFERENCES "public"."budget_lines"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "actuals" ADD CONSTRAINT "actuals_tenant_id_batch_id_actual_batches_tenant_id_id_fk" FOREIGN KEY ("tenant_id","batch_id") REFERENCES "public"."actual_batches"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "budget_template_versions" ADD CONSTRAINT "budget_template_versions_tenant_id_template_id_budget_templates_tenant_id_id_fk" FOREIGN KEY ("tenant_id","template_id") REFERENCES "public"."budget_templates"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "budget_periods_budget_idx" ON "budget_periods" USING btree ("tenant_id","budget_id","period_start");--> statement-breakpoint
CREATE UNIQUE INDEX "actual_batches_key_uq" ON "actual_batches" USING btree ("tenant_id","batch_key");--> statement-breakpoint
CREATE INDEX "actuals_period_gl_idx" ON "actuals" USING btree ("tenant_id","period","gl_account_id");--> statement-breakpoint
CREATE INDEX "actuals_period_dept_idx" ON "actuals" USING btree ("tenant_id","period","department_id");--> statement-breakpoint
CREATE UNIQUE INDEX "budget_templates_name_uq" ON "budget_templates" USING btree ("tenant_id",lower("name")) WHERE NOT "budget_templates"."is_deleted";--> statement-breakpoint
CREATE UNIQUE INDEX "import_mappings_name_uq" ON "import_mappings" USING btree ("tenant_id",lower("name"));--> statement-breakpoint
CREATE INDEX "jobs_status_idx" ON "jobs" USING btree ("tenant_id","status","created_at");--> statement-breakpoint
CREATE INDEX "scenarios_budget_idx" ON "scenarios" USING btree ("tenant_id","budget_id");--> statement-breakpoint
CREATE UNIQUE INDEX "scenarios_name_uq" ON "scenarios" USING btree ("tenant_id","budget_id",lower("name")) WHERE NOT "scenarios"."is_deleted";--> statement-breakpoint
CREATE INDEX "workflow_events_budget_idx" ON "budget_workflow_events" USING btree ("tenant_id","budget_id","occurred_at");