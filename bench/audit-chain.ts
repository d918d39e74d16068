/**
 * Cost of the audit hash chain on the line-edit path (PUT /budgets/:id/lines/:lineId), on
 * PostgreSQL: the same edits with the chaining trigger on and off (figures, no assertions).
 * Sequential edits show the per-write cost; concurrent edits of one tenant show the
 * serialisation on the tenant's chain head. `npx tsx bench/audit-chain.ts`
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { buildApp } from '../src/app/app.ts';
import { loadConfig } from '../src/config/env.ts';
import { signToken } from '../src/platform/auth/jwt.ts';
import { API_PREFIX } from '../src/platform/http/types.ts';
import { createPlatform } from '../src/platform/platform.ts';
import { createTestDatabase } from '../test/helpers/databases.ts';
import { median, time } from './util.ts';

const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';
const EDITS = Number(process.env.BENCH_AUDIT_EDITS ?? 300);
const CONCURRENCY = 10;

/** Runs the audit-chain benchmark and prints its figures. */
export async function benchAuditChain(): Promise<void> {
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
  const testDb = await createTestDatabase('postgres', 24);
  const config = loadConfig({
    DATABASE_URL: testDb.url!,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'bf-bench-')),
    JWT_SECRET: SECRET,
    LOG_LEVEL: 'silent',
    CACHE_ENABLED: 'false',
  });
  const platform = await createPlatform(config, { database: testDb.database });
  const { app } = await buildApp(platform);
  try {
    const tenant = `bench-${uuidv7()}`;
    const token = await signToken(
      SECRET,
      { sub: 'u', tenant_id: tenant, roles: ['admin'], permissions: [] },
      3600,
    );
    const call = (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown) =>
      app.inject({
        method,
        url: `${API_PREFIX}${url}`,
        headers: { authorization: `Bearer ${token}` },
        ...(body !== undefined ? { payload: body as object } : {}),
      });
    const lines = Array.from({ length: CONCURRENCY }, (_, i) => ({
      line_name: `L${i}`,
      line_type: 'expense',
      category: 'c',
      amount: '100.00',
    }));
    const created = (
      await call('POST', '/budgets', {
        budget_name: 'bench',
        budget_type: 'annual',
        fiscal_year: '2030',
        total_amount: '100000.00',
        base_currency: 'USD',
        budget_lines: lines,
      })
    ).json();
    const budget = (await call('GET', `/budgets/${created.budget_id}?include_lines=true`)).json();
    const lineIds: string[] = budget.budget_lines.map((l: { line_id: string }) => l.line_id);
    const versions = new Map(
      lineIds.map((id: string, i: number) => [id, budget.budget_lines[i].version as number]),
    );
    let cents = 0;
    const edit = async (lineId: string) => {
      cents++;
      const res = await call('PUT', `/budgets/${budget.budget_id}/lines/${lineId}`, {
        amount: `${100 + (cents % 100)}.${String(cents % 100).padStart(2, '0')}`,
        version: versions.get(lineId),
      });
      if (res.statusCode !== 200) throw new Error(`edit answered ${res.statusCode}: ${res.body}`);
      versions.set(lineId, res.json().version);
    };
    const sequential = async () => {
      const each: number[] = [];
      for (let i = 0; i < EDITS; i++) each.push(await time(() => edit(lineIds[0]!)));
      return median(each);
    };
    // CONCURRENCY writers, each on its own line of the same budget: they contend only for the chain head.
    const concurrent = async () => {
      const ms = await time(() =>
        Promise.all(
          lineIds.map(async (id) => {
            for (let i = 0; i < EDITS / CONCURRENCY; i++) await edit(id);
          }),
        ),
      );
      return (EDITS / ms) * 1000;
    };
    // Off: no trigger; seq comes from a sequence so the unique (tenant_id, seq) index still holds.
    await platform.database.db.execute(sql`CREATE SEQUENCE bench_audit_seq START 1000000`);
    await platform.database.db.execute(sql`GRANT USAGE ON SEQUENCE bench_audit_seq TO bf_app`);
    const trigger = (on: boolean) =>
      platform.database.exec(
        on
          ? 'ALTER TABLE audit_log ENABLE TRIGGER audit_log_chain; ALTER TABLE audit_log ALTER COLUMN seq SET DEFAULT 0'
          : "ALTER TABLE audit_log DISABLE TRIGGER audit_log_chain; ALTER TABLE audit_log ALTER COLUMN seq SET DEFAULT nextval('bench_audit_seq')",
      );
    await sequential(); // warm-up
    const rows: { mode: string; seqMedianMs: number; concurrentPerSecond: number }[] = [];
    for (const on of [false, true, false, true]) {
      await trigger(on);
      rows.push({
        mode: on ? 'chain on' : 'chain off',
        seqMedianMs: await sequential(),
        concurrentPerSecond: await concurrent(),
      });
    }
    await trigger(true);
    console.log(
      `audit hash chain, line edits on PostgreSQL (${EDITS} edits per run, ${CONCURRENCY} concurrent writers of one tenant):`,
    );
    for (const r of rows)
      console.log(
        `  ${r.mode.padEnd(9)}  sequential median ${r.seqMedianMs.toFixed(2)} ms/edit   concurrent ${r.concurrentPerSecond.toFixed(0)} edits/s`,
      );
  } finally {
    await app.close();
    await platform.close();
    await testDb.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchAuditChain();
