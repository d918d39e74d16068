/**
 * The OpenAPI document a real server serves at /docs/json, checked with the tools our users
 * point at it: swagger-parser (validation), redocly lint (redocly.yaml, recommended ruleset)
 * and openapi-typescript (the committed client types must be the ones it generates). Then the
 * document's promises are held against the server over a real socket: which operations need a
 * token, boolean query parameters, and the request examples.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPI3 } from 'openapi-typescript';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TYPES_FILE, generateApiTypes, lintOpenApi } from '../scripts/openapi-tools.ts';
import { API_PREFIX } from '../src/platform/http/types.ts';
import { newTenant, startTestApp, type TestApp } from './helpers/app.ts';

type Json = Record<string, unknown>;
interface Operation {
  method: string;
  path: string;
  op: Json & { responses: Record<string, Json>; parameters?: Json[]; requestBody?: Json };
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const PROBES = new Set(['/health', '/ready']);

let t: TestApp;
let base: string;
let doc: OpenAPI3;
let operations: Operation[];

function operationsOf(document: OpenAPI3): Operation[] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item as Record<string, Operation['op']>).map(([method, op]) => ({ method, path, op })),
  );
}

const find = (method: string, path: string) => {
  const found = operations.find((o) => o.method === method && o.path === `${API_PREFIX}${path}`);
  if (!found) throw new Error(`no operation ${method} ${path} in the document`);
  return found.op;
};

beforeAll(async () => {
  t = await startTestApp('pglite');
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const res = await fetch(`${base}/docs/json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as OpenAPI3;
  operations = operationsOf(doc);
});
afterAll(() => t?.close());

describe('the served OpenAPI document, through real tools', () => {
  it('is valid for swagger-parser (0 errors)', async () => {
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
  });

  it('passes redocly lint with the recommended ruleset and redocly.yaml (0 errors)', async () => {
    const lint = await lintOpenApi(doc);
    if (lint.warnings) console.log(`redocly warnings:\n${lint.problems.join('\n')}`);
    expect(lint.problems.filter((p) => p.startsWith('error'))).toEqual([]);
    expect(lint.errors).toBe(0);
    expect(lint.exitCode).toBe(0);
  });

  it('generates the committed client types with openapi-typescript (src/shared/api-types.ts)', async () => {
    const generated = await generateApiTypes(doc);
    const committed = readFileSync(API_TYPES_FILE, 'utf8');
    expect(committed === generated, 'api types are stale: run npm run openapi:types').toBe(true);
  });
});

describe('what every operation documents', () => {
  it('has a unique camelCase operationId, a summary and tags that are described', () => {
    const described = new Set((doc.tags ?? []).filter((tag) => tag.description).map((tag) => tag.name));
    const ids = operations.map((o) => o.op.operationId);
    expect(operations.length).toBeGreaterThan(90);
    for (const { method, path, op } of operations) {
      const where = `${method} ${path}`;
      expect(op.operationId, where).toMatch(/^[a-z][a-zA-Z0-9]+$/);
      expect(op.summary, where).toBeTruthy();
      expect((op.tags as string[]).length, where).toBeGreaterThan(0);
      for (const tag of op.tags as string[]) expect(described.has(tag), `${where}: tag ${tag}`).toBe(true);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('describes every response, and gives every 4xx the one error shape', () => {
    for (const { method, path, op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        const where = `${method} ${path} ${status}`;
        expect(response.description, where).not.toMatch(/^(Default Response)?$/);
        if (status.startsWith('4')) {
          const content = response.content as Record<string, { schema: Json }>;
          expect(Object.keys(content), where).toEqual(['application/json']);
          expect(content['application/json']!.schema, where).toEqual({ $ref: '#/components/schemas/Error' });
        }
      }
    }
    expect(Object.keys((doc.components?.schemas ?? {}) as Json)).toContain('Error');
  });

  it('documents 401/403 on secured operations, 400/413/415 where a body is taken, 429 on login', () => {
    for (const { method, path, op } of operations) {
      const where = `${method} ${path}`;
      const statuses = Object.keys(op.responses);
      if (!PROBES.has(path))
        expect(
          statuses.some((s) => s.startsWith('4')),
          where,
        ).toBe(true);
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      if (!isPublic) expect(statuses, where).toEqual(expect.arrayContaining(['401', '403']));
      if (op.requestBody) expect(statuses, where).toEqual(expect.arrayContaining(['400', '413', '415']));
    }
    expect(Object.keys(find('post', '/auth/login').responses)).toContain('429');
    expect(find('post', '/auth/login').security).toEqual([]);
  });

  it('declares binary request bodies for the uploads and XLSX responses for the downloads', () => {
    const binary = (op: Operation['op']) =>
      (op.requestBody as { content: Record<string, { schema: Json }> }).content;
    for (const path of ['/actuals/imports', '/budgets/{id}/lines/import']) {
      const content = binary(find('post', path));
      expect(Object.keys(content).sort()).toEqual(['application/octet-stream', XLSX, 'text/csv'].sort());
      for (const media of Object.values(content)) expect(media.schema).toMatchObject({ format: 'binary' });
    }
    expect(Object.keys(binary(find('post', '/fx-rates/imports')))).toEqual(['text/csv']);
    for (const path of ['/budgets/{id}/export.xlsx', '/budgets/{id}/variance/export.xlsx']) {
      const ok = find('get', path).responses['200'] as { content: Record<string, { schema: Json }> };
      expect(Object.keys(ok.content)).toEqual([XLSX]);
      expect(ok.content[XLSX]!.schema).toMatchObject({ type: 'string', format: 'binary' });
    }
  });

  it('gives the main create requests examples', () => {
    for (const path of [
      '/budgets',
      '/budgets/{id}/lines',
      '/templates',
      '/budgets/{id}/scenarios',
      '/forecasting/models',
    ]) {
      const content = (find('post', path).requestBody as { content: Record<string, Json> }).content;
      expect(Object.keys(content['application/json']!.examples as Json).length, path).toBeGreaterThan(0);
    }
  });
});

describe("the document's promises, held over a real socket", () => {
  const concrete = (path: string) => path.replace(/\{version\}/g, '1').replace(/\{[^}]+\}/g, uuidv7());

  it('every operation marked as secured answers 401 without a token; the public ones do not', async () => {
    const answers = await Promise.all(
      operations.map(async ({ method, path, op }) => {
        const res = await fetch(`${base}${concrete(path)}`, { method: method.toUpperCase() });
        await res.arrayBuffer();
        const isPublic = Array.isArray(op.security) && op.security.length === 0;
        return { where: `${method} ${path}`, isPublic, status: res.status };
      }),
    );
    const secured = answers.filter((a) => !a.isPublic);
    expect(secured.filter((a) => a.status !== 401)).toEqual([]);
    expect(answers.filter((a) => a.isPublic && a.status === 401)).toEqual([]);
    expect(answers.filter((a) => a.isPublic).map((a) => a.where)).toEqual([
      'get /health',
      'get /ready',
      `post ${API_PREFIX}/auth/login`,
      `get ${API_PREFIX}/auth/config`,
    ]);
  });

  it('documents include_lines as a boolean and accepts "true"/"false" on the wire, nothing else', async () => {
    const param = (find('get', '/budgets/{id}').parameters ?? []).find((p) => p.name === 'include_lines');
    expect(param?.schema).toEqual({ type: 'boolean', default: false });
    const token = await t.token(newTenant());
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const example = exampleOf('/budgets');
    const created = await fetch(`${base}${API_PREFIX}/budgets`, { method: 'POST', headers, body: example });
    const { budget_id } = (await created.json()) as { budget_id: string };
    const get = (q: string) =>
      fetch(`${base}${API_PREFIX}/budgets/${budget_id}?include_lines=${q}`, { headers });
    expect(((await (await get('true')).json()) as Json).budget_lines).toHaveLength(2);
    expect(((await (await get('false')).json()) as Json).budget_lines).toBeUndefined();
    const bad = await get('yes');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: Json[] }).errors[0]).toMatchObject({
      path: 'query.include_lines',
    });
  });

  it('accepts each documented request example as it stands', async () => {
    const token = await t.token(newTenant());
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const post = async (path: string, example: string) => {
      const res = await fetch(`${base}${API_PREFIX}${path}`, { method: 'POST', headers, body: example });
      const body = (await res.json()) as Json;
      expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(201);
      return body;
    };
    const budget = await post('/budgets', exampleOf('/budgets'));
    const id = String(budget.budget_id);
    await post(`/budgets/${id}/lines`, exampleOf('/budgets/{id}/lines'));
    await post(`/budgets/${id}/scenarios`, exampleOf('/budgets/{id}/scenarios'));
    await post('/templates', exampleOf('/templates'));
    await post('/forecasting/models', exampleOf('/forecasting/models'));
  });
});

/** The first documented JSON example of POST <path>, as a request body. */
function exampleOf(path: string): string {
  const content = (find('post', path).requestBody as { content: Record<string, Json> }).content;
  const examples = content['application/json']!.examples as Record<string, { value: unknown }>;
  return JSON.stringify(Object.values(examples)[0]!.value);
}
