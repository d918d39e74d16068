/**
 * Redis outage under load (the acceptance figure of issue 9): a bounded loop of concurrent
 * clients reads budgets (with lines) and updates them over real HTTP against PostgreSQL and a
 * Redis server of our own; Redis is killed (SIGKILL) for OUTAGE_S seconds and started again on
 * the same port. Reports 5xx responses to writes and how many of those had committed (found in
 * the audit log by request id; must be 0), latency before / during / after the outage, and the
 * time from Redis's return until everything works again (/ready 200, the cache written again,
 * jobs accepted). Figures only, no assertions. `npx tsx bench/redis-outage.ts`
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/platform/db/client.ts';
import { API_PREFIX } from '../src/platform/http/types.ts';
import { tenantIdFromKey, withTenant } from '../src/platform/tenancy/tenancy.ts';
import { budgetBody, lineBody, newTenant, startTestApp } from '../test/helpers/app.ts';
import { TestRedisServer } from '../test/helpers/redis-server.ts';

const CLIENTS = 16;
const BUDGETS = 20;
const LINES = 20;
const BEFORE_S = 5;
const OUTAGE_S = Number(process.env.OUTAGE_S ?? 30);
const AFTER_S = 10;
const WRITE_SHARE = 0.3;

interface Sample {
  at: number;
  ms: number;
  status: number;
  write: boolean;
  requestId: string;
}

const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]! : Number.NaN;

/** Runs the outage benchmark and prints its table. */
export async function benchRedisOutage(): Promise<void> {
  if (!process.env.DATABASE_URL) process.env.DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
  const redis = await TestRedisServer.start();
  const t = await startTestApp('postgres', { REDIS_URL: redis.url });
  try {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const tenant = newTenant();
    const token = await t.token(tenant);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const versions = new Map<string, number>();
    for (let i = 0; i < BUDGETS; i++) {
      const lines = Array.from({ length: LINES }, (_, j) => lineBody({ line_name: `L${j}` }));
      const res = await fetch(`${base}${API_PREFIX}/budgets`, {
        method: 'POST',
        headers,
        body: JSON.stringify(budgetBody({ budget_lines: lines })),
      });
      const b = (await res.json()) as { budget_id: string; version: number };
      versions.set(b.budget_id, b.version);
    }
    const ids = [...versions.keys()];
    const samples: Sample[] = [];
    const t0 = performance.now();
    let stop = false;

    const one = async (write: boolean, id: string) => {
      const requestId = randomUUID();
      const started = performance.now();
      const res = write
        ? await fetch(`${base}${API_PREFIX}/budgets/${id}`, {
            method: 'PUT',
            headers: { ...headers, 'x-request-id': requestId },
            body: JSON.stringify({ version: versions.get(id), notes: requestId }),
          })
        : await fetch(`${base}${API_PREFIX}/budgets/${id}?include_lines=true`, {
            headers: { ...headers, 'x-request-id': requestId },
          });
      const body = (await res.json()) as { version?: number; current_version?: number };
      if (write && res.status === 200 && body.version) versions.set(id, body.version);
      if (write && res.status === 409 && body.current_version) versions.set(id, body.current_version);
      samples.push({
        at: started - t0,
        ms: performance.now() - started,
        status: res.status,
        write,
        requestId,
      });
    };
    const clients = Array.from({ length: CLIENTS }, async (_, c) => {
      let n = c;
      while (!stop) {
        n++;
        await one(Math.random() < WRITE_SHARE, ids[n % ids.length]!).catch(() => {
          samples.push({ at: performance.now() - t0, ms: 0, status: 0, write: false, requestId: '' });
        });
      }
    });

    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const ready = async () => (await fetch(`${base}/ready`)).status === 200;
    await sleep(BEFORE_S * 1000);
    const downAt = performance.now() - t0;
    await redis.stop('SIGKILL');
    await sleep(OUTAGE_S * 1000);
    await redis.restart();
    const upAt = performance.now() - t0;
    // Recovery: /ready 200, cache entries written again, a job accepted.
    const probe = redis.client();
    await probe.connect();
    let readyAt = Number.NaN;
    let cacheAt = Number.NaN;
    let jobAt = Number.NaN;
    while (
      performance.now() - t0 - upAt < 20_000 &&
      (Number.isNaN(readyAt) || Number.isNaN(cacheAt) || Number.isNaN(jobAt))
    ) {
      const now = () => performance.now() - t0;
      if (Number.isNaN(readyAt) && (await ready())) readyAt = now();
      if (Number.isNaN(cacheAt) && (await probe.keys(`${t.platform.keyPrefix}t:*:l`)).length > 0)
        cacheAt = now();
      if (Number.isNaN(jobAt)) {
        const res = await fetch(`${base}${API_PREFIX}/budgets/${ids[0]}/variance/jobs`, {
          method: 'POST',
          headers,
          body: '{}',
        });
        if (res.status === 202) jobAt = now();
      }
      await sleep(20);
    }
    probe.disconnect();
    await sleep(AFTER_S * 1000);
    stop = true;
    await Promise.all(clients);

    const writes5xx = samples.filter((s) => s.write && s.status >= 500);
    const committed = writes5xx.length
      ? await withTenant(t.platform.database.db, tenantIdFromKey(tenant), (tx) =>
          queryRows<{ n: number }>(
            tx,
            sql`SELECT count(*)::int AS n FROM audit_log WHERE request_id IN (${sql.join(
              writes5xx.map((s) => sql`${s.requestId}`),
              sql`, `,
            )})`,
          ),
        ).then((r) => r[0]!.n)
      : 0;
    const phase = (from: number, to: number) => samples.filter((s) => s.at >= from && s.at < to);
    const row = (name: string, xs: Sample[]) => {
      const ms = xs.map((s) => s.ms);
      const seconds = xs.length
        ? (Math.max(...xs.map((s) => s.at)) - Math.min(...xs.map((s) => s.at))) / 1000
        : 1;
      return `| ${name} | ${xs.length} | ${(xs.length / Math.max(seconds, 0.001)).toFixed(0)} | ${pct(ms, 0.5).toFixed(1)} | ${pct(ms, 0.99).toFixed(1)} | ${Math.max(0, ...ms).toFixed(0)} | ${xs.filter((s) => s.status >= 500 || s.status === 0).length} |`;
    };
    console.log(
      `\nRedis outage: ${CLIENTS} clients, ${BUDGETS} budgets × ${LINES} lines, ${Math.round(WRITE_SHARE * 100)} % updates, Redis killed for ${OUTAGE_S} s (PostgreSQL, real HTTP)`,
    );
    console.log('| phase | requests | req/s | p50 ms | p99 ms | max ms | 5xx or failed |');
    console.log('|---|---|---|---|---|---|---|');
    console.log(row('Redis up (before)', phase(0, downAt)));
    console.log(row('Redis down', phase(downAt, upAt)));
    console.log(row('Redis back (after)', phase(upAt, Number.POSITIVE_INFINITY)));
    console.log(
      `5xx responses to writes: ${writes5xx.length} (committed among them: ${committed}); writes during the outage: ${phase(downAt, upAt).filter((s) => s.write).length}`,
    );
    const secs = (x: number) => ((x - upAt) / 1000).toFixed(2);
    console.log(
      `recovery after Redis returned: /ready 200 in ${secs(readyAt)} s, cache written again in ${secs(cacheAt)} s, jobs accepted in ${secs(jobAt)} s; full recovery ${secs(Math.max(readyAt, cacheAt, jobAt))} s`,
    );
  } finally {
    await t.close();
    await redis.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchRedisOutage();
