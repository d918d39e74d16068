/**
 * GET /metrics over a real socket: Prometheus text with HTTP latency by route pattern and status,
 * WebSocket connections and messages, job attempts, cache lookups, queue depth and (on
 * PostgreSQL) the pool; METRICS_TOKEN guards it when set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../src/platform/http/errors.ts';
import { tenantIdFromKey } from '../src/platform/tenancy/tenancy.ts';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp, waitForJob } from './helpers/app.ts';
import { backends } from './helpers/databases.ts';
import { http, httpBase } from './helpers/http.ts';
import { join } from './helpers/ws-client.ts';

const METRICS_TOKEN = 'metrics-token-0123456789';

async function scrape(base: string, token = METRICS_TOKEN) {
  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** The value of one sample line (`name{labels} value`), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (!(rest.startsWith('{') || rest.startsWith(' '))) continue;
    if (Object.entries(labels).every(([k, v]) => rest.includes(`${k}="${v}"`)))
      return Number(line.split(' ').at(-1));
  }
  return undefined;
}

describe.each(backends())('metrics on %s', (backend) => {
  let t: TestApp;
  let base: string;
  const tenant = newTenant();
  let token: string;

  beforeAll(async () => {
    t = await startTestApp(backend, { METRICS_TOKEN });
    base = await httpBase(t);
    token = await t.token(tenant, { user: 'alice' });
  });
  afterAll(() => t?.close());

  it('needs the METRICS_TOKEN when one is set, and says so', async () => {
    const res = await scrape(base, 'wrong-token-0123456789');
    expect(res.status).toBe(401);
    expect(JSON.parse(res.text).message).toContain('METRICS_TOKEN');
  });

  it('counts HTTP requests by route pattern and status, never by raw URL', async () => {
    const created = await http(base, 'POST', '/budgets', token, budgetBody());
    expect(created.status).toBe(201);
    const id = created.body.budget_id as string;
    expect((await http(base, 'GET', `/budgets/${id}`, token)).status).toBe(200);
    const { status, type, text } = await scrape(base);
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain/);
    const count = 'bf_http_request_duration_seconds_count';
    expect(
      sample(text, count, {
        method: 'POST',
        route: '/api/budgeting-forecasting/budgets',
        status_code: '201',
      }),
    ).toBe(1);
    expect(
      sample(text, count, {
        method: 'GET',
        route: '/api/budgeting-forecasting/budgets/:id',
        status_code: '200',
      }),
    ).toBe(1);
    expect(text).not.toContain(id);
    // Reading the budget went through the cache.
    const lookups =
      (sample(text, 'bf_cache_lookups_total', { result: 'hit' }) ?? 0) +
      (sample(text, 'bf_cache_lookups_total', { result: 'miss' }) ?? 0);
    expect(lookups).toBeGreaterThan(0);
    expect(sample(text, 'bf_process_resident_memory_bytes')).toBeGreaterThan(0);
    if (backend === 'postgres')
      expect(sample(text, 'bf_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
  });

  it('times job attempts by type and outcome', async () => {
    t.platform.queue.register('test.metrics', async () => ({ ok: true }));
    const ctx = {
      tenantId: tenantIdFromKey(tenant),
      tenantKey: tenant,
      userId: 'alice',
      roles: ['admin'],
      permissions: new Set<string>(),
    };
    // With Redis, a command timeout on a loaded machine makes the queue refuse (503) until the
    // connection is back: wait for that condition, as a client retrying after 503 would.
    const deadline = Date.now() + 10_000;
    let job: Awaited<ReturnType<typeof t.platform.queue.enqueue>> | undefined;
    while (!job) {
      try {
        job = await t.platform.queue.enqueue(ctx, 'test.metrics', {});
      } catch (error) {
        if (!(error instanceof DependencyUnavailableError) || Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    expect((await waitForJob(t, token, job.id)).status).toBe('completed');
    const { text } = await scrape(base);
    expect(
      sample(text, 'bf_job_attempt_duration_seconds_count', { type: 'test.metrics', outcome: 'completed' }),
    ).toBe(1);
  });

  it('counts open WebSocket connections and received messages', async () => {
    const budget = (await http(base, 'POST', '/budgets', token, budgetBody())).body.budget_id as string;
    const session = await http(base, 'POST', '/collaboration/sessions', token, {
      session_name: 'Metrics',
      budget_id: budget,
      conflict_strategy: 'last_writer_wins',
    });
    expect(session.status).toBe(201);
    const socket = await join(base.replace('http', 'ws'), session.body.session_id, token);
    await socket.roundTrip();
    const open = await scrape(base);
    expect(sample(open.text, 'bf_websocket_connections')).toBe(1);
    expect(sample(open.text, 'bf_websocket_messages_received_total')).toBeGreaterThanOrEqual(1);
    socket.ws.close();
    await socket.closed;
    // The close is counted when the server sees it: poll the gauge, not the clock.
    for (let i = 0; i < 100; i++) {
      if (sample((await scrape(base)).text, 'bf_websocket_connections') === 0) break;
      await new Promise((r) => setImmediate(r));
    }
    expect(sample((await scrape(base)).text, 'bf_websocket_connections')).toBe(0);
  });

  it('counts collaboration edits applied to their line, not refused ones', async () => {
    const created = await http(base, 'POST', '/budgets', token, budgetBody({ budget_lines: [lineBody()] }));
    const budget = created.body.budget_id as string;
    const lines = await http(base, 'GET', `/budgets/${budget}/lines`, token);
    const line = lines.body.items[0];
    const session = await http(base, 'POST', '/collaboration/sessions', token, {
      session_name: 'Edits',
      budget_id: budget,
      conflict_strategy: 'last_writer_wins',
    });
    const before = sample((await scrape(base)).text, 'bf_collaboration_edits_total') ?? 0;
    const socket = await join(base.replace('http', 'ws'), session.body.session_id, token);
    for (let i = 0; i < 3; i++)
      socket.send({
        type: 'budget_line_edit',
        target_id: line.line_id,
        changes: { amount: `${i + 1}.50` },
        client_msg_id: `e${i}`,
      });
    // An edit of a line that does not exist is refused: not counted.
    socket.send({
      type: 'budget_line_edit',
      target_id: '0190f0f0-0000-7000-8000-0000000000ff',
      changes: { amount: '1.00' },
      client_msg_id: 'missing',
    });
    await socket.nextOf('ack', (m) => m.client_msg_id === 'e2');
    await socket.nextOf('edit_error');
    expect(sample((await scrape(base)).text, 'bf_collaboration_edits_total')).toBe(before + 3);
    socket.ws.close();
    await socket.closed;
  });
});

describe('outbox metrics with AMQP_URL', () => {
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    // A broker that is not there: the events wait in the outbox, and the lag shows it.
    t = await startTestApp('pglite', {
      METRICS_TOKEN,
      AMQP_URL: 'amqp://guest:guest@127.0.0.1:1',
      EVENTS_RELAY: 'false',
    });
    base = await httpBase(t);
  });
  afterAll(() => t?.close());

  it('reports the unpublished events and the age of the oldest', async () => {
    const empty = (await scrape(base)).text;
    expect(sample(empty, 'bf_outbox_unpublished_events')).toBe(0);
    expect(sample(empty, 'bf_outbox_lag_seconds')).toBe(0);
    const token = await t.token(newTenant());
    await http(base, 'POST', '/budgets', token, budgetBody());
    await http(base, 'POST', '/budgets', token, budgetBody());
    const text = (await scrape(base)).text;
    expect(sample(text, 'bf_outbox_unpublished_events')).toBe(2);
    expect(sample(text, 'bf_outbox_lag_seconds')).toBeGreaterThanOrEqual(0);
  });
});
