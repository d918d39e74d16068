-- Every tenant policy reads app.tenant_id once per statement (a scalar sub-SELECT becomes an
-- InitPlan) instead of once per row, as 0013 did for the tables variance reads. Same predicate,
-- same rows visible and writable. Done generically so no table is left on the per-row form.
DO $$
DECLARE
  r record;
  col text;
BEGIN
  FOR r IN
    SELECT c.relname
    FROM pg_policy p
    JOIN pg_class c ON c.oid = p.polrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE p.polname = 'tenant_isolation' AND n.nspname = current_schema()
  LOOP
    col := CASE WHEN r.relname = 'tenants' THEN 'id' ELSE 'tenant_id' END;
    EXECUTE format(
      'ALTER POLICY tenant_isolation ON %I USING (%I = (SELECT nullif(current_setting(''app.tenant_id'', true), '''')::uuid)) WITH CHECK (%I = (SELECT nullif(current_setting(''app.tenant_id'', true), '''')::uuid))',
      r.relname, col, col);
  END LOOP;
END $$;
