/**
 * Actuals import benchmark on PostgreSQL (figures and same-run ratios, no assertions): a generated
 * 100,000-row ledger CSV imported through ActualsService (stream, validate, chunked insert, one
 * transaction) vs two baselines of the same run: papaparse parsing alone, and a raw COPY of the
 * same rows already normalised. Peak RSS is sampled during each phase.
 */
import { createReadStream, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { v7 as uuidv7 } from 'uuid';
import { loadConfig } from '../src/config/env.ts';
import { ActualsService, csvRows, mappingSchema } from '../src/modules/actuals/index.ts';
import { createPlatform } from '../src/platform/platform.ts';
import { type TenantContext, tenantIdFromKey } from '../src/platform/tenancy/tenancy.ts';
import { createTestDatabase } from '../test/helpers/databases.ts';
import { ledgerRow, writeLedger } from '../test/helpers/ledger.ts';

const ROWS = 100_000;
const MB = 1024 * 1024;

/** Runs fn while sampling RSS; returns its duration and the peak RSS seen. */
async function measured<T>(fn: () => Promise<T>) {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const t0 = performance.now();
  const result = await fn();
  const ms = performance.now() - t0;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { ms, peak, result };
}

/** Benchmark of the actuals import; prints rows/s and peak RSS against same-run baselines. */
export async function benchActualsImport(): Promise<void> {
  if (!process.env.DATABASE_URL) process.env.DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
  const dir = mkdtempSync(join(tmpdir(), 'bf-bench-actuals-'));
  const file = join(dir, 'ledger.csv');
  await writeLedger(file, ROWS);
  const bytes = statSync(file).size;
  const testDb = await createTestDatabase('postgres', 4);
  const config = loadConfig({
    DATABASE_URL: testDb.url!,
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123456789',
    LOG_LEVEL: 'silent',
    DATA_DIR: dir,
    REDIS_URL: '',
  });
  const platform = await createPlatform(config, { database: testDb.database });
  const tenant = 'bench-actuals';
  const ctx: TenantContext = {
    tenantId: tenantIdFromKey(tenant),
    tenantKey: tenant,
    userId: 'bench',
    roles: [],
    permissions: new Set(),
  };
  await platform.tenants.ensure(ctx.tenantId, tenant);
  const service = new ActualsService(platform.database.db, platform.queue);
  const mapping = mappingSchema.parse({});
  const startRss = process.memoryUsage().rss;
  try {
    global.gc?.();
    const parse = await measured(async () => {
      let n = 0;
      for await (const _ of csvRows(createReadStream(file), mapping, { format: 'csv' })) n++;
      return n;
    });
    global.gc?.();
    const imported = await measured(() =>
      service.importNow(ctx, createReadStream(file, { highWaterMark: 256 * 1024 }), {
        batchKey: 'bench',
        fileName: 'ledger.csv',
        format: 'csv',
        mapping,
      }),
    );
    global.gc?.();
    // Baseline: COPY of the same rows, already normalised, into the same table (as the owner, no RLS).
    const client = new pg.Client({ connectionString: testDb.url });
    await client.connect();
    const batchId = uuidv7();
    await client.query(
      `INSERT INTO actual_batches (tenant_id, id, batch_key, format, created_by) VALUES ($1, $2, 'copy', 'csv', 'bench')`,
      [ctx.tenantId, batchId],
    );
    const copy = await measured(async () => {
      function* lines() {
        for (let i = 0; i < ROWS; i++) {
          const r = ledgerRow(i);
          const amount = i % 7 === 0 ? `-${r.amount}` : r.amount;
          yield `${ctx.tenantId}\t${batchId}\t${i + 2}\t2026-${r.month}-01\t${r.gl}\t${r.dept}\t${r.cc}\topex\t${amount}\tUSD\tledger line ${i}\n`;
        }
      }
      await pipeline(
        Readable.from(lines()),
        client.query(
          copyFrom(
            'COPY actuals (tenant_id, batch_id, row_number, period, gl_account_id, department_id, cost_center_id, category, amount, currency, description) FROM STDIN',
          ),
        ),
      );
    });
    await client.end();

    const rate = (ms: number) => Math.round(ROWS / (ms / 1000));
    const mb = (b: number) => `${(b / MB).toFixed(0)} MB`;
    console.log(
      `\nActuals import on PostgreSQL: ${ROWS} rows, ${(bytes / MB).toFixed(1)} MB CSV (RSS before: ${mb(startRss)})`,
    );
    console.log(
      `  import through ActualsService   ${rate(imported.ms).toLocaleString('en-US').padStart(9)} rows/s  ${(imported.ms / 1000).toFixed(2)} s  peak RSS ${mb(imported.peak)}  (${imported.result.row_count} rows stored)`,
    );
    console.log(
      `  baseline: papaparse parse only  ${rate(parse.ms).toLocaleString('en-US').padStart(9)} rows/s  ${(parse.ms / 1000).toFixed(2)} s  peak RSS ${mb(parse.peak)}  (${parse.result - 1} data rows)`,
    );
    console.log(
      `  baseline: COPY normalised rows  ${rate(copy.ms).toLocaleString('en-US').padStart(9)} rows/s  ${(copy.ms / 1000).toFixed(2)} s  peak RSS ${mb(copy.peak)}`,
    );
    console.log(
      `  import / parse-only time: ${(imported.ms / parse.ms).toFixed(2)}x   import / COPY time: ${(imported.ms / copy.ms).toFixed(2)}x   maxRSS of the process: ${mb(process.resourceUsage().maxRSS * 1024)}`,
    );
  } finally {
    await platform.close();
    await testDb.drop();
  }
}
