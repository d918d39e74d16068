/**
 * Nothing a client sends produces a 500, and every client error has the one shape
 * `{ message, code, errors: [{ path, code, message }], request_id }`.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX } from '../src/platform/http/types.ts';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp } from './helpers/app.ts';
import { backends } from './helpers/databases.ts';

const ODD_VALUES: unknown[] = [
  null,
  true,
  false,
  [],
  {},
  -1,
  0,
  1e308,
  -1e308,
  1.5,
  '',
  ' ',
  'x'.repeat(300),
  'x'.repeat(10_000),
  '\u0000',
  '🙂'.repeat(100),
  '<script>alert(1)</script>',
  "'; DROP TABLE budgets; --",
  ['a', 1, null],
  { nested: { deeper: [1, 2, 3] } },
  { __proto__: { admin: true } },
];

/** Asserts the one error shape; returns the parsed body. */
function expectErrorShape(res: LightMyRequestResponse, status?: number) {
  if (status !== undefined) expect(res.statusCode, res.body).toBe(status);
  expect(res.statusCode).toBeGreaterThanOrEqual(400);
  expect(res.statusCode).toBeLessThan(500);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json();
  expect(body).toEqual(
    expect.objectContaining({
      message: expect.any(String),
      code: expect.stringMatching(/^[a-z0-9_]+$/),
      errors: expect.any(Array),
      request_id: expect.any(String),
    }),
  );
  expect(body.errors.length).toBeGreaterThan(0);
  for (const e of body.errors) {
    expect(Object.keys(e).sort()).toEqual(['code', 'message', 'path']);
    expect(typeof e.path).toBe('string');
    expect(typeof e.code).toBe('string');
    expect(typeof e.message).toBe('string');
  }
  expect(body.request_id).toBe(res.headers['x-request-id']);
  return body as { message: string; code: string; errors: { path: string; code: string; message: string }[] };
}

