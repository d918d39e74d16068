/** `bf audit verify [--tenant T]`: checks the tenants' audit hash chains (docs/operations.md). */
import type { Command } from 'commander';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../config/env.ts';
import { type ChainReport, presentChainReport, verifyAuditChain } from '../../modules/audit/index.ts';
import { queryRows } from '../../platform/db/client.ts';
import { createPlatform } from '../../platform/platform.ts';
import { tenantIdFromKey } from '../../platform/tenancy/tenancy.ts';

/** Exit code when a chain is broken (0: every chain intact; 1 and 2 keep their usual meaning). */
export const CHAIN_BROKEN_EXIT = 3;

function describe(r: ChainReport, key: string): string {
  const head = r.head ? `head seq ${r.head.seq} ${r.head.hash}` : 'no audit rows';
  if (!r.firstBroken) return `tenant ${key}: ok, ${r.rowsChecked} rows, ${head}`;
  const b = r.firstBroken;
  return [
    `tenant ${key}: BROKEN after ${r.rowsChecked} intact rows: ${b.problem}`,
    `  row ${b.auditId ?? '(none)'} seq ${b.seq ?? '-'}`,
    `  expected ${b.expected}`,
    `  stored   ${b.stored}`,
  ].join('\n');
}

/** Registers `bf audit verify`. */
export function registerAuditCommands(program: Command): void {
  program
    .command('audit')
    .description('Audit trail operations')
    .command('verify')
    .description(
      'Verify the audit hash chain of one tenant (--tenant) or of every tenant; exit 3 if one is broken',
    )
    .option('--tenant <tenant>', 'tenant id or slug (default: every tenant)')
    .option('--json', 'print one JSON report per tenant instead of text')
    .action(async (o: { tenant?: string; json?: boolean }) => {
      const config = loadConfig({ ...process.env, JOBS_IN_API: 'false' });
      const platform = await createPlatform(config);
      let broken = 0;
      try {
        const db = platform.database.db;
        // Every tenant: read as the connection's own role, which must see all rows (a superuser
        // or a BYPASSRLS role, as migrations need); the chains are then read under RLS.
        const targets = o.tenant
          ? [{ id: tenantIdFromKey(o.tenant), key: o.tenant }]
          : await queryRows<{ id: string; key: string }>(
              db,
              sql`SELECT id::text AS id, external_key AS key FROM tenants ORDER BY external_key`,
            );
        for (const t of targets) {
          const report = await verifyAuditChain(db, t.id);
          if (!report.ok) broken++;
          process.stdout.write(
            `${o.json ? JSON.stringify({ tenant: t.key, ...presentChainReport(report) }) : describe(report, t.key)}\n`,
          );
        }
        if (!o.json) process.stdout.write(`${targets.length} tenant(s) checked, ${broken} broken chain(s)\n`);
      } finally {
        await platform.close();
      }
      if (broken > 0) process.exit(CHAIN_BROKEN_EXIT);
    });
}
