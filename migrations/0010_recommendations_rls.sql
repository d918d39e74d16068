-- Grants and row-level security for the recommendations tables (see 0001_rls.sql for the pattern).
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON recommendation_benchmarks, recommendation_bundles, recommendations TO bf_app;
--> statement-breakpoint
ALTER TABLE recommendation_benchmarks ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE recommendation_benchmarks FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON recommendation_benchmarks
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE recommendation_bundles ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE recommendation_bundles FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON recommendation_bundles
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE recommendations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE recommendations FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON recommendations
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
