import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, startTestApp, type TestApp, waitForJob } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { API_PREFIX } from '../../platform/http/types.ts';

const HEADER = 'period,gl_account,department,cost_centre,category,amount,currency,description';

/** Writes a generated CSV of `rows` data rows; `bad(n)` may replace data row n (file row n + 1). */
async function writeCsv(path: string, rows: number, bad?: (fileRow: number) => string | undefined) {
  const out = createWriteStream(path);
  out.write(`${HEADER}\n`);
  for (let i = 1; i <= rows; i++) {
    const fileRow = i + 1;
    const line =
      bad?.(fileRow) ??
      `2026-${String((i % 12) + 1).padStart(2, '0')},GL${4000 + (i % 50)},D${i % 7},CC${i % 3},opex,"1,234.5${i % 10}",USD,row ${fileRow}`;
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

describe.each(backends())('actuals import on %s', (backend) => {
  let t: TestApp;
  let token: string;
  const dir = mkdtempSync(join(tmpdir(), 'bf-actuals-'));

  beforeAll(async () => {
    t = await startTestApp(backend);
    token = await t.token(newTenant());
  });
  afterAll(() => t?.close());

  const upload = (
    query: string,
    payload: string | Buffer | NodeJS.ReadableStream,
    type = 'text/csv',
    tok = token,
  ) =>
    t.app.inject({
      method: 'POST',
      url: `${API_PREFIX}/actuals/imports?${query}`,
      headers: { authorization: `Bearer ${tok}`, 'content-type': type },
      payload: payload as string,
    });
  const totals = async (query: string) => (await t.call('GET', `/actuals?${query}`, token)).json();

  it('imports a CSV inline and reports how each column was read', async () => {
    const csv = [
      'Posting Month;Account;Dept;Amount;Ccy;Memo',
      '03/2026;4000;Sales;1.234,56;EUR;first',
      'Mar-2026;4000;Sales;(1.000,00);EUR;refund',
      '',
      '2026M04;5000;Ops;12,5-;EUR;',
    ].join('\n');
    const mapping = {
      columns: {
        period: 'Posting Month',
        gl_account: 'Account',
        department: 'Dept',
        amount: 'Amount',
        currency: 'Ccy',
        description: 'Memo',
      },
      decimal_separator: ',',
    };
    const res = await upload(
      `batch_key=eu-1&file_name=eu.csv&mapping=${encodeURIComponent(JSON.stringify(mapping))}`,
      csv,
    );
    expect(res.statusCode, res.body).toBe(201);
    const b = res.json();
    expect(b).toMatchObject({ batch_key: 'eu-1', file_name: 'eu.csv', format: 'csv', row_count: 3 });
    expect(b.report.source).toEqual({ delimiter: ';', delimiter_detected: true, sheet: null });
    expect(b.report.rows).toEqual({ header_row: 1, data: 3, imported: 3, blank_skipped: 1 });
    expect(b.report.columns.period).toMatchObject({
      source: 'Posting Month',
      column: 1,
      matched_by: 'mapping',
      formats: { 'MM/YYYY': 1, 'MMM-YYYY': 1, YYYYMmm: 1 },
    });
    expect(b.report.columns.amount).toMatchObject({
      source: 'Amount',
      decimal_separator: ',',
      thousands_separators: { '.': 2 },
      counts: { thousands_separator: 2, parentheses: 1, trailing_minus: 1 },
    });
    expect(b.report.columns.cost_centre).toEqual({ source: null, blank: 0 });
    expect(b.report.totals).toEqual({ EUR: '222.06' });
    expect(b.report.period_range).toEqual({ from: '2026-03-01', to: '2026-04-01' });
    const list = await totals(`batch_id=${b.batch_id}`);
    expect(list.items.map((r: { row_number: number; amount: string }) => [r.row_number, r.amount])).toEqual([
      [2, '1234.56'],
      [3, '-1000.00'],
      [5, '-12.50'],
    ]);
  });

  it('a bad row stores nothing and is reported by its row number and field', async () => {
    const csv = `${HEADER}\n2026-01,4000,,,opex,10.00,USD,ok\n2026-13,4000,,,opex,ten,USD,bad\n2026-02,4000,,,opex,,XYZ,bad`;
    const res = await upload('batch_key=bad-1', csv);
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.code).toBe('import_rejected');
    expect(body.message).toContain('nothing stored');
    expect(body.errors.map((e: { path: string }) => e.path)).toEqual([
      'rows.3.period',
      'rows.3.amount',
      'rows.4.amount',
      'rows.4.currency',
    ]);
    expect(body.errors[1].message).toMatch(/^row 3: amount "ten"/);
    expect(body.errors[2]).toMatchObject({ code: 'required', message: 'row 4: amount is blank' });
    const batches = (await t.call('GET', '/actuals/batches', token)).json();
    expect(batches.items.some((x: { batch_key: string }) => x.batch_key === 'bad-1')).toBe(false);
  });

  it('re-importing the same batch_key replaces the batch instead of doubling it', async () => {
    const csv = `${HEADER}\n2025-01,4100,,,opex,100.00,USD,a\n2025-01,4100,,,opex,50.00,USD,b`;
    const first = (await upload('batch_key=re-1', csv)).json();
    const second = await upload('batch_key=re-1', csv);
    expect(second.statusCode).toBe(201);
    expect(second.json().report.replaced).toEqual({ batch_id: first.batch_id, row_count: 2 });
    const list = await totals('gl_account=4100');
    expect(list.totals).toEqual([{ currency: 'USD', amount: '150.00', row_count: 2 }]);
    expect((await t.call('GET', `/actuals/batches/${first.batch_id}`, token)).statusCode).toBe(404);
  });

  it('a file with a missing required column names the mapping field', async () => {
    const res = await upload('batch_key=cols', 'when,value\n2026-01,1');
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0]).toMatchObject({ path: 'mapping.columns.period', code: 'column_not_found' });
  });

  it('async=true runs the import as a job with the same result', async () => {
    const res = await upload('batch_key=job-1', `${HEADER}\n2026-05,4200,,,opex,"$1,000.00",,x`);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().errors[0].path).toBe('rows.2.currency');
    const ok = await upload('batch_key=job-1&async=true', `${HEADER}\n2026-05,4200,,,opex,"USD 1,000.00",,x`);
    expect(ok.statusCode, ok.body).toBe(202);
    const job = await waitForJob(t, token, ok.json().job_id);
    expect(job.status, job.error).toBe('completed');
    expect(job.result).toMatchObject({
      batch_key: 'job-1',
      row_count: 1,
      report: { totals: { USD: '1000.00' } },
    });
  });

  it('a bad row at line 73,512 of a 100,000-row CSV stores nothing and says "row 73512"', async () => {
    const path = join(dir, 'big-bad.csv');
    await writeCsv(path, 100_000, (fileRow) =>
      fileRow === 73_512 ? '2026-03,GL4000,D1,CC1,opex,12.3.4,USD,bad' : undefined,
    );
    const res = await upload('batch_key=big', createReadStream(path));
    expect(res.statusCode, res.body).toBe(202);
    const job = await waitForJob(t, token, res.json().job_id, 60_000);
    expect(job.status).toBe('failed');
    expect(job.error).toContain('1 error in 100000 data rows');
    expect(job.error).toContain('row 73512: amount "12.3.4"');
    const list = await totals('gl_account=GL4000');
    expect(list.totals).toEqual([]);
  }, 60_000);

  it('imports the 100,000-row CSV when it is clean, as a job with progress', async () => {
    const path = join(dir, 'big-ok.csv');
    await writeCsv(path, 100_000);
    const res = await upload('batch_key=big', createReadStream(path));
    const job = await waitForJob(t, token, res.json().job_id, 60_000);
    expect(job.status, job.error).toBe('completed');
    expect(job.progress).toBe(100);
    expect(job.result.row_count).toBe(100_000);
    const list = await totals('limit=2');
    expect(list.totals.find((x: { currency: string }) => x.currency === 'USD').row_count).toBe(
      100_000 + 2 + 1,
    );
  }, 60_000);
});
