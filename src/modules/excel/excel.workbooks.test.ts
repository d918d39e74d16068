/**
 * Exported workbooks kept in the file store (`?keep=true`, docs/storage.md): listed under their
 * budget and downloaded byte for byte; keeping needs budgets:write; another tenant's budget or
 * file, or a file of another budget, is 404.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { API_PREFIX } from '../../platform/http/types.ts';
import { XLSX_TYPE } from './excel.schema.ts';

describe.each(backends())('kept workbooks on %s', (backend) => {
  let t: TestApp;
  const tenant = newTenant();
  let admin = '';
  let budgetId = '';
  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.token(tenant);
    const res = await t.call(
      'POST',
      '/budgets',
      admin,
      budgetBody({ budget_lines: [lineBody(), lineBody()] }),
    );
    budgetId = res.json().budget_id;
  });
  afterAll(() => t?.close());

  const get = (path: string, token: string) =>
    t.app.inject({
      method: 'GET',
      url: `${API_PREFIX}${path}`,
      headers: { authorization: `Bearer ${token}` },
    });
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  it('keeps an exported budget and variance workbook under the budget, byte for byte', async () => {
    const plain = await get(`/budgets/${budgetId}/export.xlsx`, admin);
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['x-stored-file-id']).toBeUndefined();
    expect((await get(`/budgets/${budgetId}/workbooks`, admin)).json().items).toEqual([]);

    const kept = await get(`/budgets/${budgetId}/export.xlsx?keep=true`, admin);
    expect(kept.statusCode).toBe(200);
    const fileId = kept.headers['x-stored-file-id'] as string;
    expect(fileId).toMatch(/^[0-9a-f-]{36}$/);
    const variance = await get(`/budgets/${budgetId}/variance/export.xlsx?keep=true`, admin);
    expect(variance.statusCode, variance.body).toBe(200);

    const list = (await get(`/budgets/${budgetId}/workbooks`, admin)).json().items;
    expect(list.map((f: { kind: string }) => f.kind)).toEqual(['variance_workbook', 'budget_workbook']);
    const entry = list.find((f: { file_id: string }) => f.file_id === fileId);
    expect(entry).toMatchObject({
      content_type: XLSX_TYPE,
      size: kept.rawPayload.length,
      sha256: sha(kept.rawPayload),
      ref_type: 'budget',
      ref_id: budgetId,
    });
    const download = await get(`/budgets/${budgetId}/workbooks/${fileId}`, admin);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe(XLSX_TYPE);
    expect(download.headers['x-content-sha256']).toBe(sha(kept.rawPayload));
    expect(download.rawPayload.equals(kept.rawPayload)).toBe(true);
  });

  it('lets a viewer download and list but not keep, and hides other budgets’ and tenants’ files', async () => {
    const viewer = await t.token(tenant, { roles: ['viewer'] });
    expect((await get(`/budgets/${budgetId}/export.xlsx`, viewer)).statusCode).toBe(200);
    const refused = await get(`/budgets/${budgetId}/export.xlsx?keep=true`, viewer);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toContain('budgets:write');
    const items = (await get(`/budgets/${budgetId}/workbooks`, viewer)).json().items;
    expect(items.length).toBeGreaterThan(0);
    const fileId = items[0].file_id as string;

    // The file under another budget of the same tenant: 404.
    const other = (await t.call('POST', '/budgets', admin, budgetBody())).json().budget_id;
    const wrongBudget = await get(`/budgets/${other}/workbooks/${fileId}`, admin);
    expect(wrongBudget.statusCode).toBe(404);
    expect(wrongBudget.json().errors[0].path).toBe('params.fileId');
    // Another tenant: neither the budget's list nor the file.
    const outsider = await t.token(newTenant());
    expect((await get(`/budgets/${budgetId}/workbooks`, outsider)).statusCode).toBe(404);
    expect((await get(`/budgets/${budgetId}/workbooks/${fileId}`, outsider)).statusCode).toBe(404);
    const theirs = (await t.call('POST', '/budgets', outsider, budgetBody())).json().budget_id;
    expect((await get(`/budgets/${theirs}/workbooks/${fileId}`, outsider)).statusCode).toBe(404);
    // A malformed id names the parameter.
    const bad = await get(`/budgets/${budgetId}/workbooks/nope`, admin);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('params.fileId');
  });
});
