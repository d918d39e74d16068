-- Periods reference their budget instead of their line (hand-written). A line FK costs one
-- probe of budget_lines per period row, and on a table without statistics that probe is planned
-- as a scan: 10,000 lines x 12 periods took minutes on a fresh database. Periods of a
-- hard-deleted line are deleted by the application in the same statement's transaction;
-- a hard-deleted budget still cascades to its periods.
ALTER TABLE "budget_periods" DROP CONSTRAINT IF EXISTS "budget_periods_tenant_id_line_id_budget_lines_tenant_id_id_fk";
--> statement-breakpoint
ALTER TABLE "budget_periods" ADD CONSTRAINT "budget_periods_tenant_id_budget_id_budgets_tenant_id_id_fk" FOREIGN KEY ("tenant_id","budget_id") REFERENCES "public"."budgets"("tenant_id","id") ON DELETE cascade ON UPDATE no action;
