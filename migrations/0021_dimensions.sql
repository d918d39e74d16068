CREATE TABLE "dimension_members" (
	"tenant_id" uuid NOT NULL,
	"dimension" varchar(20) NOT NULL,
	"code" varchar(255) NOT NULL,
	"name" varchar(255) NOT NULL,
	"parent_code" varchar(255),
	"account_type" varchar(20),
	"sort_order" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" varchar(255) NOT NULL,
	"updated_at" timestamp with time zone,
	"updated_by" varchar(255),
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "dimension_members_tenant_id_dimension_code_pk" PRIMARY KEY("tenant_id","dimension","code"),
	CONSTRAINT "dimension_members_dimension" CHECK ("dimension_members"."dimension" IN ('department', 'cost_center', 'gl_account', 'fund')),
	CONSTRAINT "dimension_members_not_own_parent" CHECK ("dimension_members"."parent_code" IS NULL OR "dimension_members"."parent_code" <> "dimension_members"."code"),
	CONSTRAINT "dimension_members_account_type" CHECK (("dimension_members"."dimension" = 'gl_account' AND "dimension_members"."account_type" IN ('revenue', 'expense', 'asset', 'liability', 'equity'))
        OR ("dimension_members"."dimension" <> 'gl_account' AND "dimension_members"."account_type" IS NULL)),
	CONSTRAINT "dimension_members_code_length" CHECK (char_length(btrim("dimension_members"."code")) >= 1),
	CONSTRAINT "dimension_members_name_length" CHECK (char_length(btrim("dimension_members"."name")) >= 1)
);
--> statement-breakpoint
ALTER TABLE "dimension_members" ADD CONSTRAINT "dimension_members_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dimension_members_parent_idx" ON "dimension_members" USING btree ("tenant_id","dimension","parent_code");--> statement-breakpoint
-- Hand-written (docs/dimensions.md): grants, forced RLS, the tree triggers, and the department
-- scope's subtree expansion.
GRANT SELECT, INSERT, UPDATE, DELETE ON dimension_members TO bf_app;
--> statement-breakpoint
ALTER TABLE dimension_members ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE dimension_members FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON dimension_members
  USING (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid));
--> statement-breakpoint
-- The tree rules, checked once per statement over the rows it wrote (transition tables), so that
-- a 10,000-member import is three set-wise queries instead of 10,000 per-row checks:
--  * every parent is a member of the same tenant and dimension (inserted in the same statement
--    or before: a file may list children before their parents);
--  * no cycle: from every row inserted or re-parented, walk up its ancestors; a walk that comes
--    back to where it started is a cycle. A cycle the statement made passes through one of its
--    rows, so these walks find it; the tree was acyclic before, so every other walk ends at a
--    root (the depth bound only guards against the impossible);
--  * a member is not removed (or re-coded) from under its children.
-- Hash joins: inside an import the planner has no statistics for the rows just written, and a
-- nested loop over them is quadratic. And no JIT: disabling nested loops adds PostgreSQL's
-- disable_cost (1e10) to the plans that keep one, far above jit_above_cost, and compiling them
-- costs ~300 ms a statement.
CREATE OR REPLACE FUNCTION bf_dimension_members_tree() RETURNS trigger
  LANGUAGE plpgsql
  SET enable_nestloop = off
  SET jit = off
AS $$
DECLARE
  bad record;
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    SELECT c.dimension, c.code, c.parent_code INTO bad FROM changed c
    WHERE c.parent_code IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM dimension_members p
      WHERE p.tenant_id = c.tenant_id AND p.dimension = c.dimension AND p.code = c.parent_code)
    LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'unknown_parent: % member % names parent % that is not a member', bad.dimension, bad.code, bad.parent_code
        USING ERRCODE = '23503', CONSTRAINT = 'dimension_members_parent';
    END IF;
    WITH RECURSIVE up(tenant_id, dimension, start, code, depth) AS (
      SELECT n.tenant_id, n.dimension, n.code, n.parent_code, 1 FROM changed n WHERE n.parent_code IS NOT NULL
      UNION ALL
      SELECT u.tenant_id, u.dimension, u.start, m.parent_code, u.depth + 1
      FROM up u JOIN dimension_members m
        ON m.tenant_id = u.tenant_id AND m.dimension = u.dimension AND m.code = u.code
      WHERE m.parent_code IS NOT NULL AND u.code <> u.start AND u.depth < 100000
    )
    SELECT up.dimension, up.start AS code INTO bad FROM up WHERE up.code = up.start LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'dimension_cycle: % member % would be its own ancestor', bad.dimension, bad.code
        USING ERRCODE = '23514', CONSTRAINT = 'dimension_members_acyclic';
    END IF;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    SELECT m.dimension, m.code, m.parent_code INTO bad FROM dimension_members m
    JOIN (SELECT DISTINCT o.tenant_id, o.dimension, o.code FROM removed o) o
      ON m.tenant_id = o.tenant_id AND m.dimension = o.dimension AND m.parent_code = o.code
    WHERE NOT EXISTS (
      SELECT 1 FROM dimension_members p
      WHERE p.tenant_id = m.tenant_id AND p.dimension = m.dimension AND p.code = m.parent_code)
    LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'member_has_children: % member % still has child %', bad.dimension, bad.parent_code, bad.code
        USING ERRCODE = '23503', CONSTRAINT = 'dimension_members_parent';
    END IF;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER dimension_members_tree_insert AFTER INSERT ON dimension_members
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bf_dimension_members_tree();
--> statement-breakpoint
CREATE TRIGGER dimension_members_tree_update AFTER UPDATE ON dimension_members
  REFERENCING OLD TABLE AS removed NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bf_dimension_members_tree();
--> statement-breakpoint
CREATE TRIGGER dimension_members_tree_delete AFTER DELETE ON dimension_members
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION bf_dimension_members_tree();
--> statement-breakpoint
-- The acting user's department codes, or NULL when unrestricted (0019). A scope entry now covers
-- the department and its whole subtree in the tenant's department tree (dimension
-- 'department'); a code that is no member covers itself, as before trees existed. The policies
-- of 0019 stay as they are: they read this function once per statement, so it must stay cheap:
-- the walk down is one index probe (dimension_members_parent_idx) per member of the subtree, and
-- it runs only for a scoped user (the recursion starts from the user's scope entries). No
-- planner settings here: `SET enable_nestloop = off` made every statement of a scoped or
-- unscoped user pay ~300 ms of JIT compilation on PostgreSQL (disable_cost is above
-- jit_above_cost).
CREATE OR REPLACE FUNCTION bf_department_scope() RETURNS text[]
  LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  WITH RECURSIVE scope AS (
    SELECT s.departments FROM department_scopes s
    WHERE s.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid
      AND s.user_id = nullif(current_setting('app.user_id', true), '')
  ),
  sub(code) AS (
    SELECT d::varchar FROM scope, unnest(scope.departments) d
    UNION
    SELECT m.code FROM sub JOIN dimension_members m
      ON m.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid
      AND m.dimension = 'department' AND m.parent_code = sub.code
  )
  SELECT CASE WHEN EXISTS (SELECT 1 FROM scope)
    THEN coalesce((SELECT array_agg(DISTINCT code::text ORDER BY code::text) FROM sub), '{}'::text[]) END
$$;
