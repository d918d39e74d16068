/**
 * Traces and logs of the real server process: OpenTelemetry spans reach an OTLP/HTTP receiver
 * started here (JSON, on a random port) with the route name, and every request log line names
 * the request, the tenant and the user; error lines carry the error code.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type E2eServer,
  e2eBackends,
  printOutputOnFailure,
  START_TIMEOUT_MS,
  startServer,
} from './server.ts';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string; intValue?: number | string } }[];
}

/** A minimal OTLP/HTTP trace receiver: POST /v1/traces with a JSON ExportTraceServiceRequest. */
async function startReceiver(): Promise<{ server: Server; url: string; spans: OtlpSpan[] }> {
  const spans: OtlpSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
        };
        for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans };
}

const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue !== undefined ? String(v.intValue) : undefined);
};

async function until<T>(what: string, fn: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(e2eBackends())('observability of the server process (%s)', (backend) => {
  let s: E2eServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  printOutputOnFailure(() => s);

  beforeAll(async () => {
    receiver = await startReceiver();
    s = await startServer(backend, {
      redisDb: 12,
      env: {
        LOG_LEVEL: 'info',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await s?.stop();
    receiver?.server.close();
  });

  it('sends a server span named by the route (and, on PostgreSQL, its pg query spans) to the OTLP endpoint', async () => {
    const token = await s.token();
    const created = await s.call('POST', '/budgets', {
      token,
      json: {
        budget_name: 'Traced',
        budget_type: 'annual',
        fiscal_year: '2031',
        total_amount: '10.00',
        base_currency: 'USD',
      },
    });
    expect(created.status).toBe(201);
    const got = await s.call('GET', `/budgets/${created.json.budget_id}`, { token });
    expect(got.status).toBe(200);
    const route = '/api/budgeting-forecasting/budgets/:id';
    const span = await until('the GET /budgets/:id server span', () =>
      receiver.spans.find((sp) => sp.kind === 2 && attr(sp, 'http.route') === route),
    );
    expect(span.name).toBe(`GET ${route}`);
    expect(attr(span, 'http.request_id')).toBe(got.headers.get('x-request-id'));
    if (backend === 'postgres') {
      // The pg instrumentation's query spans ("pg.query:SELECT <db>") are children in the request's trace.
      const query = await until('a pg query span in the same trace', () =>
        receiver.spans.find((sp) => sp.traceId === span.traceId && sp.name.startsWith('pg.query')),
      );
      expect(query.parentSpanId).toBeTruthy();
    }
  });

  it('logs every request line with the request id, tenant and user, and error lines with the error code', async () => {
    const token = await s.token({ user: 'log-user' });
    const ok = await s.call('GET', '/budgets', { token, headers: { 'x-request-id': 'req-ok-1' } });
    expect(ok.status).toBe(200);
    const missing = await s.call('GET', '/budgets/0190a000-0000-7000-8000-000000000000', {
      token,
      headers: { 'x-request-id': 'req-404-1' },
    });
    expect(missing.status).toBe(404);
    const anonymous = await s.call('GET', '/budgets', { headers: { 'x-request-id': 'req-401-1' } });
    expect(anonymous.status).toBe(401);

    const linesOf = (reqId: string) =>
      s
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.reqId === reqId);
    const completed = (reqId: string) =>
      until(`the log line of ${reqId}`, () => linesOf(reqId).find((l) => l.msg === 'request completed'));

    const okLine = await completed('req-ok-1');
    expect(okLine).toMatchObject({ tenant: s.tenant, user_id: 'log-user', res: { statusCode: 200 } });
    expect(okLine.tenant_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(okLine.error_code).toBeUndefined();
    expect(await completed('req-404-1')).toMatchObject({
      tenant: s.tenant,
      user_id: 'log-user',
      error_code: 'not_found',
      res: { statusCode: 404 },
    });
    // Before authentication nobody is known, but the code is.
    expect(await completed('req-401-1')).toMatchObject({
      error_code: 'unauthorized',
      res: { statusCode: 401 },
    });
    // Every line of an authenticated request after authentication names tenant and user.
    for (const line of linesOf('req-ok-1').filter((l) => l.msg !== 'incoming request'))
      expect(line).toMatchObject({ tenant: s.tenant, user_id: 'log-user' });
  });
});
