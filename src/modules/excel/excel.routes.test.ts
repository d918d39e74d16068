import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { createBudget, even, month, phase, standardScenario } from '../../../test/helpers/variance.ts';
import { API_PREFIX } from '../../platform/http/types.ts';
import { XLSX_TYPE } from './excel.schema.ts';

async function load(body: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ArrayBuffer);
  return wb;
}
const formulaOf = (c: ExcelJS.Cell) => (c.value as ExcelJS.CellFormulaValue).formula;
const resultOf = (c: ExcelJS.Cell) => (c.value as ExcelJS.CellFormulaValue).result;

async function xlsxOf(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Lines');
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe.each(backends())('Excel export and line import on %s', (backend) => {
  let t: TestApp;
  let tenant: string;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    tenant = newTenant();
    token = await t.token(tenant);
  });
  afterAll(() => t?.close());

  const get = (path: string, tok = token) =>
    t.app.inject({ method: 'GET', url: `${API_PREFIX}${path}`, headers: { authorization: `Bearer ${tok}` } });
  const upload = (id: string, body: Buffer | string, type: string, query = '', tok = token) =>
    t.app.inject({
      method: 'POST',
      url: `${API_PREFIX}/budgets/${id}/lines/import${query}`,
      headers: { authorization: `Bearer ${tok}`, 'content-type': type },
      payload: body,
    });

  it('exports a budget: summary sheet and lines x months with SUM formulas whose results are the totals', async () => {
    const b = await createBudget(t, token, [
      { line_name: 'Sales', line_type: 'revenue', category: 'sales', amount: '1200.00' },
      { line_name: 'Pay', line_type: 'expense', category: 'people', amount: '0.12' },
    ]);
    await phase(t, tenant, b.id, b.lines.Sales!, even('100.00'));
    await phase(t, tenant, b.id, b.lines.Pay!, [
      '0.01',
      '0.01',
      '0.01',
      '0.01',
      '0.01',
      '0.01',
      '0.01',
      '0.01',
      '0.01',
      '0.01',
      '0.01',
      '0.01',
    ]);
    const res = await get(`/budgets/${b.id}/export.xlsx`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain(XLSX_TYPE);
    expect(res.headers['content-disposition']).toMatch(/attachment; filename=".*\.xlsx"/);
    const wb = await load(res.rawPayload);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Lines', 'Export snapshot']);
    const [summary, sheet, snapshot] = wb.worksheets as [
      ExcelJS.Worksheet,
      ExcelJS.Worksheet,
      ExcelJS.Worksheet,
    ];
    expect(snapshot.state).toBe('veryHidden');
    expect((snapshot.getRow(2).values as unknown[]).slice(1)).toEqual([b.lines.Sales, 1]);
    // Header: 15 fixed columns (Line ID and Version hidden), 12 months, Total.
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 3)).toEqual(['Line ID', 'Version', 'Line']);
    expect(header.slice(14, 17)).toEqual(['Amount', month(1).slice(0, 7), month(2).slice(0, 7)]);
    expect(header.at(-1)).toBe('Total');
    expect(sheet.getColumn(1).hidden && sheet.getColumn(2).hidden).toBe(true);
    expect(sheet.getCell('A2').value).toBe(b.lines.Sales);
    // Row totals: =ROUND(SUM(P2:AA2),2).
    expect(formulaOf(sheet.getCell('AB2'))).toBe('ROUND(SUM(P2:AA2),2)');
    expect(resultOf(sheet.getCell('AB2'))).toBe(1200);
    expect(resultOf(sheet.getCell('AB3'))).toBe(0.12);
    // Totals per line type (marked "total" in the Line ID column), then the net.
    expect(sheet.getCell('A4').value).toBe('total');
    expect(sheet.getCell('C4').value).toBe('Total revenue');
    expect(formulaOf(sheet.getCell('P4'))).toBe('ROUND(SUMIF($D$2:$D$3,"revenue",P$2:P$3),2)');
    expect(resultOf(sheet.getCell('P4'))).toBe(100);
    expect(resultOf(sheet.getCell('P5'))).toBe(0.01);
    expect(sheet.getCell('C8').value).toBe('Net (revenue - expense)');
    expect(formulaOf(sheet.getCell('P8'))).toBe('ROUND(P4-P5,2)');
    expect(resultOf(sheet.getCell('P8'))).toBe(99.99);
    expect(resultOf(sheet.getCell('AB8'))).toBe(1199.88);
    // Summary: SUMIF by line type over the Lines sheet, net as a formula.
    expect(formulaOf(summary.getCell('G2'))).toBe(
      `ROUND(SUMIF('Lines'!$D$2:$D$3,"revenue",'Lines'!$O$2:$O$3),2)`,
    );
    expect(resultOf(summary.getCell('G2'))).toBe(1200);
    expect(resultOf(summary.getCell('H2'))).toBe(0.12);
    expect(formulaOf(summary.getCell('K2'))).toBe('ROUND(G2-H2,2)');
    expect(resultOf(summary.getCell('K2'))).toBe(1199.88);
    // Every visible sheet: frozen header, landscape, one page wide, header row repeated.
    for (const ws of [summary, sheet]) {
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(ws.pageSetup).toMatchObject({
        orientation: 'landscape',
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
        printTitlesRow: '1:1',
      });
    }
    // Money columns are at least as wide as their widest figure ("1,200.00" + margin).
    expect(sheet.getColumn(15).width).toBeGreaterThanOrEqual('1,200.00'.length);
    expect(sheet.getColumn(15).numFmt).toBe('#,##0.00;[Red]-#,##0.00');
  });

  it('exports the variance report with variance formulas, totals per line type, unmatched actuals and FX rates', async () => {
    const other = newTenant();
    const tok = await t.token(other);
    const b = await standardScenario(t, other, tok);
    const res = await get(`/budgets/${b.id}/variance/export.xlsx?by=line&as_of=${month(3).slice(0, 7)}`, tok);
    expect(res.statusCode, res.body).toBe(200);
    const wb = await load(res.rawPayload);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Variance', 'Unmatched actuals', 'FX rates']);
    const ws = wb.getWorksheet('Variance')!;
    // Row 7 is the first line (Product sales): month budget E, actual F, variance G = F - E.
    expect(ws.getCell('A7').value).toBe('Product sales');
    expect(ws.getCell('E7').value).toBe(100);
    expect(ws.getCell('F7').value).toBe(130);
    expect(formulaOf(ws.getCell('G7'))).toBe('ROUND(F7-E7,2)');
    expect(resultOf(ws.getCell('G7'))).toBe(30);
    expect(formulaOf(ws.getCell('H7'))).toBe('IF(E7=0,"",ROUND(G7/E7,4))');
    expect(resultOf(ws.getCell('H7'))).toBe(0.3);
    expect(ws.getColumn(8).numFmt).toBe('0.00%');
    // Travel (zero budget): no percentage.
    expect(ws.getCell('A9').value).toBe('Travel');
    expect(formulaOf(ws.getCell('H9'))).toBe('IF(E9=0,"",ROUND(G9/E9,4))');
    expect(resultOf(ws.getCell('H9')) ?? '').toBe('');
    // Totals per line type by SUMIF over the rows.
    const totalRow = ws.getRow(14);
    expect(totalRow.getCell(1).value).toBe('Total expense');
    expect(formulaOf(totalRow.getCell(5))).toBe('ROUND(SUMIF($D$7:$D$12,"expense",E$7:E$12),2)');
    expect(resultOf(totalRow.getCell(5))).toBe(362);
    expect(resultOf(totalRow.getCell(6))).toBe(399.9);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 6 });
    expect(ws.pageSetup).toMatchObject({ orientation: 'landscape', fitToWidth: 1, printTitlesRow: '6:6' });
    const um = wb.getWorksheet('Unmatched actuals')!;
    expect(um.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(resultOf(um.getCell('C4'))).toBe(100);
    const fx = wb.getWorksheet('FX rates')!;
    expect((fx.getRow(2).values as unknown[]).slice(1)).toEqual([
      'EUR',
      'USD',
      month(1).slice(0, 7),
      '1.1000000000',
      month(1).slice(0, 7),
    ]);
  });

  it('imports lines from CSV into a draft budget', async () => {
    const b = await createBudget(t, token, []);
    const csv = [
      'line_name,line_type,category,amount,department_id,gl_account_id,requires_approval,line_order',
      'Salaries,expense,people,"1,000.00",ENG,6000,yes,1',
      '',
      '"Consulting, external",expense,services,250.5,,6100,,2',
    ].join('\n');
    // "1,000.00" is not an API amount: the import names row 2 and the field.
    const refused = await upload(b.id, csv, 'text/csv');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors).toEqual([
      expect.objectContaining({ path: 'rows.2.amount', code: 'invalid_decimal' }),
    ]);
    expect(refused.json().errors[0].message).toMatch(/^row 2: /);
    const ok = await upload(b.id, csv.replace('"1,000.00"', '1000.00'), 'text/csv');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ rows: 2, added: 2, removed: 0 });
    const lines = (await t.call('GET', `/budgets/${b.id}/lines`, token)).json().items;
    expect(
      lines.map((l: Record<string, unknown>) => [
        l.line_name,
        l.amount,
        l.requires_approval,
        l.department_id,
      ]),
    ).toEqual([
      ['Salaries', '1000.00', true, 'ENG'],
      ['Consulting, external', '250.50', false, null],
    ]);
  });

  it('imports lines from XLSX, replacing the existing ones, with quantity x unit_cost like the API', async () => {
    const b = await createBudget(t, token, [{ line_name: 'Old', amount: '5.00' }]);
    const file = await xlsxOf([
      ['Line name', 'Line type', 'Category', 'Quantity', 'Unit cost'],
      ['Laptops', 'asset', 'it', 3, 1333.33],
      ['Licenses', 'expense', 'it', 10, '12.50'],
    ]);
    const res = await upload(b.id, file, XLSX_TYPE, '?mode=replace');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ rows: 2, added: 2, removed: 1 });
    const lines = (await t.call('GET', `/budgets/${b.id}/lines`, token)).json().items;
    expect(lines.map((l: Record<string, unknown>) => [l.line_name, l.amount])).toEqual([
      ['Laptops', '3999.99'],
      ['Licenses', '125.00'],
    ]);
  });

  it('is all or nothing: one bad row stores no line, and every error names its row and field', async () => {
    const b = await createBudget(t, token, []);
    const file = await xlsxOf([
      ['line_name', 'line_type', 'category', 'amount', 'allocation_method'],
      ['Good', 'expense', 'ops', 10, null],
      ['Bad type', 'cost', 'ops', 10, null],
      ['Too precise', 'expense', 'ops', 1.005, null],
      ['No percentage', 'expense', 'ops', 10, 'percentage'],
    ]);
    const res = await upload(b.id, file, 'application/octet-stream', '?format=xlsx');
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string; code: string }) => [e.path, e.code])).toEqual([
      ['rows.3.line_type', 'invalid_value'],
      ['rows.4.amount', 'too_many_decimals'],
      ['rows.5.allocation_percentage', 'required_for_percentage_allocation'],
    ]);
    expect((await t.call('GET', `/budgets/${b.id}/lines`, token)).json().items).toEqual([]);
  });

  it('refuses unknown columns, empty files, unreadable XLSX and a missing format', async () => {
    const b = await createBudget(t, token, []);
    const unknown = await upload(b.id, 'line_name,colour\nA,red\n', 'text/csv');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0]).toMatchObject({ path: 'rows.1.colour', code: 'unknown_column' });
    expect((await upload(b.id, 'line_name,amount\n', 'text/csv')).json().errors[0].code).toBe('no_rows');
    expect((await upload(b.id, Buffer.from('not a zip'), XLSX_TYPE)).json().errors[0].code).toBe(
      'unreadable_file',
    );
    expect((await upload(b.id, 'x', 'application/octet-stream')).json().errors[0].path).toBe('query.format');
  });

  it('refuses imports into a budget that is not editable', async () => {
    const b = await createBudget(t, token, []);
    const { sql } = await import('drizzle-orm');
    const { withTenant, tenantIdFromKey } = await import('../../platform/tenancy/tenancy.ts');
    await withTenant(t.platform.database.db, tenantIdFromKey(tenant), (tx) =>
      tx.execute(sql`UPDATE budgets SET status = 'locked' WHERE id = ${b.id}`),
    );
    const res = await upload(b.id, 'line_name,line_type,category,amount\nA,expense,x,1.00\n', 'text/csv');
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('budget_not_editable');
  });
});
