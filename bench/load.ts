/**
 * Load suite (figures, no assertions but the 5xx count): the real server (`npm start`'s entry
 * point) as 1 and 2 processes on one PostgreSQL database (and Redis when REDIS_URL is set),
 * driven by autocannon with a read-heavy mix (90 % reads) and a write-heavy mix (50 % writes)
 * at 50–500 connections, against a bare Fastify process answering the same paths in the same
 * run. With 2 processes each gets half the connections (two autocannon instances, summed): a
 * load balancer's round robin. `--soak` adds a 5-minute run of the read-heavy mix with the
 * server's RSS sampled every 5 s and its growth reported.
 *
 *   npm run bench                          # everything, this included (seconds per figure)
 *   npx tsx bench/load.ts [--duration 3] [--connections 50,500] [--processes 1,2] [--soak] [--soak-seconds 300]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signToken } from '../src/platform/auth/jwt.ts';
import { API_PREFIX } from '../src/platform/http/types.ts';
import { createTestDatabase } from '../test/helpers/databases.ts';

interface CannonRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Called before each send: a fresh body (unique names, else the writes are 409 duplicates). */
  setupRequest?: (req: CannonRequest) => CannonRequest;
}
interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  '2xx': number;
  '4xx': number;
  '5xx': number;
  errors: number;
  timeouts: number;
  statusCodeStats?: Record<string, { count: number }>;
}
type Cannon = (o: {
  url: string;
  connections: number;
  duration: number;
  requests: CannonRequest[];
  headers?: Record<string, string>;
}) => Promise<CannonResult>;
// autocannon ships no types; its promise API is all we use.
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

const ROOT = join(import.meta.dirname, '..');
const SECRET = `load-${randomBytes(24).toString('hex')}`;
const BUDGETS = 16;

/** `--name value` from argv, or the default. */
function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const list = (s: string) =>
  s
    .split(',')
    .map(Number)
    .filter((n) => n > 0);

interface Proc {
  child: ChildProcess;
  url: string;
  /** Resident set size in bytes (Linux /proc). */
  rss(): number;
  stop(): Promise<void>;
}

/** Spawns a process that prints `listening on http://HOST:PORT` and waits for that line. */
async function spawnProc(args: string[], env: Record<string, string>): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { ...(process.env as Record<string, string>), ...env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  process.once('exit', () => child.kill('SIGKILL'));
  let out = '';
  const url: string = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening after 180 s:\n${out}`)), 180_000);
    const onData = (d: Buffer) => {
      out = (out + d.toString()).slice(-20_000);
      const m = /listening on (http:\/\/[^\s"]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited (${code}) before listening:\n${out}`)));
  });
  return {
    child,
    url,
    rss: () => {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(t);
    },
  };
}

const year = String(new Date().getUTCFullYear() + 1);
const newBudget = (lines: number) =>
  JSON.stringify({
    budget_name: `Load ${randomBytes(4).toString('hex')}`,
    budget_type: 'annual',
    fiscal_year: year,
    total_amount: '100000.00',
    base_currency: 'USD',
    budget_lines: Array.from({ length: lines }, (_, i) => ({
      line_name: `Line ${i}`,
      line_type: 'expense',
      category: `cat-${i % 5}`,
      amount: `${100 + i}.00`,
    })),
  });

/** The two mixes, as autocannon request cycles (each connection walks its cycle in order). */
function mixes(ids: string[]): Record<string, CannonRequest[]> {
  const json = { 'content-type': 'application/json' };
  const get = (i: number): CannonRequest => ({
    method: 'GET',
    path: `${API_PREFIX}/budgets/${ids[i % ids.length]}`,
  });
  // A fresh name on every send: one body for all would make every create after the first a
  // 409 duplicate_budget_name (the 4xx that earlier runs reported on the write mixes).
  const createBudget: CannonRequest = {
    method: 'POST',
    path: `${API_PREFIX}/budgets`,
    headers: json,
    setupRequest: (req) => ({ ...req, body: newBudget(2) }),
  };
  const addLine = (i: number): CannonRequest => ({
    method: 'POST',
    path: `${API_PREFIX}/budgets/${ids[i % ids.length]}/lines`,
    headers: json,
    setupRequest: (req) => ({
      ...req,
      body: JSON.stringify({
        line_name: `Added ${randomBytes(4).toString('hex')}`,
        line_type: 'expense',
        category: 'load',
        amount: '10.00',
      }),
    }),
  });
  return {
    // 90 % reads: budget by id (cached), the list; 10 % writes: a new budget.
    'read-heavy': [
      ...Array.from({ length: 8 }, (_, i) => get(i)),
      { method: 'GET', path: `${API_PREFIX}/budgets?limit=20` },
      createBudget,
    ],
    // 50 % writes: new budgets and lines appended to existing ones (cache invalidated each time).
    'write-heavy': [get(0), createBudget, get(1), addLine(2), get(3), addLine(4)],
  };
}

