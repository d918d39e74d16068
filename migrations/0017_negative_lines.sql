ALTER TABLE "budget_lines" DROP CONSTRAINT "budget_lines_amount_range";--> statement-breakpoint
ALTER TABLE "budget_periods" DROP CONSTRAINT "budget_periods_amount_range";--> statement-breakpoint
ALTER TABLE "budget_lines" ADD COLUMN "is_contra" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "budget_lines" ADD CONSTRAINT "budget_lines_amount_sign" CHECK ((NOT "budget_lines"."is_contra" AND "budget_lines"."amount" >= 0) OR ("budget_lines"."is_contra" AND "budget_lines"."amount" <= 0));--> statement-breakpoint
ALTER TABLE "budget_lines" ADD CONSTRAINT "budget_lines_amount_range" CHECK (abs("budget_lines"."amount") <= 999999999999.99);--> statement-breakpoint
ALTER TABLE "budget_periods" ADD CONSTRAINT "budget_periods_amount_range" CHECK (abs("budget_periods"."amount") <= 999999999999.99);