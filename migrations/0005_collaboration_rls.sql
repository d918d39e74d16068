-- Grants and row-level security for the collaboration tables (see 0001_rls.sql for the pattern).
GRANT SELECT, INSERT, UPDATE, DELETE ON collaboration_sessions, collaboration_participants, collaboration_comments, collaboration_conflicts TO bf_app;
--> statement-breakpoint
-- The change log is append-only for the application: trimming (COLLABORATION_CHANGE_RETENTION)
-- goes through the owner's function below, which only removes the oldest rows of one session.
GRANT SELECT, INSERT ON collaboration_changes TO bf_app;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION bf_trim_collaboration_changes(p_session uuid, p_keep bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
  v_removed bigint;
BEGIN
  IF v_tenant IS NULL OR p_keep < 1 THEN
    RETURN 0;
  END IF;
  DELETE FROM collaboration_changes c
   WHERE c.tenant_id = v_tenant AND c.session_id = p_session
     AND c.sequence <= (SELECT s.last_sequence - p_keep FROM collaboration_sessions s
                         WHERE s.tenant_id = v_tenant AND s.id = p_session);
  GET DIAGNOSTICS v_removed = ROW_COUNT;
  RETURN v_removed;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION bf_trim_collaboration_changes(uuid, bigint) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION bf_trim_collaboration_changes(uuid, bigint) TO bf_app;
--> statement-breakpoint
ALTER TABLE collaboration_sessions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE collaboration_sessions FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON collaboration_sessions
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE collaboration_participants ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE collaboration_participants FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON collaboration_participants
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE collaboration_changes ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE collaboration_changes FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON collaboration_changes
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE collaboration_comments ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE collaboration_comments FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON collaboration_comments
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE collaboration_conflicts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE collaboration_conflicts FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON collaboration_conflicts
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
