import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { openDatabase, queryRows } from '../../platform/db/client.ts';
import { MIGRATIONS_DIR } from '../../platform/db/migrate.ts';
import { tenantIdFromKey, withTenant } from '../../platform/tenancy/tenancy.ts';
import { GENESIS_HASH, verifyAuditChain } from './audit.chain.ts';

describe.each(backends())('audit hash chain (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t.close());

  /** A tenant with `n` budgets created (n audit rows), its token and id. */
  async function tenantWith(n: number) {
    const tenant = newTenant();
    const token = await t.token(tenant);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await t.call('POST', '/budgets', token, budgetBody({ total_amount: '1234.50' }));
      expect(res.statusCode).toBe(201);
      ids.push(res.json().budget_id);
    }
    return { tenant, token, tid: tenantIdFromKey(tenant), ids };
  }

  /** The tenant's audit rows in chain order, read by the database owner (no RLS for the owner role here). */
  const chain = (tid: string) =>
    withTenant(t.platform.database.db, tid, (tx) =>
      queryRows<{ id: string; seq: string; prev_hash: string; row_hash: string }>(
        tx,
        sql`SELECT a.id, a.seq::text AS seq, a.prev_hash, a.row_hash FROM audit_log a ORDER BY a.seq`,
      ),
    );
  // The owner's own connection: the migrations' role, which RLS does not bind on these test databases.
  const asOwner = (q: ReturnType<typeof sql>) => t.platform.database.db.execute(q);

  it('chains every row: seq 1..n, each prev_hash the previous row_hash, the first the genesis', async () => {
    const { tid } = await tenantWith(3);
    const rows = await chain(tid);
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3]);
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
    expect(rows[1]!.prev_hash).toBe(rows[0]!.row_hash);
    expect(rows[2]!.prev_hash).toBe(rows[1]!.row_hash);
    const report = await verifyAuditChain(t.platform.database.db, tid);
    expect(report).toMatchObject({ ok: true, rowsChecked: 3, firstBroken: null });
    expect(report.head).toEqual({ seq: 3, hash: rows[2]!.row_hash });
  });

  it('GET /audit/verify answers ok for an intact chain and needs audit:verify (an admin permission)', async () => {
    const { token, tenant } = await tenantWith(2);
    const res = await t.call('GET', '/audit/verify', token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, rows_checked: 2, first_broken: null, head: { seq: 2 } });
    const planner = await t.token(tenant, { roles: ['planner'] });
    expect((await t.call('GET', '/audit/verify', planner)).statusCode).toBe(403);
  });

  it('detects a row edited in place by the database owner (amount in the after image), naming the row and both hashes', async () => {
    const { tid, token } = await tenantWith(3);
    const rows = await chain(tid);
    const victim = rows[1]!;
    await asOwner(
      sql`UPDATE audit_log SET after = jsonb_set(after, '{total_amount}', '"9999.00"')
           WHERE tenant_id = ${tid} AND id = ${victim.id}`,
    );
    const res = await t.call('GET', '/audit/verify', token);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.ok).toBe(false);
    expect(body.rows_checked).toBe(1);
    expect(body.first_broken).toMatchObject({
      audit_id: victim.id,
      seq: 2,
      problem: 'row_hash_mismatch',
      stored: victim.row_hash,
    });
    expect(body.first_broken.expected).toMatch(/^[0-9a-f]{64}$/);
    expect(body.first_broken.expected).not.toBe(victim.row_hash);
  });

  it('detects an edited timestamp (a microsecond is enough)', async () => {
    const { tid } = await tenantWith(2);
    const rows = await chain(tid);
    await asOwner(
      sql`UPDATE audit_log SET occurred_at = occurred_at + interval '1 microsecond'
           WHERE tenant_id = ${tid} AND id = ${rows[0]!.id}`,
    );
    const report = await verifyAuditChain(t.platform.database.db, tid);
    expect(report.firstBroken).toMatchObject({ auditId: rows[0]!.id, problem: 'row_hash_mismatch' });
  });

  it('detects a deleted row in the middle (the next row) and at the end (the head)', async () => {
    const { tid } = await tenantWith(4);
    const rows = await chain(tid);
    await asOwner(sql`DELETE FROM audit_log WHERE tenant_id = ${tid} AND id = ${rows[1]!.id}`);
    const middle = await verifyAuditChain(t.platform.database.db, tid);
    expect(middle.firstBroken).toMatchObject({
      auditId: rows[2]!.id,
      seq: 3,
      problem: 'seq_mismatch',
      expected: '2',
      stored: '3',
    });

    const other = await tenantWith(3);
    const last = (await chain(other.tid))[2]!;
    await asOwner(sql`DELETE FROM audit_log WHERE tenant_id = ${other.tid} AND id = ${last.id}`);
    const end = await verifyAuditChain(t.platform.database.db, other.tid);
    expect(end.firstBroken).toMatchObject({ auditId: null, seq: 3, problem: 'head_mismatch' });
    expect(end.firstBroken!.expected).toBe(`seq 3 ${last.row_hash}`);
  });

  it('detects a deleted row whose successors were renumbered (the prev_hash link)', async () => {
    const { tid } = await tenantWith(3);
    const rows = await chain(tid);
    await asOwner(sql`DELETE FROM audit_log WHERE tenant_id = ${tid} AND id = ${rows[0]!.id}`);
    await asOwner(sql`UPDATE audit_log SET seq = seq - 1 WHERE tenant_id = ${tid}`);
    const report = await verifyAuditChain(t.platform.database.db, tid);
    expect(report.firstBroken).toMatchObject({
      auditId: rows[1]!.id,
      seq: 1,
      problem: 'prev_hash_mismatch',
      expected: GENESIS_HASH,
      stored: rows[0]!.row_hash,
    });
  });

  it('detects a row inserted behind the trigger, even with a correctly computed hash (the head)', async () => {
    const { tid } = await tenantWith(2);
    const rows = await chain(tid);
    // The owner forges a well-formed third link without going through the chain head.
    await asOwner(sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_chain`);
    try {
      await asOwner(
        sql`INSERT INTO audit_log (id, tenant_id, user_id, action, entity_type, seq, prev_hash, row_hash)
            VALUES (gen_random_uuid(), ${tid}, 'mallory', 'budget.deleted', 'budget', 3, ${rows[1]!.row_hash}, '')`,
      );
      await asOwner(
        sql`UPDATE audit_log a SET row_hash = audit_row_hash(a.prev_hash, a) WHERE tenant_id = ${tid} AND seq = 3`,
      );
    } finally {
      await asOwner(sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_chain`);
    }
    const report = await verifyAuditChain(t.platform.database.db, tid);
    expect(report.rowsChecked).toBe(2);
    expect(report.firstBroken).toMatchObject({ problem: 'head_mismatch', seq: 2 });
    expect(report.firstBroken!.stored).toContain('rows past the head');
  });

  it('chains concurrent writers of one tenant without gaps or forks', async () => {
    const { tid, token } = await tenantWith(0);
    const results = await Promise.all(
      Array.from({ length: 12 }, () => t.call('POST', '/budgets', token, budgetBody())),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(12).fill(201));
    const rows = await chain(tid);
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(await verifyAuditChain(t.platform.database.db, tid)).toMatchObject({ ok: true, rowsChecked: 12 });
  });

  it("one tenant's tampering does not show in another tenant's report", async () => {
    const a = await tenantWith(2);
    const b = await tenantWith(2);
    await asOwner(sql`UPDATE audit_log SET action = 'x' WHERE tenant_id = ${a.tid}`);
    expect((await verifyAuditChain(t.platform.database.db, a.tid)).ok).toBe(false);
    expect(await verifyAuditChain(t.platform.database.db, b.tid)).toMatchObject({ ok: true, rowsChecked: 2 });
  });
});

