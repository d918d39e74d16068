-- Grants and row-level security for the forecasting tables (see 0001_rls.sql for the pattern).
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON forecast_models, forecasts TO bf_app;
--> statement-breakpoint
ALTER TABLE forecast_models ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE forecast_models FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON forecast_models
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE forecasts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE forecasts FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON forecasts
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
