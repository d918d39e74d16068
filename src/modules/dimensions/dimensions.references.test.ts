/**
 * Every way a code reaches the books is checked against the tenant's trees (docs/dimensions.md,
 * "Validation of references"): budgets created with lines and their own department, budget
 * updates, actuals imports (inline, with every failing row counted), the workbook round trip
 * and live edits over a real socket; a mapping option creates the unknown codes instead.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { http, httpBase } from '../../../test/helpers/http.ts';
import { YEAR } from '../../../test/helpers/variance.ts';
import { join, listen } from '../../../test/helpers/ws-client.ts';
import { API_PREFIX } from '../../platform/http/types.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describe.each(backends())('codes checked against the trees on %s', (backend) => {
  let t: TestApp;
  let base: string;
  let admin: string;

  const importCsv = (path: string, csv: string, query = '') =>
    t.app.inject({
      method: 'POST',
      url: `${API_PREFIX}${path}${query}`,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv' },
      payload: csv,
    });
  const codes = async (dimension: string) =>
    (await t.call('GET', `/dimensions/${dimension}/members`, admin))
      .json()
      .items.map((m: { code: string }) => m.code);

  beforeAll(async () => {
    t = await startTestApp(backend);
    base = await httpBase(t);
    admin = await t.token(newTenant());
    for (const [dimension, csv] of [
      ['department', 'code,name,parent_code\nCITY,City,\nD10,Roads,CITY\nD20,Parks,CITY\n'],
      ['gl_account', 'code,name,parent_code,account_type\n5000,Salaries,,expense\n4000,Fees,,revenue\n'],
    ] as const) {
      const res = await importCsv(`/dimensions/${dimension}/import`, csv);
      expect(res.statusCode, res.body).toBe(200);
    }
  });
  afterAll(() => t?.close());

  it('refuses a budget whose lines or own department name unknown codes, storing nothing', async () => {
    const name = `Unknown ${backend}`;
    const bad = await t.call(
      'POST',
      '/budgets',
      admin,
      budgetBody({
        budget_name: name,
        fiscal_year: String(YEAR),
        budget_lines: [
          lineBody({ department_id: 'D10', gl_account_id: '5000' }),
          lineBody({ department_id: 'D99', gl_account_id: '5999' }),
        ],
      }),
    );
    expect(bad.statusCode, bad.body).toBe(400);
    expect(bad.json().errors).toEqual([
      expect.objectContaining({ path: 'budget_lines.1.department_id', code: 'unknown_member' }),
      expect.objectContaining({ path: 'budget_lines.1.gl_account_id', code: 'unknown_member' }),
    ]);
    const header = await t.call(
      'POST',
      '/budgets',
      admin,
      budgetBody({ budget_name: name, fiscal_year: String(YEAR), department_id: 'NOPE' }),
    );
    expect(header.statusCode).toBe(400);
    expect(header.json().errors[0]).toMatchObject({ path: 'department_id', code: 'unknown_member' });
    const list = (await t.call('GET', `/budgets?limit=100`, admin)).json();
    expect(list.items.map((b: { budget_name: string }) => b.budget_name)).not.toContain(name);

    const ok = await t.call(
      'POST',
      '/budgets',
      admin,
      budgetBody({ fiscal_year: String(YEAR), department_id: 'D10', budget_lines: [lineBody()] }),
    );
    expect(ok.statusCode, ok.body).toBe(201);
    const moved = await t.call('PUT', `/budgets/${ok.json().budget_id}`, admin, {
      department_id: 'D77',
      version: ok.json().version,
    });
    expect(moved.statusCode, moved.body).toBe(400);
    expect(moved.json().errors[0]).toMatchObject({ path: 'department_id', code: 'unknown_member' });
  });

  it('rejects an actuals file naming unknown codes with every failing row counted, or creates them when the mapping says so', async () => {
    const rows = ['period,gl_account,department,amount,currency', '2026-01,5000,D10,100.00,USD'];
    for (let i = 0; i < 150; i++) rows.push(`2026-02,5000,X${i % 3},1.00,USD`);
    rows.push('2026-03,5111,D20,2.00,USD');
    const csv = `${rows.join('\n')}\n`;
    const res = await importCsv('/actuals/imports', csv, '?batch_key=unknown-codes');
    expect(res.statusCode, res.body).toBe(422);
    const body = res.json();
    expect(body).toMatchObject({
      code: 'import_rejected',
      error_count: 151,
      failed_rows: 151,
      data_rows: 152,
    });
    expect(body.message).toContain('151 rows failed');
    expect(body.errors).toHaveLength(100);
    expect(body.errors[0]).toMatchObject({ path: 'rows.3.department_id', code: 'unknown_member' });
    expect(body.errors[0].message).toContain('"X0" is not a member of the department tree');
    expect((await t.call('GET', '/actuals/batches', admin)).json().items).toHaveLength(0);

    const mapping = encodeURIComponent(JSON.stringify({ create_missing_members: true }));
    const created = await importCsv('/actuals/imports', csv, `?batch_key=unknown-codes&mapping=${mapping}`);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().report.members_created).toEqual([
      { dimension: 'department', code: 'X0' },
      { dimension: 'department', code: 'X1' },
      { dimension: 'department', code: 'X2' },
      { dimension: 'gl_account', code: '5111' },
    ]);
    expect(await codes('department')).toEqual(expect.arrayContaining(['X0', 'X1', 'X2']));
    const gl = (await t.call('GET', '/dimensions/gl_account/members', admin)).json().items;
    expect(gl.find((m: { code: string }) => m.code === '5111')).toMatchObject({
      account_type: 'expense',
      parent_code: null,
    });
  });

  it('refuses a workbook round trip that moves a line to an unknown department, naming its row', async () => {
    const created = await t.call(
      'POST',
      '/budgets',
      admin,
      budgetBody({
        fiscal_year: String(YEAR),
        budget_lines: [lineBody({ line_name: 'Crew', department_id: 'D10', gl_account_id: '5000' })],
      }),
    );
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().budget_id as string;
    const exported = await http(base, 'GET', `/budgets/${id}/export.xlsx`, admin);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(exported.bytes as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Lines')!;
    let header: ExcelJS.Row | undefined;
    let crew: ExcelJS.Row | undefined;
    ws.eachRow((row) => {
      const texts = (row.values as unknown[]).map((v) => String(v ?? ''));
      if (!header && texts.includes('Department')) header = row;
      if (texts.includes('Crew')) crew = row;
    });
    const column = (header!.values as unknown[]).findIndex((v) => String(v) === 'Department');
    crew!.getCell(column).value = 'D404';
    const upload = await fetch(`${base}${API_PREFIX}/budgets/${id}/lines/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': XLSX },
      body: Buffer.from(await wb.xlsx.writeBuffer()),
    });
    const body = (await upload.json()) as { errors: { path: string; code: string }[] };
    expect(upload.status, JSON.stringify(body)).toBe(400);
    expect(body.errors).toEqual([
      expect.objectContaining({ path: `rows.${crew!.number}.department_id`, code: 'unknown_member' }),
    ]);
    const line = (await t.call('GET', `/budgets/${id}/lines`, admin)).json().items[0];
    expect(line).toMatchObject({ department_id: 'D10', version: 1 });
  });

  it('refuses a live edit that names an unknown department, and applies one naming a member', async () => {
    const created = await t.call(
      'POST',
      '/budgets',
      admin,
      budgetBody({ fiscal_year: String(YEAR), budget_lines: [lineBody({ department_id: 'D10' })] }),
    );
    const id = created.json().budget_id as string;
    const lineId = (await t.call('GET', `/budgets/${id}/lines`, admin)).json().items[0].line_id as string;
    const session = await t.call('POST', '/collaboration/sessions', admin, {
      session_name: 'Live',
      budget_id: id,
    });
    expect(session.statusCode, session.body).toBe(201);
    const s = await join(await listen(t), session.json().session_id, admin);
    s.send({
      type: 'budget_line_edit',
      target_id: lineId,
      changes: { department_id: 'D404', amount: '5.00' },
      version: 1,
      client_msg_id: 'bad',
    });
    const refused = await s.nextOf('edit_error', (m) => m.client_msg_id === 'bad');
    expect(refused).toMatchObject({ code: 'validation_failed' });
    expect(refused.errors[0]).toMatchObject({ path: 'department_id', code: 'unknown_member' });
    s.send({
      type: 'budget_line_edit',
      target_id: lineId,
      changes: { department_id: 'D20' },
      version: 1,
      client_msg_id: 'good',
    });
    const ack = await s.nextOf('ack', (m) => m.client_msg_id === 'good');
    expect(ack.change.line).toMatchObject({ department_id: 'D20', amount: '1000.00', version: 2 });
    await s.close();
  });
});