describe('migration 0018 (audit chain) on a database that already has audit rows', () => {
  it('backfills every tenant chain so that it verifies, and later rows continue it', async () => {
    // The migrations up to 0017, then rows, then the rest: as an existing installation upgrades.
    const dir = mkdtempSync(join(tmpdir(), 'bf-mig-'));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    const journalPath = join(dir, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
    const upto = journal.entries.findIndex((e) => e.tag.startsWith('0018_'));
    writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, upto) }));
    const database = await openDatabase({});
    try {
      const db = database.db as unknown as PgliteDatabase;
      await migratePglite(db, { migrationsFolder: dir });
      const tenants = [tenantIdFromKey(newTenant()), tenantIdFromKey(newTenant())];
      for (const tid of tenants) {
        await database.db.execute(
          sql`INSERT INTO tenants (id, external_key, name) VALUES (${tid}, ${tid}, 'old')`,
        );
        for (let i = 0; i < 3; i++)
          await database.exec(
            `INSERT INTO audit_log (id, tenant_id, user_id, action, entity_type, after)
             VALUES ('0190a000-0000-7000-8000-00000000000${i}', '${tid}', 'u', 'budget.created', 'budget',
                     '{"total_amount": "1.10", "n": 1.10}')`,
          );
      }
      await migratePglite(db, { migrationsFolder: MIGRATIONS_DIR });
      for (const tid of tenants) {
        expect(await verifyAuditChain(database.db, tid)).toMatchObject({ ok: true, rowsChecked: 3 });
        await withTenant(database.db, tid, (tx) =>
          tx.execute(sql`INSERT INTO audit_log (id, tenant_id, user_id, action, entity_type)
                         VALUES (gen_random_uuid(), ${tid}, 'u', 'budget.updated', 'budget')`),
        );
        const report = await verifyAuditChain(database.db, tid);
        expect(report).toMatchObject({ ok: true, rowsChecked: 4, head: { seq: 4 } });
      }
    } finally {
      await database.close();
    }
  });
});
