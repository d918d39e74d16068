CREATE TYPE "public"."bf_allocation_method" AS ENUM('direct', 'percentage', 'headcount', 'revenue', 'square_footage', 'custom');--> statement-breakpoint
CREATE TYPE "public"."bf_budget_status" AS ENUM('draft', 'under_review', 'approved', 'active', 'locked', 'rejected', 'archived');--> statement-breakpoint
CREATE TYPE "public"."bf_budget_type" AS ENUM('annual', 'quarterly', 'monthly', 'project', 'rolling');--> statement-breakpoint
CREATE TYPE "public"."bf_line_type" AS ENUM('revenue', 'expense', 'asset', 'liability');--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"user_id" varchar(255) NOT NULL,
	"action" varchar(100) NOT NULL,
	"entity_type" varchar(100) NOT NULL,
	"entity_id" uuid,
	"before" jsonb,
	"after" jsonb,
	"request_id" varchar(100),
	CONSTRAINT "audit_log_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "budget_lines" (
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
	"line_name" varchar(255) NOT NULL,
	"line_type" "bf_line_type" NOT NULL,
	"category" varchar(100) NOT NULL,
	"subcategory" varchar(100),
	"amount" numeric(15, 2) NOT NULL,
	"quantity" numeric(15, 4),
	"unit_cost" numeric(15, 2),
	"allocation_method" "bf_allocation_method" DEFAULT 'direct' NOT NULL,
	"allocation_percentage" numeric(5, 2),
	"allocation_driver" varchar(100),
	"department_id" varchar(255),
	"cost_center_id" varchar(255),
	"gl_account_id" varchar(255),
	"description" varchar(1000),
	"notes" varchar(2000),
	"requires_approval" boolean DEFAULT false NOT NULL,
	"approval_threshold" numeric(15, 2),
	"line_order" integer DEFAULT 0 NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "budget_lines_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "budget_lines_amount_range" CHECK ("budget_lines"."amount" >= 0 AND "budget_lines"."amount" <= 999999999999.99),
	CONSTRAINT "budget_lines_allocation_percentage_range" CHECK ("budget_lines"."allocation_percentage" IS NULL OR ("budget_lines"."allocation_percentage" >= 0 AND "budget_lines"."allocation_percentage" <= 100)),
	CONSTRAINT "budget_lines_quantity_nonneg" CHECK ("budget_lines"."quantity" IS NULL OR "budget_lines"."quantity" >= 0),
	CONSTRAINT "budget_lines_unit_cost_nonneg" CHECK ("budget_lines"."unit_cost" IS NULL OR "budget_lines"."unit_cost" >= 0),
	CONSTRAINT "budget_lines_threshold_nonneg" CHECK ("budget_lines"."approval_threshold" IS NULL OR "budget_lines"."approval_threshold" >= 0),
	CONSTRAINT "budget_lines_version_positive" CHECK ("budget_lines"."version" >= 1)
);
--> statement-breakpoint
CREATE TABLE "budgets" (
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
	"budget_name" varchar(255) NOT NULL,
	"budget_type" "bf_budget_type" NOT NULL,
	"fiscal_year" varchar(4) NOT NULL,
	"total_amount" numeric(15, 2) NOT NULL,
	"base_currency" varchar(3) NOT NULL,
	"status" "bf_budget_status" DEFAULT 'draft' NOT NULL,
	"approval_workflow_id" varchar(255),
	"approved_at" timestamp with time zone,
	"approved_by" varchar(255),
	"department_id" varchar(255),
	"cost_center_id" varchar(255),
	"project_id" varchar(255),
	"description" varchar(2000),
	"notes" varchar(5000),
	"tags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"template_id" varchar(255),
	"template_version" integer,
	CONSTRAINT "budgets_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "budgets_total_amount_range" CHECK ("budgets"."total_amount" >= 0 AND "budgets"."total_amount" <= 999999999999.99),
	CONSTRAINT "budgets_fiscal_year_format" CHECK ("budgets"."fiscal_year" ~ '^[0-9]{4}$'),
	CONSTRAINT "budgets_currency_format" CHECK ("budgets"."base_currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "budgets_name_length" CHECK (char_length(btrim("budgets"."budget_name")) >= 3),
	CONSTRAINT "budgets_approved_has_approver" CHECK ("budgets"."status" <> 'approved' OR "budgets"."approved_by" IS NOT NULL),
	CONSTRAINT "budgets_template_version" CHECK ("budgets"."template_id" IS NULL OR "budgets"."template_version" IS NOT NULL),
	CONSTRAINT "budgets_version_positive" CHECK ("budgets"."version" >= 1)
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" uuid PRIMARY KEY NOT NULL,
	"external_key" varchar(255) NOT NULL,
	"name" varchar(255) NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenants_external_key_unique" UNIQUE("external_key")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"email" varchar(320) NOT NULL,
	"display_name" varchar(255),
	"password_hash" text NOT NULL,
	"roles" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone,
	CONSTRAINT "users_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "budget_lines" ADD CONSTRAINT "budget_lines_tenant_id_budget_id_budgets_tenant_id_id_fk" FOREIGN KEY ("tenant_id","budget_id") REFERENCES "public"."budgets"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "budgets" ADD CONSTRAINT "budgets_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_entity_idx" ON "audit_log" USING btree ("tenant_id","entity_type","entity_id");--> statement-breakpoint
CREATE INDEX "audit_log_time_idx" ON "audit_log" USING btree ("tenant_id","occurred_at");--> statement-breakpoint
CREATE INDEX "budget_lines_budget_idx" ON "budget_lines" USING btree ("tenant_id","budget_id","line_order");--> statement-breakpoint
CREATE INDEX "budget_lines_category_idx" ON "budget_lines" USING btree ("tenant_id","category");--> statement-breakpoint
CREATE INDEX "budget_lines_department_idx" ON "budget_lines" USING btree ("tenant_id","department_id");--> statement-breakpoint
CREATE INDEX "budget_lines_gl_account_idx" ON "budget_lines" USING btree ("tenant_id","gl_account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "budgets_name_year_uq" ON "budgets" USING btree ("tenant_id","fiscal_year",lower("budget_name")) WHERE NOT "budgets"."is_deleted";--> statement-breakpoint
CREATE INDEX "budgets_fiscal_year_idx" ON "budgets" USING btree ("tenant_id","fiscal_year");--> statement-breakpoint
CREATE INDEX "budgets_status_idx" ON "budgets" USING btree ("tenant_id","status");--> statement-breakpoint
CREATE INDEX "budgets_department_idx" ON "budgets" USING btree ("tenant_id","department_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_tenant_email_uq" ON "users" USING btree ("tenant_id",lower("email"));