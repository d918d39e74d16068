CREATE TABLE "department_scopes" (
	"tenant_id" uuid NOT NULL,
	"user_id" varchar(255) NOT NULL,
	"departments" text[] NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" varchar(255) NOT NULL,
	CONSTRAINT "department_scopes_tenant_id_user_id_pk" PRIMARY KEY("tenant_id","user_id"),
	CONSTRAINT "department_scopes_size" CHECK (cardinality("department_scopes"."departments") <= 1000)
);
--> statement-breakpoint
ALTER TABLE "department_scopes" ADD CONSTRAINT "department_scopes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Department scope (hand-written; docs/department-scope.md). A user with a row in
-- department_scopes sees and writes only the rows of those departments; a user without one
-- (and work with no user: migrations, seeds, the job queue's bookkeeping) is unrestricted.
-- withTenant sets app.user_id beside app.tenant_id; bf_department_scope() reads the user's
-- scope from the table, so a change applies to the next statement in every process (no cache).
-- Each policy is RESTRICTIVE: it narrows the tenant_isolation policy, never widens it, and
-- reads the scope once per statement ((SELECT ...) is an InitPlan, as in 0014).
GRANT SELECT, INSERT, UPDATE, DELETE ON department_scopes TO bf_app;
--> statement-breakpoint
ALTER TABLE department_scopes ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE department_scopes FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON department_scopes
  USING (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid));
--> statement-breakpoint
-- The acting user's department codes, or NULL when unrestricted. The one place that decides
-- what a scope entry covers: today a code covers itself; when department trees exist this
-- expands each entry to its subtree (the policies below stay as they are).
CREATE OR REPLACE FUNCTION bf_department_scope() RETURNS text[]
  LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT s.departments FROM department_scopes s
  WHERE s.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid
    AND s.user_id = nullif(current_setting('app.user_id', true), '')
$$;
--> statement-breakpoint
-- A line is in scope when its department is (a line naming no department is not).
CREATE POLICY department_scope ON budget_lines AS RESTRICTIVE
  USING ((SELECT bf_department_scope()) IS NULL OR department_id = ANY ((SELECT bf_department_scope())::text[]))
  WITH CHECK ((SELECT bf_department_scope()) IS NULL OR department_id = ANY ((SELECT bf_department_scope())::text[]));
--> statement-breakpoint
-- A budget is in scope when its own department is, or when it holds a line in scope (the
-- sub-SELECT on budget_lines is itself filtered by the policy above). A scoped user creates
-- only budgets of their own departments.
CREATE POLICY department_scope ON budgets AS RESTRICTIVE
  USING ((SELECT bf_department_scope()) IS NULL
    OR department_id = ANY ((SELECT bf_department_scope())::text[])
    OR id IN (SELECT l.budget_id FROM budget_lines l))
  WITH CHECK ((SELECT bf_department_scope()) IS NULL
    OR department_id = ANY ((SELECT bf_department_scope())::text[])
    OR id IN (SELECT l.budget_id FROM budget_lines l));
--> statement-breakpoint
CREATE POLICY department_scope_insert ON budgets AS RESTRICTIVE FOR INSERT
  WITH CHECK ((SELECT bf_department_scope()) IS NULL OR department_id = ANY ((SELECT bf_department_scope())::text[]));
--> statement-breakpoint
-- A line's periods follow the line.
CREATE POLICY department_scope ON budget_periods AS RESTRICTIVE
  USING ((SELECT bf_department_scope()) IS NULL OR line_id IN (SELECT l.id FROM budget_lines l))
  WITH CHECK ((SELECT bf_department_scope()) IS NULL OR line_id IN (SELECT l.id FROM budget_lines l));
--> statement-breakpoint
-- Actuals by their department: variance, its unmatched actuals and recommendations see only
-- the scope's postings (a posting naming no department is not in any scope).
CREATE POLICY department_scope ON actuals AS RESTRICTIVE
  USING ((SELECT bf_department_scope()) IS NULL OR department_id = ANY ((SELECT bf_department_scope())::text[]))
  WITH CHECK ((SELECT bf_department_scope()) IS NULL OR department_id = ANY ((SELECT bf_department_scope())::text[]));