/** A response that is a success or a well-formed client error, never a server error. */
function expectNoServerError(res: LightMyRequestResponse, ok: number[], label: string) {
  expect(res.statusCode, `${label}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
  if (!ok.includes(res.statusCode)) expectErrorShape(res);
}

describe.each(backends())('HTTP robustness on %s', (backend) => {
  let t: TestApp;
  let token: string;
  let budgetId: string;
  let lineId: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    token = await t.token(newTenant());
    const res = await t.call('POST', '/budgets', token, budgetBody({ budget_lines: [lineBody()] }));
    budgetId = res.json().budget_id;
    lineId = (await t.call('GET', `/budgets/${budgetId}/lines`, token)).json().items[0].line_id;
  });
  afterAll(() => t?.close());

  /** Sends a raw payload with a content type to an API path. */
  const raw = (method: string, path: string, payload: string | Buffer, contentType = 'application/json') =>
    t.app.inject({
      method: method as 'POST',
      url: `${API_PREFIX}${path}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      payload,
    });

  it('answers malformed JSON with 400 on the body', async () => {
    for (const text of ['{', '{"budget_name": }', "{'a': 1}", '{"a":1}}', 'nul', '\u0000', '{"a":"\\u00"}']) {
      const body = expectErrorShape(await raw('POST', '/budgets', text), 400);
      expect(body.errors[0]?.path).toBe('body');
    }
  });

  it('answers an empty body with a JSON content type with 400', async () => {
    expectErrorShape(await raw('POST', '/budgets', ''), 400);
  });

  it.each([
    ['null', 'null'],
    ['an array', '[]'],
    ['an array of bodies', `[${JSON.stringify(budgetBody())}]`],
    ['a string', '"budget"'],
    ['a number', '42'],
    ['true', 'true'],
  ])('answers %s as the body with 400', async (_name, text) => {
    expectErrorShape(await raw('POST', '/budgets', text), 400);
    expectErrorShape(await raw('POST', `/budgets/${budgetId}/lines`, text), 400);
    expectErrorShape(await raw('POST', `/budgets/${budgetId}/lines/bulk`, text), 400);
    expectErrorShape(await raw('PUT', `/budgets/${budgetId}`, text), 400);
    expectErrorShape(await raw('PUT', `/budgets/${budgetId}/lines/${lineId}`, text), 400);
    expectErrorShape(await raw('POST', '/auth/login', text), 400);
  });

  it('answers wrong types in every field with a 400 naming the field', async () => {
    const wrong: Record<string, unknown> = {
      budget_name: 123,
      budget_type: 5,
      fiscal_year: 2027,
      total_amount: true,
      base_currency: ['USD'],
      department_id: {},
      description: 1,
      tags: 'a,b',
      metadata: [],
      template_id: 7,
      template_version: '2',
      budget_lines: {},
    };
    for (const [field, value] of Object.entries(wrong)) {
      const res = await t.call('POST', '/budgets', token, budgetBody({ [field]: value }));
      const body = expectErrorShape(res, 400);
      expect(body.errors.map((e) => e.path)).toContain(field);
    }
    const lineWrong: Record<string, unknown> = {
      line_name: 1,
      line_type: 'cost',
      category: null,
      amount: {},
      quantity: [],
      unit_cost: 'one',
      allocation_method: 1,
      allocation_percentage: true,
      requires_approval: 'yes',
      line_order: '1',
      metadata: 'x',
    };
    for (const [field, value] of Object.entries(lineWrong)) {
      const res = await t.call('POST', `/budgets/${budgetId}/lines`, token, lineBody({ [field]: value }));
      expect(expectErrorShape(res, 400).errors.map((e) => e.path)).toContain(field);
      const put = await t.call('PUT', `/budgets/${budgetId}/lines/${lineId}`, token, {
        [field]: value,
        version: 1,
      });
      expect(expectErrorShape(put, 400).errors.map((e) => e.path)).toContain(field);
    }
  });

  it('survives 100,000 levels of nesting inside metadata and as the whole body', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const base = JSON.stringify(budgetBody({ metadata: { x: 0 } }));
    const inMetadata = base.replace('{"x":0}', `{"x":${deep}}`);
    const a = expectErrorShape(await raw('POST', '/budgets', inMetadata), 400);
    expect(a.errors[0]).toMatchObject({ path: 'metadata', code: 'too_deep' });
    expectErrorShape(await raw('POST', '/budgets', deep), 400);
    expectErrorShape(await raw('POST', '/budgets', '['.repeat(100_000)), 400);
    expectErrorShape(await raw('POST', '/budgets', `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`), 400);
    const lineDeep = JSON.stringify(lineBody({ metadata: { x: 0 } })).replace('{"x":0}', `{"x":${deep}}`);
    expectErrorShape(await raw('POST', `/budgets/${budgetId}/lines`, lineDeep), 400);
    const putDeep = JSON.stringify({ metadata: { x: 0 }, version: 1 }).replace('{"x":0}', `{"x":${deep}}`);
    expectErrorShape(await raw('PUT', `/budgets/${budgetId}`, putDeep), 400);
  });

  it('refuses metadata deeper than 10 levels as too_deep and accepts exactly 10', async () => {
    const nested = (levels: number, inner: unknown = 1) => {
      let v: unknown = inner;
      for (let i = 0; i < levels; i++) v = { k: v };
      return v;
    };
    for (const metadata of [nested(20), nested(11), nested(10, [])]) {
      const res = await t.call('POST', '/budgets', token, budgetBody({ metadata }));
      expect(expectErrorShape(res, 400).errors[0]).toMatchObject({ path: 'metadata', code: 'too_deep' });
    }
    expect((await t.call('POST', '/budgets', token, budgetBody({ metadata: nested(10) }))).statusCode).toBe(
      201,
    );
  });

  it('refuses metadata with 300,000 array items as too_big', async () => {
    const res = await t.call(
      'POST',
      '/budgets',
      token,
      budgetBody({ metadata: { x: new Array(300_000).fill(0) } }),
    );
    expect(expectErrorShape(res, 400).errors[0]).toMatchObject({ path: 'metadata', code: 'too_big' });
  });

  it('refuses a body over BODY_LIMIT_BYTES with 413', async () => {
    const big = JSON.stringify(budgetBody({ description: 'x'.repeat(10 * 1024 * 1024) }));
    expect(big.length).toBeGreaterThan(t.config.BODY_LIMIT_BYTES);
    const body = expectErrorShape(await raw('POST', '/budgets', big), 413);
    expect(body.errors[0]?.path).toBe('body');
    expectErrorShape(await raw('POST', `/budgets/${budgetId}/lines/bulk`, big), 413);
  });

  it('refuses an unsupported content type with 415', async () => {
    const json = JSON.stringify(budgetBody());
    for (const type of [
      'text/plain',
      'text/plain; charset=utf-8',
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded',
      'garbage',
    ]) {
      const res = await raw('POST', '/budgets', json, type);
      expect(expectErrorShape(res, 415).errors[0]?.path).toBe('body');
    }
  });

  it('answers an unknown route with 404 route_not_found', async () => {
    for (const url of [
      '/nope',
      `${API_PREFIX}/nope`,
      `${API_PREFIX}/budgets/${budgetId}/nope`,
      '/%',
      '/..%2f..%2fetc',
    ]) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBeLessThan(500);
      if (res.statusCode === 404) expect(expectErrorShape(res).code).toBe('route_not_found');
      else expectErrorShape(res);
    }
    const post = await t.app.inject({ method: 'PATCH', url: `${API_PREFIX}/budgets` });
    expect(expectErrorShape(post, 404).code).toBe('route_not_found');
  });

  it('refuses non-UUID path ids with 400 on params.id', async () => {
    for (const id of [
      '1',
      'not-a-uuid',
      "1'%20OR%20'1'='1",
      'x'.repeat(100),
      '00000000-0000-0000-0000-00000000000g',
    ]) {
      const res = await t.call('GET', `/budgets/${id}`, token);
      expect(expectErrorShape(res, 400).errors[0]?.path).toBe('params.id');
      const line = await t.call('PUT', `/budgets/${budgetId}/lines/${id}`, token, { notes: 'x', version: 1 });
      expect(expectErrorShape(line, 400).errors[0]?.path).toBe('params.lineId');
    }
    // Past the router's parameter length limit the answer is 414, in the same shape.
    const long = await t.call('GET', `/budgets/${'x'.repeat(500)}`, token);
    expect(expectErrorShape(long, 414).code).toBe('max_param_length');
  });

  it('answers repeated and odd query parameters with 400, never 500', async () => {
    for (const q of [
      '/budgets?limit=1&limit=2',
      '/budgets?cursor=a&cursor=b',
      '/budgets?status=draft&status=approved',
      '/budgets?text=a&text=b',
      '/budgets?limit=-1',
      '/budgets?limit=abc',
      '/budgets?limit=1e308',
      '/budgets?limit=',
      '/budgets?unknown=1',
      '/budgets?fiscal_year=20x6',
      `/budgets?cursor=${'A'.repeat(300)}`,
      `/budgets/${budgetId}?include_lines=true&include_lines=false`,
      `/budgets/${budgetId}?include_lines=yes`,
      `/budgets/${budgetId}/lines?limit=1&limit=2`,
      `/budgets/${budgetId}/lines?cursor=${Buffer.from('not-a-uuid').toString('base64url')}`,
      `/budgets/${budgetId}/lines?cursor=${Buffer.from('018f0000-0000-7000-8000-000000000000').toString('base64url')}`,
      '/audit?limit=1&limit=2',
    ]) {
      expectErrorShape(await t.call('GET', q, token), 400);
    }
    for (const q of [
      '/budgets?text=%25',
      '/budgets?text=_',
      '/budgets?text=%5C',
      '/budgets?department_id=%27',
    ]) {
      expect((await t.call('GET', q, token)).statusCode).toBe(200);
    }
  });

  it('answers bad Authorization headers with 401', async () => {
    for (const header of [
      'garbage',
      'Bearer',
      'Bearer ',
      'Basic dXNlcjpwYXNz',
      'bearer x.y.z',
      `Bearer ${'a'.repeat(10 * 1024)}`,
      `Bearer ${'a'.repeat(5000)}.${'b'.repeat(5000)}.${'c'.repeat(100)}`,
      'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
      `Bearer ${token}x`,
      `Bearer ${token} ${token}`,
    ]) {
      const res = await t.app.inject({
        method: 'GET',
        url: `${API_PREFIX}/budgets`,
        headers: { authorization: header },
      });
      expect(expectErrorShape(res, 401).code).toBe('unauthorized');
    }
  });

  it('echoes a sane x-request-id and replaces one that is not', async () => {
    const sane = await t.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'req-123.abc:1' },
    });
    expect(sane.headers['x-request-id']).toBe('req-123.abc:1');
    for (const bad of ['has spaces', 'x'.repeat(101), '<script>', 'a\tb', 'ü']) {
      const res = await t.app.inject({
        method: 'GET',
        url: `${API_PREFIX}/budgets/nope`,
        headers: { 'x-request-id': bad },
      });
      const id = res.headers['x-request-id'];
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.json().request_id).toBe(id);
    }
    const none = await t.app.inject({ method: 'GET', url: '/health' });
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves an OpenAPI 3.1 document listing the API paths', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\.1\./);
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/budgets',
      '/budgets/{id}',
      '/budgets/{id}/lines',
      '/budgets/{id}/lines/bulk',
      '/budgets/{id}/lines/{lineId}',
      '/audit',
      '/auth/login',
    ]) {
      expect(paths).toContain(`${API_PREFIX}${p}`);
    }
    expect(Object.keys(doc.paths[`${API_PREFIX}/budgets`])).toEqual(expect.arrayContaining(['get', 'post']));
    expect((await t.app.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400);
  });

  it('answers /health and /ready with the database and cache ok', async () => {
    const health = await t.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ database: 'ok', cache: 'ok' });
  });

  it('never answers 500 to a budget body with any field replaced by an odd value', async () => {
    const fields = [
      ...Object.keys(budgetBody()),
      'department_id',
      'description',
      'notes',
      'tags',
      'metadata',
      'template_id',
      'template_version',
      'budget_lines',
      'tenant_id',
      'version',
    ];
    for (const field of fields) {
      for (const value of ODD_VALUES) {
        const res = await t.call('POST', '/budgets', token, budgetBody({ [field]: value }));
        expectNoServerError(res, [201], `POST /budgets ${field}=${JSON.stringify(value)?.slice(0, 40)}`);
      }
    }
  });

  it('never answers 500 to a line body with any field replaced by an odd value', async () => {
    const fields = [
      ...Object.keys(lineBody()),
      'quantity',
      'unit_cost',
      'allocation_method',
      'allocation_percentage',
      'approval_threshold',
      'line_order',
      'metadata',
      'requires_approval',
      'subcategory',
    ];
    for (const field of fields) {
      for (const value of ODD_VALUES) {
        const label = `${field}=${JSON.stringify(value)?.slice(0, 40)}`;
        const line = await t.call(
          'POST',
          '/budgets',
          token,
          budgetBody({ budget_lines: [lineBody({ [field]: value })] }),
        );
        expectNoServerError(line, [201], `POST /budgets budget_lines.0.${label}`);
        const bulk = await t.call('POST', `/budgets/${budgetId}/lines/bulk`, token, {
          lines: [lineBody({ [field]: value })],
        });
        expectNoServerError(bulk, [200], `POST lines/bulk ${label}`);
      }
    }
  });

  it('never answers 500 to an update with any field replaced by an odd value', async () => {
    for (const field of [
      'budget_name',
      'total_amount',
      'base_currency',
      'fiscal_year',
      'tags',
      'metadata',
      'version',
      'status',
      'notes',
    ]) {
      for (const value of ODD_VALUES) {
        const current = (await t.call('GET', `/budgets/${budgetId}`, token)).json().version;
        const label = `${field}=${JSON.stringify(value)?.slice(0, 40)}`;
        const res = await t.call('PUT', `/budgets/${budgetId}`, token, { version: current, [field]: value });
        expectNoServerError(res, [200], `PUT /budgets ${label}`);
        const lv = (await t.call('GET', `/budgets/${budgetId}/lines?limit=500`, token))
          .json()
          .items.find((l: { line_id: string }) => l.line_id === lineId)?.version;
        const put = await t.call('PUT', `/budgets/${budgetId}/lines/${lineId}`, token, {
          version: lv ?? 1,
          [field === 'budget_name' ? 'line_name' : field]: value,
        });
        expectNoServerError(put, [200], `PUT line ${label}`);
      }
    }
  });
});