interface Figure {
  reqPerSec: number;
  p50: number;
  p99: number;
  ok: number;
  c4xx: number;
  c5xx: number;
  errors: number;
  /** Count per non-2xx status, e.g. "409×12". */
  codes: string;
}

/** One figure: the mix against every process at once, connections split evenly. */
async function load(
  procs: Proc[],
  connections: number,
  seconds: number,
  requests: CannonRequest[],
  token: string,
): Promise<Figure> {
  const results = await Promise.all(
    procs.map((p) =>
      autocannon({
        url: p.url,
        connections: Math.max(1, Math.round(connections / procs.length)),
        duration: seconds,
        headers: { authorization: `Bearer ${token}` },
        requests,
      }),
    ),
  );
  return {
    reqPerSec: results.reduce((s, r) => s + r.requests.average, 0),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    ok: results.reduce((s, r) => s + r['2xx'], 0),
    c4xx: results.reduce((s, r) => s + r['4xx'], 0),
    c5xx: results.reduce((s, r) => s + r['5xx'], 0),
    errors: results.reduce((s, r) => s + r.errors + r.timeouts, 0),
    codes: Object.entries(
      results.reduce<Record<string, number>>((acc, r) => {
        for (const [code, v] of Object.entries(r.statusCodeStats ?? {}))
          if (!code.startsWith('2')) acc[code] = (acc[code] ?? 0) + v.count;
        return acc;
      }, {}),
    )
      .map(([code, n]) => `${code}×${n}`)
      .join(' '),
  };
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** The soak: the read-heavy mix at 50 connections on one process, RSS sampled every 5 s. */
async function soak(proc: Proc, requests: CannonRequest[], token: string, seconds: number): Promise<void> {
  const samples: { t: number; rss: number }[] = [];
  const started = Date.now();
  const sampler = setInterval(
    () => samples.push({ t: (Date.now() - started) / 1000, rss: proc.rss() }),
    5000,
  );
  const f = await load([proc], 50, seconds, requests, token);
  clearInterval(sampler);
  samples.push({ t: (Date.now() - started) / 1000, rss: proc.rss() });
  // After the first fifth (warm-up: JIT, caches, pool) the resident size should stay flat.
  const warm = samples.find((s) => s.t >= seconds / 5) ?? samples[0]!;
  const last = samples.at(-1)!;
  const peak = Math.max(...samples.map((s) => s.rss));
  const perMin = (last.rss - warm.rss) / ((last.t - warm.t) / 60 || 1) / 1024 / 1024;
  console.log(
    `\nsoak: read-heavy, 50 connections, 1 process, ${seconds} s: ${f.reqPerSec.toFixed(0)} req/s, p99 ${f.p99} ms, 2xx ${f.ok}, 4xx ${f.c4xx}, 5xx ${f.c5xx}, errors ${f.errors}${f.codes ? ` (${f.codes})` : ''}`,
  );
  console.log(
    `  RSS: ${mb(samples[0]!.rss)} MB at 5 s, ${mb(warm.rss)} MB after warm-up (${warm.t.toFixed(0)} s), ${mb(last.rss)} MB at the end, peak ${mb(peak)} MB; growth after warm-up ${mb(last.rss - warm.rss)} MB (${perMin.toFixed(2)} MB/min)`,
  );
  console.log(`  samples (s:MB): ${samples.map((s) => `${s.t.toFixed(0)}:${mb(s.rss)}`).join(' ')}`);
}

/** Runs the load suite and prints its table. */
export async function benchLoad(): Promise<void> {
  const seconds = Number(arg('duration', '3'));
  const connectionSteps = list(arg('connections', '50,500'));
  const processSteps = list(arg('processes', '1,2'));
  const soakSeconds = process.argv.includes('--soak') ? Number(arg('soak-seconds', '300')) : 0;
  if (!process.env.DATABASE_URL) process.env.DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
  const db = await createTestDatabase('postgres', 2);
  const dataDirs: string[] = [];
  const env = (): Record<string, string> => {
    const dir = mkdtempSync(join(tmpdir(), 'bf-load-'));
    dataDirs.push(dir);
    return {
      DATABASE_URL: db.url!,
      REDIS_URL: process.env.REDIS_URL ?? '',
      REDIS_KEY_PREFIX: `bf-load-${randomBytes(3).toString('hex')}:`,
      JOB_QUEUE_NAME: `bf-load-${randomBytes(3).toString('hex')}`,
      AMQP_URL: '',
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      JWT_SECRET: SECRET,
      DATA_DIR: dir,
      LOG_LEVEL: 'warn',
      SEED_SAMPLE: 'false',
    };
  };
  // One prefix for every process of the run: they must share the cache and its invalidations.
  const shared = env();
  const servers: Proc[] = [];
  const bares: Proc[] = [];
  try {
    const max = Math.max(...processSteps);
    // One after the other: the first applies the migrations.
    for (let i = 0; i < max; i++)
      servers.push(await spawnProc(['src/main.ts'], { ...shared, DATA_DIR: env().DATA_DIR ?? '' }));
    const token = await signToken(
      SECRET,
      { sub: 'load', tenant_id: 'load-tenant', roles: ['admin'], permissions: [] },
      7200,
    );
    const ids: string[] = [];
    for (let i = 0; i < BUDGETS; i++) {
      const res = await fetch(`${servers[0]!.url}${API_PREFIX}/budgets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: newBudget(50),
      });
      if (res.status !== 201) throw new Error(`seeding: ${res.status} ${await res.text()}`);
      ids.push(((await res.json()) as { budget_id: string }).budget_id);
    }
    const sample = await (
      await fetch(`${servers[0]!.url}${API_PREFIX}/budgets/${ids[0]}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).text();
    for (let i = 0; i < max; i++)
      bares.push(await spawnProc(['bench/bare-server.ts'], { BARE_BODY: sample }));
    const byMix = mixes(ids);
    console.log(
      `\nload: ${seconds} s per figure; service = ${servers.length > 1 ? 'N' : '1'} real server process(es) on PostgreSQL${process.env.REDIS_URL ? ' + Redis' : ''}; bare = Fastify returning the same JSON`,
    );
    console.log(
      'mix          procs  conns  service req/s  bare req/s  ratio   p50/p99 ms (service)  2xx      4xx    5xx  errors',
    );
    let total5xx = 0;
    for (const [mix, requests] of Object.entries(byMix))
      for (const n of processSteps)
        for (const c of connectionSteps) {
          const s = await load(servers.slice(0, n), c, seconds, requests, token);
          const b = await load(bares.slice(0, n), c, seconds, requests, token);
          total5xx += s.c5xx;
          console.log(
            `${mix.padEnd(12)} ${String(n).padStart(5)}  ${String(c).padStart(5)}  ${s.reqPerSec.toFixed(0).padStart(13)}  ${b.reqPerSec.toFixed(0).padStart(10)}  ${(s.reqPerSec / b.reqPerSec).toFixed(3).padStart(5)}   ${`${s.p50}/${s.p99}`.padStart(20)}  ${String(s.ok).padStart(7)}  ${String(s.c4xx).padStart(5)}  ${String(s.c5xx).padStart(5)}  ${String(s.errors).padStart(6)}${s.codes ? `  (${s.codes})` : ''}`,
          );
        }
    console.log(`5xx over every figure: ${total5xx}${total5xx === 0 ? ' (none)' : '  <-- must be 0'}`);
    console.log(`server RSS after the figures: ${servers.map((p) => `${mb(p.rss())} MB`).join(', ')}`);
    if (soakSeconds > 0) await soak(servers[0]!, byMix['read-heavy']!, token, soakSeconds);
    if (total5xx > 0) process.exitCode = 1;
  } finally {
    await Promise.all([...servers, ...bares].map((p) => p.stop()));
    await db.drop();
    for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('load.ts')) await benchLoad();
