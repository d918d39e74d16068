CREATE TABLE "audit_chain_heads" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"head_hash" char(64) NOT NULL
);
--> statement-breakpoint
ALTER TABLE "jobs" ALTER COLUMN "max_attempts" SET DEFAULT 4;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "prev_hash" char(64) DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "row_hash" char(64) DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "attempt_history" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
-- (Above: jobs run at most 4 times, the first run and 3 retries, each attempt kept in attempt_history.)
-- The tamper-evident audit trail (hand-written; docs/operations.md "Audit hash chain").
-- Each tenant's audit rows form a chain: row n stores seq = n, prev_hash = row n-1's row_hash
-- (64 zeros for n = 1, the genesis) and row_hash = sha256 of the canonical text below. The
-- chain head (audit_chain_heads) holds the last seq and hash; every insert locks it, so the
-- rows of a tenant are chained one transaction at a time, in the inserting transaction.
--
-- Canonical text: a JSON array as PostgreSQL's jsonb prints it (deterministic: jsonb keys are
-- ordered, NUMERIC keeps its digits and scale), timestamps as ISO 8601 in UTC with
-- microseconds, rendered by the database, so no client's clock, time zone or number
-- formatting takes part.
CREATE OR REPLACE FUNCTION audit_row_hash(prev text, a audit_log) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(jsonb_build_array(
    prev, a.tenant_id::text, a.seq::text, a.id::text,
    to_char(a.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    a.user_id, a.action, a.entity_type, a.entity_id::text, a.before, a.after, a.request_id
  )::text, 'UTF8')), 'hex')
$$;
--> statement-breakpoint
-- Existing rows: the chain is backfilled here, per tenant in id order (UUIDv7, time order),
-- so verification covers the whole history. FORCE is lifted for the owner meanwhile (an owner
-- that is not a superuser would otherwise see no rows) and restored below.
ALTER TABLE audit_log NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
DO $$
DECLARE
  r audit_log%ROWTYPE;
  cur uuid;
  n bigint := 0;
  prev text;
BEGIN
  FOR r IN SELECT * FROM audit_log ORDER BY tenant_id, id LOOP
    IF cur IS DISTINCT FROM r.tenant_id THEN
      IF cur IS NOT NULL THEN
        INSERT INTO audit_chain_heads (tenant_id, seq, head_hash) VALUES (cur, n, prev);
      END IF;
      cur := r.tenant_id;
      n := 0;
      prev := repeat('0', 64);
    END IF;
    n := n + 1;
    r.seq := n;
    r.prev_hash := prev;
    r.row_hash := audit_row_hash(prev, r);
    UPDATE audit_log SET seq = r.seq, prev_hash = r.prev_hash, row_hash = r.row_hash
      WHERE tenant_id = r.tenant_id AND id = r.id;
    prev := r.row_hash;
  END LOOP;
  IF cur IS NOT NULL THEN
    INSERT INTO audit_chain_heads (tenant_id, seq, head_hash) VALUES (cur, n, prev);
  END IF;
END $$;
--> statement-breakpoint
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE UNIQUE INDEX "audit_log_chain_idx" ON "audit_log" USING btree ("tenant_id","seq");
--> statement-breakpoint
-- Every insert is chained by the database, whoever inserts: the head row is created or locked
-- (INSERT ... ON CONFLICT DO UPDATE takes its row lock, also for the first two concurrent
-- inserts of a new tenant), the row gets the next seq and the head's hash, and the head moves.
CREATE OR REPLACE FUNCTION audit_log_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  next_seq bigint;
  prev text;
BEGIN
  INSERT INTO audit_chain_heads AS h (tenant_id, seq, head_hash)
    VALUES (NEW.tenant_id, 1, repeat('0', 64))
    ON CONFLICT (tenant_id) DO UPDATE SET seq = h.seq + 1
    RETURNING h.seq, h.head_hash INTO next_seq, prev;
  NEW.seq := next_seq;
  NEW.prev_hash := prev;
  NEW.row_hash := audit_row_hash(prev, NEW);
  UPDATE audit_chain_heads SET head_hash = NEW.row_hash WHERE tenant_id = NEW.tenant_id;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_chain();
--> statement-breakpoint
-- The application moves the head (through the trigger) and never deletes it.
GRANT SELECT, INSERT, UPDATE ON audit_chain_heads TO bf_app;
--> statement-breakpoint
ALTER TABLE audit_chain_heads ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE audit_chain_heads FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON audit_chain_heads
  USING (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid));