--> statement-breakpoint
-- Collaboration follows its budget: a session on a budget out of scope does not exist for the user.
CREATE POLICY department_scope ON collaboration_sessions AS RESTRICTIVE
  USING ((SELECT bf_department_scope()) IS NULL OR budget_id IN (SELECT b.id FROM budgets b))
  WITH CHECK ((SELECT bf_department_scope()) IS NULL OR budget_id IN (SELECT b.id FROM budgets b));
--> statement-breakpoint
CREATE POLICY department_scope ON collaboration_participants AS RESTRICTIVE
  USING ((SELECT bf_department_scope()) IS NULL OR session_id IN (SELECT s.id FROM collaboration_sessions s))
  WITH CHECK ((SELECT bf_department_scope()) IS NULL OR session_id IN (SELECT s.id FROM collaboration_sessions s));
--> statement-breakpoint
CREATE POLICY department_scope ON collaboration_changes AS RESTRICTIVE
  USING ((SELECT bf_department_scope()) IS NULL OR session_id IN (SELECT s.id FROM collaboration_sessions s))
  WITH CHECK ((SELECT bf_department_scope()) IS NULL OR session_id IN (SELECT s.id FROM collaboration_sessions s));
--> statement-breakpoint
CREATE POLICY department_scope ON collaboration_conflicts AS RESTRICTIVE
  USING ((SELECT bf_department_scope()) IS NULL OR session_id IN (SELECT s.id FROM collaboration_sessions s))
  WITH CHECK ((SELECT bf_department_scope()) IS NULL OR session_id IN (SELECT s.id FROM collaboration_sessions s));
--> statement-breakpoint
-- Comments on a budget out of scope, or on a line out of scope, are hidden and refused.
CREATE POLICY department_scope ON collaboration_comments AS RESTRICTIVE
  USING ((SELECT bf_department_scope()) IS NULL OR (budget_id IN (SELECT b.id FROM budgets b)
    AND (line_id IS NULL OR line_id IN (SELECT l.id FROM budget_lines l))))
  WITH CHECK ((SELECT bf_department_scope()) IS NULL OR (budget_id IN (SELECT b.id FROM budgets b)
    AND (line_id IS NULL OR line_id IN (SELECT l.id FROM budget_lines l))));
--> statement-breakpoint
CREATE POLICY department_scope ON scenarios AS RESTRICTIVE
  USING ((SELECT bf_department_scope()) IS NULL OR budget_id IN (SELECT b.id FROM budgets b))
  WITH CHECK ((SELECT bf_department_scope()) IS NULL OR budget_id IN (SELECT b.id FROM budgets b));
--> statement-breakpoint
-- A recommendation bundle remembers the scope it was generated under (its figures cover only
-- that scope's rows); a scoped user sees the bundles built on their scope or a narrower one,
-- never one built on everything or on other departments.
ALTER TABLE recommendation_bundles ADD COLUMN department_scope text[] DEFAULT bf_department_scope();
--> statement-breakpoint
CREATE POLICY department_scope ON recommendation_bundles AS RESTRICTIVE
  USING ((SELECT bf_department_scope()) IS NULL OR (department_scope IS NOT NULL
    AND department_scope <@ (SELECT bf_department_scope()) AND budget_id IN (SELECT b.id FROM budgets b)))
  WITH CHECK ((SELECT bf_department_scope()) IS NULL OR (department_scope IS NOT NULL
    AND department_scope <@ (SELECT bf_department_scope()) AND budget_id IN (SELECT b.id FROM budgets b)));
--> statement-breakpoint
CREATE POLICY department_scope ON recommendations AS RESTRICTIVE
  USING ((SELECT bf_department_scope()) IS NULL OR bundle_id IN (SELECT r.id FROM recommendation_bundles r))
  WITH CHECK ((SELECT bf_department_scope()) IS NULL OR bundle_id IN (SELECT r.id FROM recommendation_bundles r));
--> statement-breakpoint
-- A scoped user's jobs are their own: another user's job result (a variance report) may hold
-- other departments' figures.
CREATE POLICY department_scope ON jobs AS RESTRICTIVE
  USING ((SELECT bf_department_scope()) IS NULL OR created_by = (SELECT current_setting('app.user_id', true)))
  WITH CHECK ((SELECT bf_department_scope()) IS NULL OR created_by = (SELECT current_setting('app.user_id', true)));
