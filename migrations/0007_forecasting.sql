CREATE TABLE "forecast_models" (
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
	"algorithm" varchar(30) NOT NULL,
	"hyperparameters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"target_variable" varchar(100) DEFAULT 'amount' NOT NULL,
	"features" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"training_config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" varchar(20) DEFAULT 'draft' NOT NULL,
	"series_spec" jsonb,
	"training_job_id" uuid,
	"trained_at" timestamp with time zone,
	"training_error" text,
	"metrics" jsonb,
	"artifact" jsonb,
	CONSTRAINT "forecast_models_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "forecast_models_status_valid" CHECK ("forecast_models"."status" IN ('draft', 'training', 'trained', 'failed')),
	CONSTRAINT "forecast_models_version_positive" CHECK ("forecast_models"."version" >= 1)
);
--> statement-breakpoint
CREATE TABLE "forecasts" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"model_id" uuid NOT NULL,
	"scenario_name" varchar(255) NOT NULL,
	"start_period" date NOT NULL,
	"horizon" smallint NOT NULL,
	"level" numeric(4, 1) NOT NULL,
	"model_used" varchar(100) NOT NULL,
	"predictions" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" varchar(255) NOT NULL,
	CONSTRAINT "forecasts_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "forecasts_horizon_range" CHECK ("forecasts"."horizon" >= 1 AND "forecasts"."horizon" <= 120),
	CONSTRAINT "forecasts_level_range" CHECK ("forecasts"."level" > 0 AND "forecasts"."level" < 100),
	CONSTRAINT "forecasts_start_first_day" CHECK (extract(day from "forecasts"."start_period") = 1)
);
--> statement-breakpoint
ALTER TABLE "forecasts" ADD CONSTRAINT "forecasts_tenant_id_model_id_forecast_models_tenant_id_id_fk" FOREIGN KEY ("tenant_id","model_id") REFERENCES "public"."forecast_models"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "forecast_models_name_uq" ON "forecast_models" USING btree ("tenant_id",lower("name")) WHERE NOT "forecast_models"."is_deleted";--> statement-breakpoint
CREATE INDEX "forecasts_model_idx" ON "forecasts" USING btree ("tenant_id","model_id","created_at");