CREATE TABLE "collaboration_changes" (
	"tenant_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"sequence" bigint NOT NULL,
	"change_type" varchar(50) NOT NULL,
	"target_type" varchar(30),
	"target_id" uuid,
	"user_id" varchar(255) NOT NULL,
	"origin" varchar(200),
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "collaboration_changes_tenant_id_session_id_sequence_pk" PRIMARY KEY("tenant_id","session_id","sequence"),
	CONSTRAINT "collaboration_changes_sequence_positive" CHECK ("collaboration_changes"."sequence" >= 1)
);
--> statement-breakpoint
CREATE TABLE "collaboration_comments" (
	"id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"budget_id" uuid NOT NULL,
	"line_id" uuid,
	"session_id" uuid,
	"user_id" varchar(255) NOT NULL,
	"body" varchar(5000) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "collaboration_comments_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "collaboration_conflicts" (
	"id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"target_type" varchar(30) NOT NULL,
	"target_id" uuid NOT NULL,
	"user_id" varchar(255) NOT NULL,
	"proposed_changes" jsonb NOT NULL,
	"base_version" integer,
	"current_value" jsonb NOT NULL,
	"conflicting_sequences" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" varchar(20) DEFAULT 'pending' NOT NULL,
	"resolved_by" varchar(255),
	"resolved_at" timestamp with time zone,
	"resolution" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "collaboration_conflicts_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "collaboration_participants" (
	"id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"user_id" varchar(255) NOT NULL,
	"user_name" varchar(255) NOT NULL,
	"role" varchar(20) NOT NULL,
	"permissions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	"left_at" timestamp with time zone,
	"connection_count" integer DEFAULT 0 NOT NULL,
	"last_seen_at" timestamp with time zone,
	CONSTRAINT "collaboration_participants_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "collaboration_participants_connections_nonneg" CHECK ("collaboration_participants"."connection_count" >= 0)
);
--> statement-breakpoint
CREATE TABLE "collaboration_sessions" (
	"id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"budget_id" uuid NOT NULL,
	"session_name" varchar(255) NOT NULL,
	"session_type" varchar(30) NOT NULL,
	"max_participants" integer NOT NULL,
	"permissions" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"conflict_strategy" varchar(30) NOT NULL,
	"status" varchar(20) DEFAULT 'active' NOT NULL,
	"last_sequence" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" varchar(255) NOT NULL,
	"closed_at" timestamp with time zone,
	"closed_by" varchar(255),
	CONSTRAINT "collaboration_sessions_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "collaboration_sessions_max_participants" CHECK ("collaboration_sessions"."max_participants" BETWEEN 1 AND 10000),
	CONSTRAINT "collaboration_sessions_sequence_nonneg" CHECK ("collaboration_sessions"."last_sequence" >= 0)
);
--> statement-breakpoint
ALTER TABLE "collaboration_changes" ADD CONSTRAINT "collaboration_changes_tenant_id_session_id_collaboration_sessions_tenant_id_id_fk" FOREIGN KEY ("tenant_id","session_id") REFERENCES "public"."collaboration_sessions"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collaboration_comments" ADD CONSTRAINT "collaboration_comments_tenant_id_budget_id_budgets_tenant_id_id_fk" FOREIGN KEY ("tenant_id","budget_id") REFERENCES "public"."budgets"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collaboration_conflicts" ADD CONSTRAINT "collaboration_conflicts_tenant_id_session_id_collaboration_sessions_tenant_id_id_fk" FOREIGN KEY ("tenant_id","session_id") REFERENCES "public"."collaboration_sessions"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collaboration_participants" ADD CONSTRAINT "collaboration_participants_tenant_id_session_id_collaboration_sessions_tenant_id_id_fk" FOREIGN KEY ("tenant_id","session_id") REFERENCES "public"."collaboration_sessions"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collaboration_sessions" ADD CONSTRAINT "collaboration_sessions_tenant_id_budget_id_budgets_tenant_id_id_fk" FOREIGN KEY ("tenant_id","budget_id") REFERENCES "public"."budgets"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "collaboration_changes_target_idx" ON "collaboration_changes" USING btree ("tenant_id","session_id","target_id","created_at");--> statement-breakpoint
CREATE INDEX "collaboration_comments_budget_idx" ON "collaboration_comments" USING btree ("tenant_id","budget_id","line_id","created_at");--> statement-breakpoint
CREATE INDEX "collaboration_conflicts_session_idx" ON "collaboration_conflicts" USING btree ("tenant_id","session_id","status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "collaboration_participants_user_uq" ON "collaboration_participants" USING btree ("tenant_id","session_id","user_id");--> statement-breakpoint
CREATE INDEX "collaboration_sessions_budget_idx" ON "collaboration_sessions" USING btree ("tenant_id","budget_id","status");