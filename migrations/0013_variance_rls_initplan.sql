-- The tenant policies of the tables variance reads compare tenant_id with current_setting(...)
-- evaluated for every row (a STABLE function call is not folded): on 1,000,000 actuals that is
-- over a hundred milliseconds. Wrapped in a scalar sub-SELECT the setting is read once per
-- statement (an InitPlan) and the per-row check is a plain uuid comparison. Same predicate, same
-- rows visible and writable.
ALTER POLICY tenant_isolation ON actuals
  USING (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid));
--> statement-breakpoint
ALTER POLICY tenant_isolation ON budget_periods
  USING (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid));
--> statement-breakpoint
ALTER POLICY tenant_isolation ON budget_lines
  USING (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid));
--> statement-breakpoint
ALTER POLICY tenant_isolation ON fx_rates
  USING (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid));
