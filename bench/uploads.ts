/**
 * Upload benchmark (figures and same-run ratios, no assertions): the 100,000-row ledger CSV of
 * bench/actuals.ts imported once over HTTP (a real listening server, an authenticated upload,
 * staged and run as a job, polled to completion) and once through the CLI's code path
 * (ActualsService.importNow on a file stream, as `bf import-actuals` does). Prints rows/s of
 * both, their ratio, and the p50/p99/max latency of /health polled during the HTTP import.
 * PostgreSQL by default (DATABASE_URL), `BENCH_BACKEND=pglite` for the embedded database.
 */
import { createReadStream, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mappingSchema } from '../src/modules/actuals/actuals.mapping.ts';
import { ActualsService } from '../src/modules/actuals/actuals.service.ts';
import { tenantIdFromKey } from '../src/platform/tenancy/tenancy.ts';
import { listenTestApp, startTestApp } from '../test/helpers/app.ts';
import type { Backend } from '../test/helpers/databases.ts';
import { writeLedger } from '../test/helpers/ledger.ts';

const ROWS = 100_000;
const MB = 1024 * 1024;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};

/** Benchmark of uploads over HTTP against the CLI path; prints rows/s, the ratio and /health latency. */
export async function benchUploads(): Promise<void> {
  const backend: Backend = process.env.BENCH_BACKEND === 'pglite' ? 'pglite' : 'postgres';
  if (backend === 'postgres' && !process.env.DATABASE_URL)
    process.env.DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
  const dir = mkdtempSync(join(tmpdir(), 'bf-bench-uploads-'));
  const file = join(dir, 'ledger.csv');
  await writeLedger(file, ROWS);
  const bytes = statSync(file).size;
  const t = await startTestApp(backend, { REDIS_URL: '' });
  try {
    const { origin, api } = await listenTestApp(t);
    const tenant = 'bench-uploads';
    const token = await t.token(tenant);
    const auth = { authorization: `Bearer ${token}` };

    // Over HTTP: upload, then poll the job; /health polled back to back meanwhile.
    const body = readFileSync(file);
    const health: number[] = [];
    let done = false;
    // Paced (one poll per 25 ms): back-to-back polling in this same process would steal the CPU it measures.
    const healthLoop = (async () => {
      while (!done) {
        const t0 = performance.now();
        await (await fetch(`${origin}/health`)).text();
        health.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const t0 = performance.now();
    const res = await fetch(`${api}/actuals/imports?batch_key=http&file_name=ledger.csv`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/csv' },
      body,
    });
    const accepted = (await res.json()) as { job_id: string };
    const stagedMs = performance.now() - t0;
    if (res.status !== 202) throw new Error(`upload answered ${res.status}: ${JSON.stringify(accepted)}`);
    let job: { status: string; result?: { row_count: number }; error?: string };
    for (;;) {
      job = (await (await fetch(`${api}/jobs/${accepted.job_id}`, { headers: auth })).json()) as typeof job;
      if (job.status === 'completed' || job.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const httpMs = performance.now() - t0;
    done = true;
    await healthLoop;
    if (job.status !== 'completed') throw new Error(`job ${job.status}: ${job.error}`);

    // The CLI's path: the service on a file stream, in this process (what `bf import-actuals` runs).
    const ctx = {
      tenantId: tenantIdFromKey(tenant),
      tenantKey: tenant,
      userId: 'bench',
      roles: [],
      permissions: new Set<string>(),
    };
    const service = new ActualsService(t.platform.database.db, t.platform.queue, t.config);
    const c0 = performance.now();
    const batch = await service.importNow(ctx, createReadStream(file, { highWaterMark: 256 * 1024 }), {
      batchKey: 'cli',
      fileName: 'ledger.csv',
      format: 'csv',
      mapping: mappingSchema.parse({}),
    });
    const cliMs = performance.now() - c0;

    const rate = (ms: number) => Math.round(ROWS / (ms / 1000));
    console.log(`\nUploads on ${backend}: ${ROWS} rows, ${(bytes / MB).toFixed(1)} MB CSV`);
    console.log(
      `  HTTP upload (staged, job)  ${rate(httpMs).toLocaleString('en-US').padStart(9)} rows/s  ${(httpMs / 1000).toFixed(2)} s  (${job.result?.row_count} rows; 202 after ${(stagedMs / 1000).toFixed(2)} s of upload and staging)`,
    );
    console.log(
      `  CLI path (importNow)       ${rate(cliMs).toLocaleString('en-US').padStart(9)} rows/s  ${(cliMs / 1000).toFixed(2)} s  (${batch.row_count} rows)`,
    );
    console.log(`  HTTP / CLI rows/s: ${(cliMs / httpMs).toFixed(2)}`);
    console.log(
      `  /health during the HTTP import: ${health.length} polls, p50 ${quantile(health, 0.5).toFixed(1)} ms, p99 ${quantile(health, 0.99).toFixed(1)} ms, max ${Math.max(...health).toFixed(1)} ms`,
    );
  } finally {
    await t.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchUploads();
