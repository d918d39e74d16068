/**
 * The budget workbook's round trip over real HTTP (the app listening on a random port, fetch):
 * export, edit the workbook as a planner would (with ExcelJS), import it back, and check the
 * database line by line: edited lines updated in place, untouched lines not written at all
 * (same version, no audit row), a new row added, months read back as manual phasing; a stale
 * version refuses the whole file.
 */
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { type HttpResult, http, httpBase } from '../../../test/helpers/http.ts';
import { createBudget, month } from '../../../test/helpers/variance.ts';
import { API_PREFIX } from '../../platform/http/types.ts';
import { tenantIdFromKey, withTenant } from '../../platform/tenancy/tenancy.ts';
import { XLSX_TYPE } from './excel.schema.ts';

const MONTHS = Array.from({ length: 12 }, (_, i) => month(i + 1).slice(0, 7));
const rep = (v: string, n = 12) => Array.from({ length: n }, () => v);

interface Line {
  line_id: string;
  line_name: string;
  amount: string;
  version: number;
  spread_method: string;
  quantity: string | null;
  unit_cost: string | null;
  is_contra: boolean;
  line_order: number;
  department_id: string | null;
}

describe.each(backends())('Excel round trip over HTTP on %s', (backend) => {
  let t: TestApp;
  let base: string;
  let tenant: string;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    base = await httpBase(t);
    tenant = newTenant();
    token = await t.token(tenant);
    const s = await http(base, 'PUT', '/settings', token, { allow_negative_lines: true });
    expect(s.status, JSON.stringify(s.body)).toBe(200);
  });
  afterAll(() => t?.close());

  const seed = () =>
    createBudget(t, token, [
      { line_name: 'Sales', line_type: 'revenue', category: 'sales', amount: '1200.00', line_order: 1 },
      {
        line_name: 'Rent',
        line_type: 'expense',
        category: 'premises',
        amount: '1300.00',
        spread_method: 'seasonal',
        spread_profile: ['2', ...rep('1', 11)],
        line_order: 2,
      },
      {
        line_name: 'Laptops',
        line_type: 'asset',
        category: 'it',
        amount: '3999.99',
        quantity: '3',
        unit_cost: '1333.33',
        line_order: 3,
      },
      {
        line_name: 'Vacancy discount',
        line_type: 'expense',
        category: 'people',
        amount: '-120.00',
        is_contra: true,
        line_order: 4,
      },
      { line_name: 'Travel', line_type: 'expense', category: 'travel', amount: '240.00', line_order: 5 },
    ]);

  const exported = async (id: string) => {
    const res = await http(base, 'GET', `/budgets/${id}/export.xlsx`, token);
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.bytes as unknown as ArrayBuffer);
    return wb;
  };
  const upload = async (id: string, wb: ExcelJS.Workbook, query = '') => {
    const res = await fetch(`${base}${API_PREFIX}/budgets/${id}/lines/import${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': XLSX_TYPE },
      body: Buffer.from(await wb.xlsx.writeBuffer()),
    });
    return { status: res.status, body: (await res.json()) as HttpResult['body'] };
  };
  const lines = async (id: string): Promise<Record<string, Line>> => {
    const res = await http(base, 'GET', `/budgets/${id}/lines?limit=500`, token);
    return Object.fromEntries((res.body.items as Line[]).map((l) => [l.line_name, l]));
  };
  const periods = async (id: string): Promise<Record<string, string[]>> => {
    const res = await http(base, 'GET', `/budgets/${id}/periods`, token);
    return Object.fromEntries(
      (res.body.lines as { line_name: string; periods: string[] }[]).map((l) => [l.line_name, l.periods]),
    );
  };
  const auditRows = (lineId: string) =>
    withTenant(t.platform.database.db, tenantIdFromKey(tenant), async (tx) => {
      const r = (await tx.execute(
        sql`SELECT action FROM audit_log WHERE entity_id = ${lineId} ORDER BY seq`,
      )) as unknown as { rows: { action: string }[] };
      return r.rows.map((x) => x.action);
    });
  /** The row of the Lines sheet whose Line column is `name`. */
  const rowOf = (ws: ExcelJS.Worksheet, name: string) => {
    let found: ExcelJS.Row | undefined;
    ws.eachRow((row) => {
      if (row.getCell(3).value === name) found = row;
    });
    if (!found) throw new Error(`no row ${name}`);
    return found;
  };
  // Columns of the Lines sheet: O = Amount, P.. = the months.
  const AMOUNT = 15;
  const monthCol = (m: number) => AMOUNT + m;

  it('updates edited lines in place, adds new rows, leaves untouched lines unwritten, and deletes only when asked', async () => {
    const b = await seed();
    const before = await lines(b.id);
    expect(before.Laptops!.amount).toBe('3999.99');
    const wb = await exported(b.id);
    const ws = wb.getWorksheet('Lines')!;
    // A new amount for Sales (months untouched: re-spread evenly), one month of Rent changed
    // (the Amount cell left as it was, as a planner would), a new row between Laptops and the
    // contra line with its own months.
    rowOf(ws, 'Sales').getCell(AMOUNT).value = 2400;
    rowOf(ws, 'Rent').getCell(monthCol(3)).value = 150;
    const at = rowOf(ws, 'Vacancy discount').number;
    ws.insertRow(at, [null, null, 'Cloud hosting', 'expense', 'it', 'ENG', null, '6100', null, 'no']);
    const added = ws.getRow(at);
    [...rep('10.05', 11), '19.45'].forEach((v, i) => {
      added.getCell(monthCol(i + 1)).value = Number(v);
    });

    const res = await upload(b.id, wb);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const after = await lines(b.id);
    const id = (n: string) => before[n]!.line_id;
    expect(res.body).toMatchObject({
      mode: 'update',
      rows: 6,
      added: 1,
      updated: 2,
      unchanged: 3,
      removed: 0,
    });
    expect(res.body.changes).toEqual({
      inserted: [after['Cloud hosting']!.line_id],
      updated: [id('Sales'), id('Rent')],
      unchanged: [id('Laptops'), id('Vacancy discount'), id('Travel')],
      deleted: [],
      kept: [],
    });
    // Exact state, line by line: ids kept, versions bumped only where something changed.
    const pick = (l: Line) => [
      l.line_id,
      l.amount,
      l.version,
      l.spread_method,
      l.quantity,
      l.unit_cost,
      l.is_contra,
      l.line_order,
    ];
    expect(Object.keys(after)).toEqual([
      'Sales',
      'Rent',
      'Laptops',
      'Cloud hosting',
      'Vacancy discount',
      'Travel',
    ]);
    expect(pick(after.Sales!)).toEqual([id('Sales'), '2400.00', 2, 'even', null, null, false, 1]);
    expect(pick(after.Rent!)).toEqual([id('Rent'), '1350.00', 2, 'manual', null, null, false, 2]);
    expect(pick(after.Laptops!)).toEqual(pick(before.Laptops!));
    expect(after.Laptops!.quantity).toBe('3.0000');
    expect(pick(after['Vacancy discount']!)).toEqual(pick(before['Vacancy discount']!));
    expect(pick(after.Travel!)).toEqual(pick(before.Travel!));
    expect(pick(after['Cloud hosting']!).slice(1)).toEqual(['130.00', 1, 'manual', null, null, false, 3]);
    expect(after['Cloud hosting']!.department_id).toBe('ENG');
    const p = await periods(b.id);
    expect(p.Sales).toEqual(rep('200.00'));
    expect(p.Rent).toEqual(['200.00', '100.00', '150.00', ...rep('100.00', 9)]);
    expect(p['Cloud hosting']).toEqual([...rep('10.05', 11), '19.45']);
    expect(p['Vacancy discount']).toEqual(rep('-10.00'));
    // No audit row for the untouched lines; one update row for the edited ones.
    expect(await auditRows(id('Laptops'))).toEqual([]);
    expect(await auditRows(id('Travel'))).toEqual([]);
    expect(await auditRows(id('Rent'))).toEqual(['budget_line.updated']);

    // Export again, remove Travel's row: kept by default, deleted with delete_missing=true.
    const wb2 = await exported(b.id);
    const ws2 = wb2.getWorksheet('Lines')!;
    ws2.spliceRows(rowOf(ws2, 'Travel').number, 1);
    const kept = await upload(b.id, wb2);
    expect(kept.status, JSON.stringify(kept.body)).toBe(200);
    expect(kept.body).toMatchObject({ added: 0, updated: 0, unchanged: 5, removed: 0 });
    expect(kept.body.changes.kept).toEqual([id('Travel')]);
    const gone = await upload(b.id, wb2, '?delete_missing=true');
    expect(gone.status, JSON.stringify(gone.body)).toBe(200);
    expect(gone.body).toMatchObject({ added: 0, updated: 0, unchanged: 5, removed: 1 });
    expect(gone.body.changes.deleted).toEqual([id('Travel')]);
    const last = await lines(b.id);
    expect(Object.keys(last)).toEqual(['Sales', 'Rent', 'Laptops', 'Cloud hosting', 'Vacancy discount']);
    expect(Object.values(last).map((l) => l.version)).toEqual([2, 2, 1, 1, 1]);
  });

  it('refuses a workbook with a stale version: 409 naming the line, nothing written', async () => {
    const b = await seed();
    const wb = await exported(b.id);
    const before = await lines(b.id);
    // Someone else changes Sales after the export.
    const patched = await http(base, 'PUT', `/budgets/${b.id}/lines/${b.lines.Sales}`, token, {
      amount: '1800.00',
      version: 1,
    });
    expect(patched.status).toBe(200);
    const ws = wb.getWorksheet('Lines')!;
    rowOf(ws, 'Sales').getCell(AMOUNT).value = 2400;
    rowOf(ws, 'Rent').getCell(monthCol(1)).value = 300;
    ws.addRow([
      null,
      null,
      'New line',
      'expense',
      'x',
      null,
      null,
      null,
      null,
      'no',
      null,
      null,
      null,
      null,
      5,
    ]);
    const res = await upload(b.id, wb);
    expect(res.status, JSON.stringify(res.body)).toBe(409);
    expect(res.body.code).toBe('version_conflict');
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: `rows.${rowOf(ws, 'Sales').number}.version`, code: 'stale_version' }),
    ]);
    expect(res.body.errors[0].message).toContain('"Sales"');
    expect(res.body.conflicts).toEqual([
      expect.objectContaining({ line_id: b.lines.Sales, line_name: 'Sales', version: 1, current_version: 2 }),
    ]);
    const after = await lines(b.id);
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(after.Rent).toEqual(before.Rent);
    expect(after.Sales!.amount).toBe('1800.00');
  });

  it('names the row and column of a bad cell, and of a line the budget does not have', async () => {
    const b = await seed();
    const wb = await exported(b.id);
    const ws = wb.getWorksheet('Lines')!;
    rowOf(ws, 'Sales').getCell(monthCol(2)).value = 'lots';
    rowOf(ws, 'Rent').getCell(1).value = '0190a3c5-0000-7000-8000-000000000000';
    const res = await upload(b.id, wb);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string; code: string }) => [e.path, e.code])).toEqual([
      [`rows.2.${MONTHS[1]}`, 'invalid_decimal'],
      ['rows.3.line_id', 'unknown_line'],
    ]);
  });
});
