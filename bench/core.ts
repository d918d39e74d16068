/**
 * Budget core benchmark on PostgreSQL (figures and same-run ratios, no assertions):
 *  1. create a budget with 10,000 lines through the HTTP API vs a raw COPY of the same rows;
 *  2. read it back with its lines through the API (cache bypassed) vs a raw SELECT;
 *  3. GET /budgets/:id requests per second at 50 connections vs a bare Fastify route serving
 *     the same JSON from the same process (load from a separate autocannon process).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { v7 as uuidv7 } from 'uuid';
import { buildApp } from '../src/app/app.ts';
import { loadConfig } from '../src/config/env.ts';
import { spreadEven } from '../src/modules/lines/index.ts';
import { signToken } from '../src/platform/auth/jwt.ts';
import { API_PREFIX } from '../src/platform/http/types.ts';
import { createPlatform } from '../src/platform/platform.ts';
import { tenantIdFromKey } from '../src/platform/tenancy/tenancy.ts';
import { createTestDatabase } from '../test/helpers/databases.ts';
import { median, time } from './util.ts';

const run = promisify(execFile);
const LINES = 10_000;
const REPEATS = 5;
const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';

function lines(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    line_name: `Line ${i}`,
    line_type: i % 5 === 0 ? 'revenue' : 'expense',
    category: `cat-${i % 40}`,
    amount: `${(i % 997) + 1}.${String(i % 100).padStart(2, '0')}`,
    department_id: `dept-${i % 12}`,
    gl_account_id: `6${String(i % 300).padStart(3, '0')}`,
    line_order: i,
  }));
}

async function autocannon(url: string, token: string): Promise<number> {
  const { stdout } = await run(
    'npx',
    ['autocannon', '--json', '-c', '50', '-d', '8', '-H', `authorization=Bearer ${token}`, url],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const result = JSON.parse(stdout) as { requests: { average: number }; non2xx: number; errors: number };
  if (result.non2xx || result.errors)
    throw new Error(`load run had ${result.non2xx} non-2xx and ${result.errors} errors`);
  return result.requests.average;
}

/** Runs the core benchmark and prints its table. */
export async function benchCore(): Promise<void> {
  if (!process.env.DATABASE_URL) process.env.DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
  const testDb = await createTestDatabase('postgres', 60);
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: testDb.url!,
    JWT_SECRET: SECRET,
    LOG_LEVEL: 'silent',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'bf-bench-')),
    DATABASE_POOL_SIZE: '60',
  });
  const platform = await createPlatform(config, {
    database: testDb.database,
    redisPrefix: `bf-bench-${uuidv7()}:`,
  });
  const { app, services } = await buildApp(platform);
  let bareBody = '{}';
  app.get('/bench/bare', (_req, reply) => reply.type('application/json').send(bareBody));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const tenant = 'bench-tenant';
  const token = await signToken(
    SECRET,
    { sub: 'bench', tenant_id: tenant, roles: ['admin'], permissions: [] },
    3600,
  );
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const year = String(new Date().getUTCFullYear() + 1);
  const raw = new pg.Client({ connectionString: testDb.url });
  await raw.connect();

  try {
    // 1. Create through the API vs COPY.
    const apiCreate: number[] = [];
    let lastId = '';
    for (let r = 0; r < REPEATS + 1; r++) {
      const body = JSON.stringify({
        budget_name: `Bench ${r}`,
        budget_type: 'annual',
        fiscal_year: year,
        total_amount: '1000000.00',
        base_currency: 'USD',
        budget_lines: lines(LINES),
      });
      const ms = await time(async () => {
        const res = await fetch(`${base}${API_PREFIX}/budgets`, { method: 'POST', headers, body });
        if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
        lastId = ((await res.json()) as { budget_id: string }).budget_id;
      });
      if (r > 0) apiCreate.push(ms); // first run warms up
    }
    const tid = tenantIdFromKey(tenant);
    const copyTimes: number[] = [];
    const copyLinesOnly: number[] = [];
    const starts = Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}-01`);
    for (let r = 0; r < REPEATS + 1; r++) {
      const budgetId = uuidv7();
      await raw.query(
        `INSERT INTO budgets (id, tenant_id, created_by, budget_name, budget_type, fiscal_year, total_amount, base_currency)
         VALUES ($1, $2, 'bench', $3, 'annual', $4, 0, 'USD')`,
        [budgetId, tid, `Copy ${r}`, year],
      );
      // The API stores each line and its 12 monthly periods, so the baseline copies both, with
      // the periods split exactly as the API does (spreadEven), into the same schema.
      const ids = lines(LINES).map(() => uuidv7());
      const csv = lines(LINES)
        .map((l, i) =>
          [
            ids[i],
            tid,
            budgetId,
            'bench',
            l.line_name,
            l.line_type,
            l.category,
            l.amount,
            l.department_id,
            l.gl_account_id,
            l.line_order,
          ].join(','),
        )
        .join('\n');
      const periodCsv = lines(LINES)
        .flatMap((l, i) =>
          spreadEven(l.amount, 12).map((amount, p) =>
            [tid, budgetId, ids[i], p, starts[p], amount].join(','),
          ),
        )
        .join('\n');
      const copy = (statement: string, text: string) =>
        pipeline(
          (async function* () {
            yield `${text}\n`;
          })(),
          raw.query(copyFrom(statement)),
        );
      let linesOnly = 0;
      const ms = await time(async () => {
        const t0 = performance.now();
        await copy(
          'COPY budget_lines (id, tenant_id, budget_id, created_by, line_name, line_type, category, amount, department_id, gl_account_id, line_order) FROM STDIN WITH (FORMAT csv)',
          csv,
        );
        linesOnly = performance.now() - t0;
        await copy(
          'COPY budget_periods (tenant_id, budget_id, line_id, period_index, period_start, amount) FROM STDIN WITH (FORMAT csv)',
          periodCsv,
        );
      });
      if (r > 0) copyLinesOnly.push(linesOnly);
      if (r > 0) copyTimes.push(ms);
    }

    // 2. Read back with lines (cache bypassed by invalidating before each read) vs raw SELECT.
    const apiRead: number[] = [];
    const apiReadPlain: number[] = [];
    const selectTimes: number[] = [];
    for (let r = 0; r < REPEATS + 1; r++) {
      await services.budgets.cache.invalidate(tid, lastId);
      let text = '';
      const ms = await time(async () => {
        text = await (
          await fetch(`${base}${API_PREFIX}/budgets/${lastId}?include_lines=true`, { headers })
        ).text();
      });
      if ((JSON.parse(text) as { budget_lines: unknown[] }).budget_lines.length !== LINES)
        throw new Error('read returned the wrong number of lines');
      // The same read without compression (fetch asks for gzip, as browsers do).
      await services.budgets.cache.invalidate(tid, lastId);
      const plain = await time(async () => {
        await (
          await fetch(`${base}${API_PREFIX}/budgets/${lastId}?include_lines=true`, {
            headers: { ...headers, 'accept-encoding': 'identity' },
          })
        ).text();
      });
      const sel = await time(() =>
        raw.query(
          'SELECT * FROM budget_lines WHERE tenant_id = $1 AND budget_id = $2 ORDER BY line_order, id',
          [tid, lastId],
        ),
      );
      if (r > 0) {
        apiRead.push(ms);
        apiReadPlain.push(plain);
        selectTimes.push(sel);
      }
    }
    const cachedTimes: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      cachedTimes.push(
        await time(async () => {
          await (
            await fetch(`${base}${API_PREFIX}/budgets/${lastId}?include_lines=true`, { headers })
          ).text();
        }),
      );
    }
    const cachedRead = median(cachedTimes);

    // 3. Requests per second on GET /budgets/:id vs a bare route with the same body.
    const small = await (await fetch(`${base}${API_PREFIX}/budgets/${lastId}`, { headers })).text();
    bareBody = small;
    const apiRps = await autocannon(`${base}${API_PREFIX}/budgets/${lastId}`, token);
    const bareRps = await autocannon(`${base}/bench/bare`, token);

    const c = median(apiCreate);
    const k = median(copyTimes);
    const a = median(apiRead);
    const s = median(selectTimes);
    const cache = config.REDIS_URL ? 'Redis' : 'in-process LRU';
    console.log(`\nBudget core on PostgreSQL (${LINES} lines, median of ${REPEATS}; cache: ${cache})`);
    console.table([
      {
        measure: 'create 10k lines: API POST /budgets',
        ms: c.toFixed(0),
        baseline: 'COPY lines + periods',
        baseline_ms: k.toFixed(0),
        ratio: (c / k).toFixed(2),
        target: '<= 2.0',
      },
      {
        measure: '  (same, against COPY of the lines alone)',
        ms: c.toFixed(0),
        baseline: 'COPY lines only',
        baseline_ms: median(copyLinesOnly).toFixed(0),
        ratio: (c / median(copyLinesOnly)).toFixed(2),
        target: '',
      },
      {
        measure: 'read with lines: API GET (uncached, gzip)',
        ms: a.toFixed(0),
        baseline: 'raw SELECT',
        baseline_ms: s.toFixed(0),
        ratio: (a / s).toFixed(2),
        target: '<= 1.5',
      },
      {
        measure: '  (same, without compression)',
        ms: median(apiReadPlain).toFixed(0),
        baseline: 'raw SELECT',
        baseline_ms: s.toFixed(0),
        ratio: (median(apiReadPlain) / s).toFixed(2),
        target: '<= 1.5',
      },
      {
        measure: 'read with lines: API GET (cached)',
        ms: cachedRead.toFixed(0),
        baseline: 'raw SELECT',
        baseline_ms: s.toFixed(0),
        ratio: (cachedRead / s).toFixed(2),
        target: '',
      },
      {
        measure: 'GET /budgets/:id req/s at 50 conns',
        ms: apiRps.toFixed(0),
        baseline: 'bare route req/s',
        baseline_ms: bareRps.toFixed(0),
        ratio: (apiRps / bareRps).toFixed(2),
        target: '>= 0.5',
      },
    ]);
  } finally {
    await raw.end();
    await app.close();
    await platform.close();
    await testDb.drop();
  }
}
