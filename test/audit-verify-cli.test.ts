/** `bf audit verify`, run as an operator runs it, on an embedded database with a tampered row. */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/platform/db/client.ts';
import { migrateDatabase } from '../src/platform/db/migrate.ts';
import { withTenant } from '../src/platform/tenancy/tenancy.ts';

const run = promisify(execFile);
const bf = (args: string[], dataDir: string) =>
  run(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
  });

describe('bf audit verify', () => {
  it('reports every chain ok (exit 0), then the first broken link of the tampered tenant only (exit 3)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bf-audit-'));
    const tenants = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
    const open = () => openDatabase({ pgliteDir: join(dataDir, 'pglite') });
    let database = await open();
    await migrateDatabase(database);
    for (const tid of tenants) {
      await database.db.execute(
        sql`INSERT INTO tenants (id, external_key, name) VALUES (${tid}, ${tid}, 'x')`,
      );
      for (const action of ['budget.created', 'budget.updated', 'budget.deleted'])
        await withTenant(database.db, tid, (tx) =>
          tx.execute(sql`INSERT INTO audit_log (id, tenant_id, user_id, action, entity_type, after)
                         VALUES (gen_random_uuid(), ${tid}, 'u', ${action}, 'budget', '{"amount": "10.00"}')`),
        );
    }
    await database.close();

    const ok = await bf(['audit', 'verify'], dataDir);
    expect(ok.stdout).toContain(`tenant ${tenants[0]}: ok, 3 rows`);
    expect(ok.stdout).toContain(`tenant ${tenants[1]}: ok, 3 rows`);
    expect(ok.stdout).toContain('2 tenant(s) checked, 0 broken chain(s)');

    database = await open();
    const [victim] = (
      (await database.db.execute(
        sql`SELECT id, row_hash FROM audit_log WHERE tenant_id = ${tenants[1]} AND seq = 2`,
      )) as unknown as { rows: { id: string; row_hash: string }[] }
    ).rows;
    await database.db.execute(
      sql`UPDATE audit_log SET after = '{"amount": "10.01"}' WHERE tenant_id = ${tenants[1]} AND seq = 2`,
    );
    await database.close();

    const broken = await bf(['audit', 'verify'], dataDir).then(
      () => {
        throw new Error('bf audit verify exited 0 on a tampered chain');
      },
      (e: { code: number; stdout: string }) => e,
    );
    expect(broken.code).toBe(3);
    expect(broken.stdout).toContain(`tenant ${tenants[0]}: ok, 3 rows`);
    expect(broken.stdout).toContain(`tenant ${tenants[1]}: BROKEN after 1 intact rows: row_hash_mismatch`);
    expect(broken.stdout).toContain(`row ${victim!.id} seq 2`);
    expect(broken.stdout).toContain(`stored   ${victim!.row_hash}`);

    const json = await bf(['audit', 'verify', '--tenant', tenants[0]!, '--json'], dataDir);
    expect(JSON.parse(json.stdout)).toMatchObject({ tenant_id: tenants[0], ok: true, rows_checked: 3 });
  }, 120_000);
});
