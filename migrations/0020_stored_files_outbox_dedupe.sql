CREATE TABLE "stored_file_chunks" (
	"tenant_id" uuid NOT NULL,
	"storage_key" varchar(1024) NOT NULL,
	"seq" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "stored_file_chunks_tenant_id_storage_key_seq_pk" PRIMARY KEY("tenant_id","storage_key","seq")
);
--> statement-breakpoint
CREATE TABLE "stored_files" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"kind" varchar(50) NOT NULL,
	"name" varchar(255) NOT NULL,
	"content_type" varchar(255) NOT NULL,
	"size" bigint NOT NULL,
	"sha256" char(64) NOT NULL,
	"storage" varchar(10) NOT NULL,
	"storage_key" varchar(1024) NOT NULL,
	"ref_type" varchar(50),
	"ref_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" varchar(255) NOT NULL,
	CONSTRAINT "stored_files_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "outbox_events" ADD COLUMN "dedupe_key" varchar(200);--> statement-breakpoint
CREATE INDEX "stored_files_ref_idx" ON "stored_files" USING btree ("tenant_id","ref_id","id");--> statement-breakpoint
CREATE INDEX "stored_files_kind_idx" ON "stored_files" USING btree ("tenant_id","kind","id");--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_events_dedupe_uq" ON "outbox_events" USING btree ("tenant_id","dedupe_key");--> statement-breakpoint
-- Grants and row-level security (the InitPlan form of 0014). Stored files are kept for audit:
-- the application inserts and reads them; it deletes only bytes and rows of a write that failed.
GRANT SELECT, INSERT, DELETE ON stored_files TO bf_app;
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON stored_file_chunks TO bf_app;
--> statement-breakpoint
ALTER TABLE stored_files ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE stored_files FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON stored_files
  USING (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid));
--> statement-breakpoint
ALTER TABLE stored_file_chunks ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE stored_file_chunks FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON stored_file_chunks
  USING (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid));
--> statement-breakpoint
-- The relay purges published events past EVENTS_RETENTION_DAYS (docs/events.md "Retention").
GRANT DELETE ON outbox_events TO bf_relay;
