CREATE TABLE "outbox_events" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"type" varchar(100) NOT NULL,
	"version" smallint NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_id" varchar(255) NOT NULL,
	"subject_type" varchar(50) NOT NULL,
	"subject_id" uuid NOT NULL,
	"payload" jsonb NOT NULL,
	"published_at" timestamp with time zone,
	"lease_until" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	CONSTRAINT "outbox_events_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE INDEX "outbox_events_type" ON "outbox_events" USING btree ("tenant_id","type","id");--> statement-breakpoint
CREATE INDEX "outbox_events_subject" ON "outbox_events" USING btree ("tenant_id","subject_id","id");--> statement-breakpoint
CREATE INDEX "outbox_events_unpublished" ON "outbox_events" USING btree ("occurred_at") WHERE "outbox_events"."published_at" IS NULL;--> statement-breakpoint
-- Grants and row-level security (the pattern of 0001_rls.sql in 0014's InitPlan form). The
-- application role writes events inside its tenant's transaction and reads them (GET /events);
-- it never updates or deletes one.
GRANT SELECT, INSERT ON outbox_events TO bf_app;
--> statement-breakpoint
ALTER TABLE outbox_events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE outbox_events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON outbox_events
  USING (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid));
--> statement-breakpoint
-- The relay publishes every tenant's events and marks them published. It runs as the role
-- bf_relay (SET LOCAL ROLE, like bf_app), which may read and update this one table across
-- tenants through its own policy. Unlike a sweep as the connection's owner role, this holds
-- when the owner is not a superuser: FORCE ROW LEVEL SECURITY binds a non-superuser owner too.
DO $$ BEGIN
  CREATE ROLE bf_relay NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
--> statement-breakpoint
DO $$ BEGIN
  EXECUTE format('GRANT bf_relay TO %I', current_user);
EXCEPTION WHEN others THEN NULL;
END $$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO bf_relay;
--> statement-breakpoint
GRANT SELECT, UPDATE (published_at, lease_until, attempts, last_error) ON outbox_events TO bf_relay;
--> statement-breakpoint
CREATE POLICY relay_all_tenants ON outbox_events TO bf_relay USING (true) WITH CHECK (true);
