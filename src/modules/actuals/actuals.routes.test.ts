import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { API_PREFIX } from '../../platform/http/types.ts';
import { XLSX_TYPE } from './actuals.schema.ts';

/** A small workbook like a ledger export: a title-free sheet with dates, numbers and text. */
async function ledgerXlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('Notes').addRow(['not this sheet']);
  const ws = wb.addWorksheet('GL');
  ws.addRow(['Posting Date', 'Account', 'Cost Center', 'Net', 'Currency', 'Text']);
  ws.addRow([new Date(Date.UTC(2026, 0, 31)), 4000, 'CC1', 1234.5, 'USD', 'numbers']);
  ws.addRow([
    '2026-02',
    '4000',
    'CC1',
    '(200.00)',
    'USD',
    { richText: [{ text: 'rich ' }, { text: 'text' }] },
  ]);
  ws.addRow([
    new Date(Date.UTC(2026, 2, 1)),
    4100,
    null,
    { formula: '0.1+0.2', result: 0.30000000000000004 },
    'USD',
    null,
  ]);
  ws.getColumn(1).numFmt = 'yyyy-mm-dd';
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe.each(backends())('actuals API on %s', (backend) => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    token = await t.token(newTenant());
  });
  afterAll(() => t?.close());

  const upload = (query: string, payload: string | Buffer, type = 'text/csv', tok = token) =>
    t.app.inject({
      method: 'POST',
      url: `${API_PREFIX}/actuals/imports?${query}`,
      headers: { authorization: `Bearer ${tok}`, 'content-type': type },
      payload,
    });

  it('imports an XLSX sheet chosen by name, reading date cells, numbers, formulas and rich text', async () => {
    const mapping = {
      columns: {
        period: 'Posting Date',
        gl_account: 'Account',
        cost_centre: 'Cost Center',
        amount: 'Net',
        currency: 'Currency',
        description: 'Text',
      },
      sheet: 'GL',
    };
    const res = await upload(
      `batch_key=x1&file_name=gl.xlsx&mapping=${encodeURIComponent(JSON.stringify(mapping))}`,
      await ledgerXlsx(),
      XLSX_TYPE,
    );
    expect(res.statusCode, res.body).toBe(201);
    const b = res.json();
    expect(b.report.source.sheet).toBe('GL');
    expect(b.report.columns.period.formats).toEqual({ date_cell: 2, 'YYYY-MM': 1 });
    expect(b.report.columns.amount.counts).toEqual({
      numeric_cell: 1,
      parentheses: 1,
      rounded_numeric_cell: 1,
    });
    expect(b.report.totals).toEqual({ USD: '1034.80' });
    const rows = (await t.call('GET', `/actuals?batch_id=${b.batch_id}`, token)).json().items;
    expect(
      rows.map((r: Record<string, unknown>) => [
        r.row_number,
        r.period,
        r.gl_account_id,
        r.amount,
        r.description,
      ]),
    ).toEqual([
      [2, '2026-01-01', '4000', '1234.50', 'numbers'],
      [3, '2026-02-01', '4000', '-200.00', 'rich text'],
      [4, '2026-03-01', '4100', '0.30', null],
    ]);
  });

  it('an XLSX bad row is reported with its sheet row number', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('S');
    ws.addRow(['period', 'amount', 'currency']);
    ws.addRow(['2026-01', 5, 'USD']);
    ws.addRow([]);
    ws.addRow(['2026-01', 'n/a', 'USD']);
    const res = await upload('batch_key=x2', Buffer.from(await wb.xlsx.writeBuffer()), XLSX_TYPE);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toMatchObject([
      { path: 'rows.4.amount', message: expect.stringMatching(/^row 4: amount "n\/a"/) },
    ]);
  });

  it('a file that is not XLSX is a 422 on the file, not a 500', async () => {
    const res = await upload('batch_key=x3', Buffer.from('not a zip at all'), XLSX_TYPE);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0]).toMatchObject({ path: 'file', code: 'unreadable_file' });
  });

  it('a saved mapping is reused by name, updated, listed and deleted', async () => {
    const mapping = {
      columns: { period: 'Mon', amount: 'Betrag', gl_account: 'Konto' },
      decimal_separator: ',',
      default_currency: 'EUR',
      period_format: 'DD/MM/YYYY',
    };
    const created = await t.call('POST', '/actuals/mappings', token, { name: 'DATEV export', mapping });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().mapping_id;
    expect(
      (await t.call('POST', '/actuals/mappings', token, { name: 'datev EXPORT', mapping })).statusCode,
    ).toBe(409);
    const csv = 'Konto;Mon;Betrag\n6000;04/03/2026;1.000,50\n6000;05/03/2026;-0,50';
    const res = await upload('batch_key=m1&mapping_name=datev%20export', csv);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().report).toMatchObject({
      mapping_name: 'DATEV export',
      columns: {
        period: { declared_format: 'DD/MM/YYYY', formats: { 'DD/MM/YYYY': 2 } },
        currency: { default_currency: 'EUR', taken_from: { default_currency: 2 } },
      },
      totals: { EUR: '1000.00' },
    });
    const updated = await t.call('PUT', `/actuals/mappings/${id}`, token, {
      name: 'DATEV',
      mapping: { ...mapping, columns: { ...mapping.columns, amount: 'Summe' } },
    });
    expect(updated.statusCode).toBe(200);
    const bad = await upload('batch_key=m1&mapping_name=DATEV', csv);
    expect(bad.json().errors[0]).toMatchObject({
      path: 'mapping.columns.amount',
      message: expect.stringContaining('"Summe"'),
    });
    expect(
      (await t.call('GET', '/actuals/mappings', token)).json().items.map((m: { name: string }) => m.name),
    ).toEqual(['DATEV']);
    expect((await t.call('DELETE', `/actuals/mappings/${id}`, token)).statusCode).toBe(204);
    expect((await upload('batch_key=m1&mapping_name=DATEV', csv)).statusCode).toBe(404);
  });

  it('refuses a bad inline mapping, a missing batch key and an unknown format at the edge', async () => {
    const bad = await upload(`batch_key=e&mapping=${encodeURIComponent('{"decimal_separator":"x"}')}`, 'a');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('query.mapping.decimal_separator');
    expect((await upload('', 'period,amount\n2026-01,1')).json().errors[0].path).toBe('query.batch_key');
    const octet = await upload('batch_key=e', 'x', 'application/octet-stream');
    expect(octet.json().errors[0].path).toBe('query.format');
  });

  it('lists actuals with filters, cursor pagination and totals over all pages', async () => {
    const csv = [
      'period,gl_account,department,category,amount,currency',
      '2025-01,7000,D1,travel,10.00,USD',
      '2025-02,7000,D1,travel,20.00,USD',
      '2025-03,7000,D2,travel,30.00,USD',
      '2025-03,7000,D2,meals,40.00,GBP',
    ].join('\n');
    expect((await upload('batch_key=l1', csv)).statusCode).toBe(201);
    const q = 'gl_account=7000&period_from=2025-02&period_to=2025-03&limit=1';
    const first = (await t.call('GET', `/actuals?${q}`, token)).json();
    expect(first.items[0].amount).toBe('20.00');
    expect(first.totals).toEqual([
      { currency: 'GBP', amount: '40.00', row_count: 1 },
      { currency: 'USD', amount: '50.00', row_count: 2 },
    ]);
    const seen = [first.items[0].amount];
    let cursor = first.next_cursor;
    while (cursor) {
      const page = (await t.call('GET', `/actuals?${q}&cursor=${cursor}`, token)).json();
      seen.push(...page.items.map((r: { amount: string }) => r.amount));
      cursor = page.next_cursor;
    }
    expect(seen).toEqual(['20.00', '30.00', '40.00']);
    expect((await t.call('GET', '/actuals?department=D2&category=meals', token)).json().totals).toEqual([
      { currency: 'GBP', amount: '40.00', row_count: 1 },
    ]);
    expect((await t.call('GET', '/actuals?cursor=garbage', token)).statusCode).toBe(400);
  });

  it('deletes a batch with its rows', async () => {
    const b = (await upload('batch_key=d1', 'period,amount,currency\n2024-01,1.00,USD')).json();
    expect(
      (await t.call('GET', '/actuals/batches', token))
        .json()
        .items.some((x: { batch_id: string }) => x.batch_id === b.batch_id),
    ).toBe(true);
    expect((await t.call('DELETE', `/actuals/batches/${b.batch_id}`, token)).statusCode).toBe(204);
    expect((await t.call('GET', `/actuals?batch_id=${b.batch_id}`, token)).json().items).toEqual([]);
    expect((await t.call('DELETE', `/actuals/batches/${b.batch_id}`, token)).statusCode).toBe(404);
  });

  it('another tenant gets 404 on every batch and mapping route and sees no actuals', async () => {
    const b = (await upload('batch_key=secret', 'period,amount,currency\n2024-01,99.00,USD')).json();
    const m = (
      await t.call('POST', '/actuals/mappings', token, {
        name: 'secret map',
        mapping: { default_currency: 'USD' },
      })
    ).json();
    const other = await t.token(newTenant());
    expect((await t.call('GET', `/actuals/batches/${b.batch_id}`, other)).statusCode).toBe(404);
    expect((await t.call('DELETE', `/actuals/batches/${b.batch_id}`, other)).statusCode).toBe(404);
    expect((await t.call('GET', `/actuals/mappings/${m.mapping_id}`, other)).statusCode).toBe(404);
    expect(
      (await t.call('PUT', `/actuals/mappings/${m.mapping_id}`, other, { name: 'x', mapping: {} }))
        .statusCode,
    ).toBe(404);
    expect((await t.call('DELETE', `/actuals/mappings/${m.mapping_id}`, other)).statusCode).toBe(404);
    expect(
      (await upload('batch_key=z&mapping_name=secret%20map', 'period,amount\n2024-01,1', 'text/csv', other))
        .statusCode,
    ).toBe(404);
    expect((await t.call('GET', `/actuals?batch_id=${b.batch_id}`, other)).json()).toMatchObject({
      items: [],
      totals: [],
    });
    expect((await t.call('GET', '/actuals/batches', other)).json().items).toEqual([]);
    expect((await t.call('GET', '/actuals/mappings', other)).json().items).toEqual([]);
    // Re-importing the other tenant's batch key creates its own batch; the first tenant's stays.
    expect(
      (await upload('batch_key=secret', 'period,amount,currency\n2024-01,1.00,USD', 'text/csv', other))
        .statusCode,
    ).toBe(201);
    expect((await t.call('GET', `/actuals/batches/${b.batch_id}`, token)).statusCode).toBe(200);
  });

  it('reading needs actuals:read and importing needs actuals:write', async () => {
    const viewer = await t.token(newTenant(), { roles: ['viewer'] });
    expect((await t.call('GET', '/actuals', viewer)).statusCode).toBe(200);
    expect((await upload('batch_key=v', 'period,amount\n2024-01,1', 'text/csv', viewer)).statusCode).toBe(
      403,
    );
    expect((await t.call('POST', '/actuals/mappings', viewer, { name: 'v', mapping: {} })).statusCode).toBe(
      403,
    );
  });
});
