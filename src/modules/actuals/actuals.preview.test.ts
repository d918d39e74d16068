import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { API_PREFIX } from '../../platform/http/types.ts';
import { XLSX_TYPE } from './actuals.schema.ts';

const CSV = [
  'Buchungsdatum;Konto;Kostenstelle;Betrag;Währung;Text',
  '31.01.2026;4000;Sales;"1.234,50";EUR;Invoices',
  '28.02.2026;4000;Sales;"(200,00)";EUR;Credit note',
  '31.03.2026;4000;Sales;abc;EUR;Broken',
  '',
  '30.04.2026;6100;Marketing;"99,90";EUR;Ads',
].join('\n');

const ERP = 'Posting date,G/L account,Department,Amount,Currency\n2026-01-31,4000,Sales,10.00,USD\n';

describe('POST /actuals/imports/preview (the mapping step)', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp('pglite');
    token = await t.token(newTenant(), { roles: ['planner'] });
  });
  afterAll(() => t?.close());

  const preview = (query: string, payload: string | Buffer, type = 'text/csv') =>
    t.app.inject({
      method: 'POST',
      url: `${API_PREFIX}/actuals/imports/preview?${query}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      payload,
    });

  it('shows the header and first rows, suggests columns by header name and reads the rows like the import', async () => {
    const res = await preview('rows=3', ERP);
    expect(res.statusCode, res.body).toBe(200);
    const p = res.json();
    expect(p.header).toEqual(['Posting date', 'G/L account', 'Department', 'Amount', 'Currency']);
    expect(p.source).toMatchObject({ delimiter: ',', delimiter_detected: true });
    expect(p.suggested_columns).toEqual({
      period: 'Posting date',
      gl_account: 'G/L account',
      department: 'Department',
      amount: 'Amount',
      currency: 'Currency',
    });
    expect(p.columns.period).toEqual({ source: 'Posting date', column: 1, matched_by: 'header_name' });
    expect(p.read).toEqual([
      {
        row_number: 2,
        ok: true,
        value: {
          period: '2026-01-01',
          gl_account_id: '4000',
          department_id: 'Sales',
          cost_center_id: null,
          category: null,
          amount: '10.00',
          currency: 'USD',
          description: null,
        },
      },
    ]);
  });

  it('reads a German export under an inline mapping, listing a bad row by its row number; nothing is stored', async () => {
    const mapping = {
      columns: {
        period: 'Buchungsdatum',
        gl_account: 'Konto',
        department: 'Kostenstelle',
        amount: 'Betrag',
        currency: 'Währung',
        description: 'Text',
      },
      decimal_separator: ',',
      period_format: 'DD/MM/YYYY',
    };
    const res = await preview(`mapping=${encodeURIComponent(JSON.stringify(mapping))}`, CSV);
    expect(res.statusCode, res.body).toBe(200);
    const p = res.json();
    expect(p.source.delimiter).toBe(';');
    // German headers match no common name: only what the mapping says is used.
    expect(p.suggested_columns).toEqual({ description: 'Text' });
    expect(p.rows.map((r: { row_number: number }) => r.row_number)).toEqual([2, 3, 4, 6]);
    expect(p.read.map((r: { ok: boolean }) => r.ok)).toEqual([true, true, false, true]);
    expect(p.read[1].value.amount).toBe('-200.00');
    expect(p.read[2].errors[0]).toMatchObject({ path: 'rows.4.amount', code: 'invalid_amount' });
    expect(p.read[2].errors[0].message).toMatch(/^row 4: amount "abc"/);
    const stored = await t.call('GET', '/actuals?limit=1', token);
    expect(stored.json().items).toEqual([]);
  });

  it('names a mapped column the file lacks, and says which saved mappings fit the file', async () => {
    const fits = { columns: { period: 'Posting date', amount: 'Amount' } };
    const other = { columns: { period: 'Monat', amount: 'Betrag' } };
    for (const [name, mapping] of [
      ['ERP', fits],
      ['DATEV', other],
    ] as const)
      expect((await t.call('POST', '/actuals/mappings', token, { name, mapping })).statusCode).toBe(201);
    const res = await preview('mapping_name=DATEV', ERP);
    expect(res.statusCode, res.body).toBe(200);
    const p = res.json();
    expect(p.mapping_name).toBe('DATEV');
    expect(p.errors.map((e: { path: string }) => e.path)).toEqual([
      'mapping.columns.period',
      'mapping.columns.amount',
    ]);
    expect(p.read).toEqual([]);
    const byName = Object.fromEntries(
      p.saved_mappings.map((m: { name: string; fits: boolean }) => [m.name, m.fits]),
    );
    expect(byName).toEqual({ ERP: true, DATEV: false });
  });

  it('previews the first sheet of an XLSX workbook, with date and number cells', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('GL');
    ws.addRow(['Period', 'Account', 'Net', 'Currency']);
    ws.addRow([new Date(Date.UTC(2026, 4, 31)), 4000, 1234.5, 'GBP']);
    ws.getColumn(1).numFmt = 'yyyy-mm-dd';
    const res = await preview('', Buffer.from(await wb.xlsx.writeBuffer()), XLSX_TYPE);
    expect(res.statusCode, res.body).toBe(200);
    const p = res.json();
    expect(p.source.sheet).toBe('GL');
    expect(p.rows[0].cells).toEqual(['2026-05-31', '4000', '1234.5', 'GBP']);
    expect(p.read[0].value).toMatchObject({ period: '2026-05-01', amount: '1234.50', currency: 'GBP' });
  });

  it('refuses what is not a file it can read, in words', async () => {
    const res = await preview('', Buffer.from('not a zip at all'), XLSX_TYPE);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0]).toMatchObject({ path: 'file', code: 'unreadable_file' });
    const viewer = await t.token(newTenant(), { roles: ['viewer'] });
    const denied = await t.app.inject({
      method: 'POST',
      url: `${API_PREFIX}/actuals/imports/preview`,
      headers: { authorization: `Bearer ${viewer}`, 'content-type': 'text/csv' },
      payload: ERP,
    });
    expect(denied.statusCode).toBe(403);
  });
});
