/**
 * Uploads over a real socket (the app listening on a random port, real fetch): raw-body routes
 * answer 401/413 without reading what they refuse, no hook walks an upload stream, JSON bodies
 * may be empty where a route takes none, XLSX zip bombs are refused before parsing, and a large
 * staged import leaves /health answering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, listenTestApp, newTenant, startTestApp, type TestApp } from './helpers/app.ts';
import { backends } from './helpers/databases.ts';
import { ledgerCsv } from './helpers/ledger.ts';
import { xlsxBomb } from './helpers/xlsx-bomb.ts';

const MB = 1024 * 1024;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ENV = {
  BODY_LIMIT_BYTES: String(1 * MB),
  ACTUALS_MAX_UPLOAD_BYTES: String(4 * MB),
  XLSX_MAX_INFLATED_BYTES: String(32 * MB),
  XLSX_MAX_IN_MEMORY_BYTES: String(8 * MB),
};

interface Timed {
  status: number;
  body: { code?: string; errors?: { path: string; code: string }[]; [k: string]: unknown };
  headers: Headers;
  ms: number;
}

async function timed(url: string, init: RequestInit = {}): Promise<Timed> {
  const t0 = performance.now();
  const res = await fetch(url, init);
  const text = await res.text();
  return {
    status: res.status,
    body: text ? JSON.parse(text) : {},
    headers: res.headers,
    ms: performance.now() - t0,
  };
}

/** A request body stream of `total` bytes of CSV-ish text; `sent` counts what the client produced. */
function endless(total: number, sent: { bytes: number }, header = ''): ReadableStream<Uint8Array> {
  const piece = new TextEncoder().encode(`${'1,'.repeat(32 * 1024 - 1)}1\n`);
  return new ReadableStream({
    start(controller) {
      if (header) controller.enqueue(new TextEncoder().encode(header));
    },
    pull(controller) {
      if (sent.bytes >= total) return controller.close();
      sent.bytes += piece.length;
      controller.enqueue(piece);
    },
  });
}

/** Polls /health back to back until `until` settles; returns every latency seen. */
async function healthDuring(origin: string, until: Promise<unknown>): Promise<number[]> {
  let done = false;
  void until.finally(() => {
    done = true;
  });
  const latencies: number[] = [];
  while (!done || latencies.length < 3) {
    const r = await timed(`${origin}/health`, { signal: AbortSignal.timeout(10_000) });
    expect(r.status).toBe(200);
    latencies.push(r.ms);
  }
  return latencies;
}

