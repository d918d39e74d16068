CREATE TABLE "idempotency_keys" (
	"tenant_id" uuid NOT NULL,
	"key" varchar(255) NOT NULL,
	"user_id" varchar(255) NOT NULL,
	"fingerprint" varchar(64) NOT NULL,
	"method" varchar(10) NOT NULL,
	"path" varchar(2048) NOT NULL,
	"status" smallint,
	"response_type" varchar(255),
	"response_location" varchar(2048),
	"response_body" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "idempotency_keys_tenant_id_key_pk" PRIMARY KEY("tenant_id","key")
);
--> statement-breakpoint
CREATE INDEX "idempotency_keys_created" ON "idempotency_keys" USING btree ("tenant_id","created_at");--> statement-breakpoint
-- Grants and row-level security (see 0001_rls.sql for the pattern; 0014's InitPlan form).
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO bf_app;
--> statement-breakpoint
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON idempotency_keys
  USING (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid));
