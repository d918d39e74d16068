/**
 * Black-box: raw-body uploads as real clients send them — actuals (CSV and XLSX, inline and as
 * a job, 100,000 rows), FX rates (CSV) and budget lines (CSV and XLSX).
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type E2eServer,
  e2eBackends,
  printOutputOnFailure,
  START_TIMEOUT_MS,
  startServer,
  waitForJob,
  XLSX_TYPE,
} from './server.ts';

const Y = new Date().getUTCFullYear() + 1;
const BIG_ROWS = 100_000;

async function xlsxOf(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('GL');
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** 100,000 actual rows of GL 8000 over the 12 months of Y-2, and their exact total in cents. */
function bigCsv(): { csv: string; totalCents: number } {
  const lines = ['period,gl_account,department,amount,currency'];
  let totalCents = 0;
  for (let i = 0; i < BIG_ROWS; i++) {
    const cents = 100 + ((i * 7919) % 100_000);
    totalCents += cents;
    const month = String((i % 12) + 1).padStart(2, '0');
    lines.push(
      `${Y - 2}-${month},8000,OPS,${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')},USD`,
    );
  }
  return { csv: `${lines.join('\n')}\n`, totalCents };
}

const centsToMoney = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;

describe.each(e2eBackends())('uploads over HTTP on %s', (backend) => {
  let s: E2eServer;
  let token: string;
  printOutputOnFailure(() => s);

  beforeAll(async () => {
    s = await startServer(backend, { redisDb: 3 });
    token = await s.token({ roles: ['planner'], permissions: ['actuals:write'] });
  }, START_TIMEOUT_MS);
  afterAll(() => s?.stop());

  const upload = (query: string, body: string | Buffer, contentType: string, tok = token) =>
    s.call('POST', `/actuals/imports?${query}`, { token: tok, body, contentType, timeoutMs: 20_000 });

  it('an upload without a token is refused with 401 at once, and the server keeps answering', async () => {
    const started = Date.now();
    const res = await s.call('POST', '/actuals/imports?batch_key=x', {
      body: 'a,b',
      contentType: 'text/csv',
    });
    expect(res.status).toBe(401);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await fetch(`${s.baseUrl}/health`, { signal: AbortSignal.timeout(2000) })).status).toBe(200);
  });

  it('imports a small CSV inline (201) with accounting amounts, and the same batch key replaces it', async () => {
    const csv = [
      'Period,Account,Dept,Amount,Currency',
      `${Y}-01,6000,ENG,"1,210.50",USD`,
      `${Y}-02,6000,ENG,(5.25),USD`,
      '',
      `03/${Y},6100,,10.00,EUR`,
    ].join('\n');
    // "Dept" is only an abbreviation of department: an import does not act on that guess, a
    // mapping names the columns (what the preview step's confirmed suggestions send).
    const columns = {
      period: 'Period',
      gl_account: 'Account',
      department: 'Dept',
      amount: 'Amount',
      currency: 'Currency',
    };
    const dept = `mapping=${encodeURIComponent(JSON.stringify({ columns }))}`;
    const res = await upload(`batch_key=gl-small&file_name=gl.csv&${dept}`, csv, 'text/csv');
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ batch_key: 'gl-small', format: 'csv', row_count: 3 });
    expect(res.json.report).toMatchObject({
      rows: { data: 3, imported: 3, blank_skipped: 1 },
      totals: { EUR: '10.00', USD: '1205.25' },
      replaced: null,
    });
    const rows = await s.call('GET', `/actuals?batch_id=${res.json.batch_id}`, { token });
    expect(rows.json.items.map((r: Record<string, string>) => [r.period, r.amount, r.currency])).toEqual([
      [`${Y}-01-01`, '1210.50', 'USD'],
      [`${Y}-02-01`, '-5.25', 'USD'],
      [`${Y}-03-01`, '10.00', 'EUR'],
    ]);
    const again = await upload(
      `batch_key=gl-small&${dept}`,
      csv.split('\n').slice(0, 2).join('\n'),
      'text/csv',
    );
    expect(again.status, again.text).toBe(201);
    expect(again.json.report.replaced).toEqual({ batch_id: res.json.batch_id, row_count: 3 });
    const after = await s.call('GET', '/actuals?gl_account=6000', { token });
    expect(after.json.totals).toEqual([{ currency: 'USD', amount: '1210.50', row_count: 1 }]);
  });

  it('refuses a CSV with a bad row: nothing stored, the row and field named', async () => {
    const csv = `period,amount,currency\n${Y}-01,1.00,USD\n${Y}-02,12.3.4,USD\n`;
    const res = await upload('batch_key=gl-bad', csv, 'text/csv');
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ code: 'import_rejected' });
    expect(res.json.errors[0]).toMatchObject({ path: 'rows.3.amount', code: 'invalid_amount' });
    const batches = await s.call('GET', '/actuals/batches', { token });
    expect(batches.json.items.map((b: { batch_key: string }) => b.batch_key)).not.toContain('gl-bad');
  });

  it('imports an XLSX inline and another as a job (async=true), with date and numeric cells', async () => {
    const file = await xlsxOf([
      ['Posting Date', 'GL Account', 'Net', 'Currency'],
      [new Date(Date.UTC(Y - 1, 0, 15)), '7000', 1234.5, 'USD'],
      [new Date(Date.UTC(Y - 1, 1, 15)), '7000', 0.1 + 0.2, 'USD'],
      [`${Y - 1}-03`, '7000', '99.99', 'USD'],
    ]);
    // "Net" names the amount by a weaker word: the mapping names it, as for "Dept" above.
    const columns = { period: 'Posting Date', gl_account: 'GL Account', amount: 'Net', currency: 'Currency' };
    const net = `mapping=${encodeURIComponent(JSON.stringify({ columns }))}`;
    const inline = await upload(`batch_key=xlsx-inline&${net}`, file, XLSX_TYPE);
    expect(inline.status, inline.text).toBe(201);
    expect(inline.json.report).toMatchObject({ rows: { imported: 3 }, totals: { USD: '1334.79' } });
    const queued = await upload(
      `batch_key=xlsx-job&format=xlsx&async=true&${net}`,
      file,
      'application/octet-stream',
    );
    expect(queued.status, queued.text).toBe(202);
    expect(queued.json.job_url).toBe(`/api/budgeting-forecasting/jobs/${queued.json.job_id}`);
    const job = await waitForJob(s, token, queued.json.job_id);
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'completed', progress: 100 });
    expect(job.result).toMatchObject({ batch_key: 'xlsx-job', row_count: 3 });
    const sum = await s.call('GET', `/actuals?batch_id=${job.result.batch_id}`, { token });
    expect(sum.json.totals).toEqual([{ currency: 'USD', amount: '1334.79', row_count: 3 }]);
  });

  it(`imports ${BIG_ROWS.toLocaleString('en')} CSV rows over HTTP as a job polled through /jobs/:id, while /health answers`, async () => {
    const tok = await s.token({
      tenant: `${s.tenant}-big`,
      roles: ['planner'],
      permissions: ['actuals:write'],
    });
    const { csv, totalCents } = bigCsv();
    const res = await upload('batch_key=gl-big', csv, 'text/csv', tok);
    expect(res.status, res.text).toBe(202);
    expect(res.json.upload_bytes).toBe(Buffer.byteLength(csv));
    let slowestHealthMs = 0;
    const job = await waitForJob(s, tok, res.json.job_id, 100_000, async () => {
      const started = Date.now();
      const health = await fetch(`${s.baseUrl}/health`, { signal: AbortSignal.timeout(5000) });
      expect(health.status).toBe(200);
      slowestHealthMs = Math.max(slowestHealthMs, Date.now() - started);
    });
    expect(job, JSON.stringify(job).slice(0, 2000)).toMatchObject({ status: 'completed' });
    expect(job.result).toMatchObject({ batch_key: 'gl-big', row_count: BIG_ROWS });
    const totals = await s.call('GET', '/actuals?gl_account=8000&limit=1', { token: tok });
    expect(totals.json.totals).toEqual([
      { currency: 'USD', amount: centsToMoney(totalCents), row_count: BIG_ROWS },
    ]);
    expect(slowestHealthMs).toBeLessThan(5000);
  });

  it('imports FX rates from CSV (all or nothing) and converts with the rate shown', async () => {
    const bad = await s.call('POST', '/fx-rates/imports', {
      token,
      body: `period,from,to,rate\n${Y}-01,EUR,USD,1.1\n${Y}-02,EUR,USD,-1\n`,
      contentType: 'text/csv',
    });
    expect(bad.status).toBe(422);
    expect(bad.json.errors[0]).toMatchObject({ path: 'rows.3.rate' });
    const ok = await s.call('POST', '/fx-rates/imports', {
      token,
      body: `Period;From;To;Rate;Source\n${Y}-01;eur;usd;1.1;ECB\n${Y}-03;EUR;USD;1.2345;ECB\n`,
      contentType: 'text/csv',
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json).toEqual({ upserted: 2 });
    const conv = await s.call('GET', `/fx-rates/convert?amount=10.00&from=EUR&to=USD&period=${Y}-03`, {
      token,
    });
    expect(conv.json).toMatchObject({
      converted_amount: '12.35',
      rate: '1.2345000000',
      rate_inverted: false,
    });
    // February falls back to January's rate.
    const feb = await s.call('GET', `/fx-rates/convert?amount=10.00&from=EUR&to=USD&period=${Y}-02`, {
      token,
    });
    expect(feb.json).toMatchObject({ converted_amount: '11.00', rate_period: `${Y}-01-01` });
  });

  it('imports budget lines from CSV and XLSX into a draft budget, all or nothing', async () => {
    const b = await s.call('POST', '/budgets', {
      token,
      json: {
        budget_name: 'Imported lines',
        budget_type: 'annual',
        fiscal_year: String(Y),
        total_amount: '0.00',
        base_currency: 'USD',
      },
    });
    const id = b.json.budget_id;
    const csv = [
      'line_name,line_type,category,amount,department_id,requires_approval',
      'Salaries,expense,people,1000.00,ENG,yes',
      '"Consulting, external",expense,services,250.5,,',
    ].join('\n');
    const bad = await s.call('POST', `/budgets/${id}/lines/import`, {
      token,
      body: csv.replace('1000.00', '"1,000.00"'),
      contentType: 'text/csv',
    });
    expect(bad.status).toBe(400);
    expect(bad.json.errors).toEqual([
      expect.objectContaining({ path: 'rows.2.amount', code: 'invalid_decimal' }),
    ]);
    const ok = await s.call('POST', `/budgets/${id}/lines/import`, {
      token,
      body: csv,
      contentType: 'text/csv',
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json).toMatchObject({ rows: 2, added: 2, removed: 0 });
    const file = await xlsxOf([
      ['Line name', 'Line type', 'Category', 'Quantity', 'Unit cost'],
      ['Laptops', 'asset', 'it', 3, 1333.33],
      ['Licenses', 'expense', 'it', 10, '12.50'],
    ]);
    const replaced = await s.call('POST', `/budgets/${id}/lines/import?mode=replace`, {
      token,
      body: file,
      contentType: XLSX_TYPE,
    });
    expect(replaced.status, replaced.text).toBe(200);
    expect(replaced.json).toMatchObject({ rows: 2, added: 2, removed: 2 });
    const got = await s.call('GET', `/budgets/${id}?include_lines=true`, { token });
    expect(got.json.budget_lines.map((l: Record<string, string>) => [l.line_name, l.amount])).toEqual([
      ['Laptops', '3999.99'],
      ['Licenses', '125.00'],
    ]);
    expect(got.json.totals).toMatchObject({ asset: '3999.99', expense: '125.00' });
  });
});