describe.each(backends())('uploads over a real socket on %s', (backend) => {
  let t: TestApp;
  let origin: string;
  let api: string;
  let token: string;
  let budgetId: string;
  let routes: { name: string; url: () => string }[];
  const auth = () => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await startTestApp(backend, ENV);
    ({ origin, api } = await listenTestApp(t));
    token = await t.token(newTenant());
    const created = await timed(`${api}/budgets`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify(budgetBody()),
    });
    budgetId = created.body.budget_id as string;
    routes = [
      { name: 'actuals import', url: () => `${api}/actuals/imports?batch_key=x` },
      { name: 'line import', url: () => `${api}/budgets/${budgetId}/lines/import` },
      { name: 'fx import', url: () => `${api}/fx-rates/imports` },
    ];
  });
  afterAll(() => t?.close());

  it('answers an unauthenticated 2-byte CSV upload with 401 within 1 s on each upload route', async () => {
    for (const r of routes) {
      const res = await timed(r.url(), {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: 'a,b',
      });
      expect(res.status, r.name).toBe(401);
      expect(res.body.code).toBe('unauthorized');
      expect(res.ms, r.name).toBeLessThan(1000);
    }
  });

  it('reads an authenticated 2-byte upload on each route as a file (no hook walks the stream), within 1 s', async () => {
    const expected = { 'actuals import': 422, 'line import': 400, 'fx import': 422 } as Record<
      string,
      number
    >;
    for (const r of routes) {
      const res = await timed(r.url(), {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'text/csv' },
        body: 'a,b',
        signal: AbortSignal.timeout(5000),
      });
      expect(res.status, `${r.name}: ${JSON.stringify(res.body)}`).toBe(expected[r.name]);
      expect(res.ms, r.name).toBeLessThan(1000);
    }
  });

  it('keeps /health answering during 100 unauthenticated uploads in parallel (and 10 authenticated)', async () => {
    const uploads = Promise.all([
      ...Array.from({ length: 100 }, (_, i) =>
        timed(routes[i % 3]!.url(), { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b' }),
      ),
      ...Array.from({ length: 10 }, (_, i) =>
        timed(`${api}/actuals/imports?batch_key=p${i}`, {
          method: 'POST',
          headers: { ...auth(), 'content-type': 'text/csv' },
          body: 'a,b',
        }),
      ),
    ]);
    const latencies = await healthDuring(origin, uploads);
    const results = await uploads;
    expect(results.slice(0, 100).every((r) => r.status === 401)).toBe(true);
    expect(results.slice(100).every((r) => r.status === 422)).toBe(true);
    // Alone this is ~0.4 s for all 110 uploads; the bound leaves room for a loaded CI machine
    // (before the fix /health never answered again: the server died of heap exhaustion).
    expect(Math.max(...latencies)).toBeLessThan(2000);
  });

  it('refuses an upload whose content-length is over the limit with 413 at once, closing the connection', async () => {
    const cases = [
      { url: routes[0]!.url(), size: 5 * MB, limit: 4 * MB },
      { url: routes[1]!.url(), size: 2 * MB, limit: MB },
      { url: routes[2]!.url(), size: 2 * MB, limit: MB },
    ];
    for (const c of cases) {
      const res = await timed(c.url, {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'text/csv' },
        body: new Uint8Array(c.size).fill(0x31),
      });
      expect(res.status, c.url).toBe(413);
      expect(res.body).toMatchObject({ code: 'body_too_large', limit_bytes: c.limit });
      expect(res.body.errors?.[0]).toMatchObject({ path: 'body', code: 'body_too_large' });
      expect(res.headers.get('connection')).toBe('close');
    }
  });

  it('refuses a chunked upload with 413 once it passes the limit, long before the client has sent it all', async () => {
    for (const r of routes) {
      const sent = { bytes: 0 };
      // FX rows are read as they arrive: with a header, the rows go on until the limit.
      const header = r.name === 'fx import' ? 'period,from,to,rate\n' : '';
      const res = await timed(r.url(), {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'text/csv' },
        body: endless(256 * MB, sent, header),
        duplex: 'half',
      } as RequestInit);
      expect(res.status, r.name).toBe(413);
      expect(res.body.code).toBe('body_too_large');
      expect(sent.bytes, r.name).toBeLessThan(64 * MB);
    }
  });

  it('accepts DELETE and GET with content-type application/json and an empty body', async () => {
    const json = { ...auth(), 'content-type': 'application/json' };
    const created = await timed(`${api}/budgets`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(budgetBody()),
    });
    const id = created.body.budget_id as string;
    expect((await timed(`${api}/budgets/${id}`, { headers: json })).status).toBe(200);
    expect((await timed(`${api}/budgets/${id}`, { method: 'DELETE', headers: json })).status).toBe(200);
    // A route that needs a body still says so, naming it.
    const empty = await timed(`${api}/budgets`, { method: 'POST', headers: json });
    expect(empty.status).toBe(400);
    expect(empty.body.errors?.[0]).toMatchObject({ path: 'body', code: 'required' });
  });

  it('answers a JSON body with a NUL character with 400 naming the field', async () => {
    const json = { ...auth(), 'content-type': 'application/json' };
    for (const [body, path] of [
      [budgetBody({ budget_name: 'a\u0000b' }), 'budget_name'],
      [budgetBody({ metadata: { notes: ['ok', 'x\u0000'] } }), 'metadata.notes.1'],
    ] as const) {
      const res = await timed(`${api}/budgets`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0]).toMatchObject({ path, code: 'null_character' });
    }
  });

  it('refuses a zip-bomb XLSX with 413 xlsx_too_large on the line and actuals imports, RSS staying flat', async () => {
    const bomb = await xlsxBomb(100 * MB);
    expect(bomb.length).toBeLessThan(MB);
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    try {
      const post = (url: string) =>
        timed(url, { method: 'POST', headers: { ...auth(), 'content-type': XLSX }, body: bomb });
      const lines = await post(`${api}/budgets/${budgetId}/lines/import`);
      expect(lines.status).toBe(413);
      expect(lines.body).toMatchObject({ code: 'xlsx_too_large', limit: 'XLSX_MAX_IN_MEMORY_BYTES' });
      const actuals = await post(`${api}/actuals/imports?batch_key=bomb`);
      expect(actuals.status).toBe(413);
      expect(actuals.body).toMatchObject({ code: 'xlsx_too_large', limit: 'XLSX_MAX_INFLATED_BYTES' });
      // As a job: the job fails, naming the limit.
      const queued = await post(`${api}/actuals/imports?batch_key=bomb&async=true`);
      expect(queued.status).toBe(202);
      const job = await pollJob(queued.body.job_id as string);
      expect(job.status).toBe('failed');
      expect(String(job.error)).toMatch(/XLSX_MAX_INFLATED_BYTES/);
    } finally {
      clearInterval(sampler);
    }
    expect(peak - before).toBeLessThan(200 * MB);
  });

  it('completes a 40,000-row staged job import while /health keeps answering', async () => {
    const csv = ledgerCsv(40_000);
    expect(csv.length).toBeGreaterThan(MB);
    const queued = await timed(`${api}/actuals/imports?batch_key=big`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'text/csv' },
      body: csv,
    });
    expect(queued.status).toBe(202);
    const job = pollJob(queued.body.job_id as string, 120_000);
    const latencies = await healthDuring(origin, job);
    console.log(
      `/health during a 40,000-row job import on ${backend}: ${latencies.length} polls, max ${Math.max(...latencies).toFixed(0)} ms, top5 ${latencies
        .sort((a, b) => b - a)
        .slice(0, 5)
        .map((x) => x.toFixed(0))}`,
    );
    expect(await job).toMatchObject({ status: 'completed', result: { row_count: 40_000 } });
    expect(latencies.length).toBeGreaterThan(10);
    // Parsing yields between 64 KiB slices. Embedded PGlite runs each statement on the API's own
    // thread (a 2,000-row insert: 0.1-0.5 s here), so its bound is looser; before, the whole
    // import blocked (20,000 rows: 10 s).
    // Bounds with room for a loaded machine (measured alone: PostgreSQL p99 ~0.2 s, PGlite max ~1 s).
    expect(Math.max(...latencies)).toBeLessThan(backend === 'postgres' ? 2000 : 5000);
  }, 180_000);

  async function pollJob(id: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await timed(`${api}/jobs/${id}`, { headers: auth() });
      if (res.body.status === 'completed' || res.body.status === 'failed') return res.body;
      if (Date.now() > deadline) throw new Error(`job ${id} still ${res.body.status}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
});
