CREATE TABLE "actual_uploads" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"data" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "actual_uploads_tenant_id_id_seq_pk" PRIMARY KEY("tenant_id","id","seq")
);
--> statement-breakpoint
-- Staged upload bytes: the application writes, reads and deletes them; RLS as on every tenant table.
GRANT SELECT, INSERT, DELETE ON actual_uploads TO bf_app;
--> statement-breakpoint
ALTER TABLE actual_uploads ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE actual_uploads FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON actual_uploads
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
