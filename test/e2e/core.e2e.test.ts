/**
 * Black-box: auth, budgets, lines, periods, the budget workbook, audit and jobs, over real HTTP
 * against `npm start` in a child process.
 */
import { existsSync } from 'node:fs';
import { get, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createUserAndLogin,
  demoCredentials,
  type E2eServer,
  e2eBackends,
  printOutputOnFailure,
  START_TIMEOUT_MS,
  startServer,
  waitForJob,
  XLSX_TYPE,
} from './server.ts';

const YEAR = String(new Date().getUTCFullYear() + 1);

describe.each(e2eBackends())('core routes over HTTP on %s', (backend) => {
  let s: E2eServer;
  let admin: string;
  let planner: { userId: string; token: string };
  printOutputOnFailure(() => s);

  beforeAll(async () => {
    s = await startServer(backend, { redisDb: 1 });
    admin = await s.token();
    planner = await createUserAndLogin(s, admin, ['planner']);
  }, START_TIMEOUT_MS);
  afterAll(() => s?.stop());

  const budget = (name: string, extra: Record<string, unknown> = {}) => ({
    budget_name: name,
    budget_type: 'annual',
    fiscal_year: YEAR,
    total_amount: '1200000.00',
    base_currency: 'USD',
    ...extra,
  });

  it('answers /health and /ready, and unknown routes with the one error shape', async () => {
    const health = await fetch(`${s.baseUrl}/health`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${s.baseUrl}/ready`);
    expect(ready.status).toBe(200);
    const missing = await s.call('GET', '/no-such-route');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({
      code: 'route_not_found',
      errors: [{ path: '(url)', code: 'route_not_found' }],
      request_id: expect.any(String),
    });
  });

  it('password login: a user created over the users API logs in; a bad password and no token are 401', async () => {
    const me = await s.call('GET', '/auth/me', { token: planner.token });
    expect(me.status, me.text).toBe(200);
    expect(me.json).toMatchObject({ user_id: planner.userId, tenant_id: s.tenant, roles: ['planner'] });
    expect(me.json.permissions).toContain('budgets:write');
    expect(me.json.permissions).not.toContain('budgets:approve');

    const bad = await s.call('POST', '/auth/login', {
      json: { tenant: s.tenant, email: 'nobody@e2e.test', password: 'wrong-password' },
    });
    expect(bad.status).toBe(401);
    expect(bad.json).toMatchObject({ code: expect.any(String), errors: expect.any(Array) });

    const anonymous = await s.call('GET', '/budgets');
    expect(anonymous.status).toBe(401);
    const forged = await s.call('GET', '/budgets', { token: `${admin.slice(0, -4)}AAAA` });
    expect(forged.status).toBe(401);
    const viewer = await s.token({ roles: ['viewer'] });
    const denied = await s.call('POST', '/budgets', { token: viewer, json: budget('Viewer budget') });
    expect(denied.status).toBe(403);
  });

  // The demo admin exists only on an embedded database: on PostgreSQL nobody is created for you.
  it(
    backend === 'pglite'
      ? 'the demo admin from DATA_DIR/demo-credentials.txt logs in on an embedded database'
      : 'no demo admin is created on PostgreSQL',
    async () => {
      if (backend !== 'pglite') {
        expect(existsSync(join(s.dataDir, 'demo-credentials.txt'))).toBe(false);
        const login = await s.call('POST', '/auth/login', {
          json: { tenant: 'demo', email: 'admin@demo.local', password: 'anything-at-all' },
        });
        expect(login.status, login.text).toBe(401);
        return;
      }
      const demo = demoCredentials(s.dataDir);
      expect(demo.tenant).toBe('demo');
      const login = await s.call('POST', '/auth/login', { json: demo });
      expect(login.status, login.text).toBe(200);
      expect(login.json).toMatchObject({
        token_type: 'Bearer',
        user: { email: demo.email, roles: ['admin'] },
      });
      const me = await s.call('GET', '/auth/me', { token: login.json.access_token });
      expect(me.json.tenant_id).toBe('demo');
    },
  );

  it('budgets: create with lines, get with include_lines, exact totals', async () => {
    const res = await s.call('POST', '/budgets', {
      token: planner.token,
      json: budget('FY Operating', {
        department_id: 'ENG',
        budget_lines: [
          { line_name: 'Salaries', line_type: 'expense', category: 'people', amount: '850000.10' },
          { line_name: 'Licences', line_type: 'expense', category: 'it', quantity: '3', unit_cost: '0.07' },
          { line_name: 'Services', line_type: 'revenue', category: 'sales', amount: '1000000.00' },
        ],
      }),
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({
      status: 'draft',
      version: 1,
      created_by: planner.userId,
      total_amount: '1200000.00',
      totals: { revenue: '1000000.00', expense: '850000.31', net: '149999.69', line_count: 3 },
    });
    const id = res.json.budget_id;
    const got = await s.call('GET', `/budgets/${id}?include_lines=true`, { token: planner.token });
    expect(got.status).toBe(200);
    expect(
      got.json.budget_lines.map((l: { line_name: string; amount: string }) => [l.line_name, l.amount]),
    ).toEqual([
      ['Salaries', '850000.10'],
      ['Licences', '0.21'],
      ['Services', '1000000.00'],
    ]);
    const plain = await s.call('GET', `/budgets/${id}`, { token: planner.token });
    expect(plain.json.budget_lines).toBeUndefined();
    const dup = await s.call('POST', '/budgets', { token: planner.token, json: budget('fy operating') });
    expect(dup.status).toBe(409);
    expect(dup.json.code).toBe('duplicate_budget_name');
    const invalid = await s.call('POST', '/budgets', {
      token: planner.token,
      json: budget('Too precise', { total_amount: '1.001' }),
    });
    expect(invalid.status).toBe(400);
    expect(invalid.json.errors[0].path).toBe('total_amount');
  });

  it('budgets: list with filters and a cursor that pages through everything once', async () => {
    const names = ['List A', 'List B', 'List C', 'List D', 'List E'];
    for (const name of names) {
      const r = await s.call('POST', '/budgets', {
        token: admin,
        json: budget(name, {
          department_id: 'LISTDEPT',
          budget_type: name === 'List E' ? 'project' : 'annual',
          ...(name === 'List E' ? { period_start: `${YEAR}-01-01`, period_end: `${YEAR}-06-30` } : {}),
        }),
      });
      expect(r.status, r.text).toBe(201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/budgets?department_id=LISTDEPT&budget_type=annual&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await s.call('GET', q, { token: admin });
      expect(page.status, page.text).toBe(200);
      expect(page.json.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.json.items.map((b: { budget_name: string }) => b.budget_name));
      cursor = page.json.next_cursor;
    } while (cursor);
    // Newest first, the project budget filtered out.
    expect(seen).toEqual(['List D', 'List C', 'List B', 'List A']);
    const text = await s.call('GET', '/budgets?text=list%20e', { token: admin });
    expect(text.json.items.map((b: { budget_name: string }) => b.budget_name)).toEqual(['List E']);
    const bad = await s.call('GET', '/budgets?fiscal_year=27', { token: admin });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].path).toBe('query.fiscal_year');
  });

  it('budgets: update with the version read, a stale version is 409 with the current one, delete hides it', async () => {
    const created = await s.call('POST', '/budgets', { token: planner.token, json: budget('To update') });
    const id = created.json.budget_id;
    const updated = await s.call('PUT', `/budgets/${id}`, {
      token: planner.token,
      json: { version: 1, total_amount: '99.95', description: 'revised' },
    });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.json).toMatchObject({ version: 2, total_amount: '99.95', description: 'revised' });
    const stale = await s.call('PUT', `/budgets/${id}`, {
      token: planner.token,
      json: { version: 1, total_amount: '1.00' },
    });
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({ current_version: 2 });
    const del = await s.call('DELETE', `/budgets/${id}`, { token: planner.token });
    expect(del.status, del.text).toBe(200);
    expect((await s.call('GET', `/budgets/${id}`, { token: planner.token })).status).toBe(404);
    // The name is free again.
    expect(
      (await s.call('POST', '/budgets', { token: planner.token, json: budget('To update') })).status,
    ).toBe(201);
  });

  it('lines: add, bulk append, update with version (409 when stale), delete; totals follow', async () => {
    const created = await s.call('POST', '/budgets', { token: planner.token, json: budget('Lines budget') });
    const id = created.json.budget_id;
    const one = await s.call('POST', `/budgets/${id}/lines`, {
      token: planner.token,
      json: { line_name: 'Rent', line_type: 'expense', category: 'facilities', amount: '1000.00' },
    });
    expect(one.status, one.text).toBe(201);
    const bulk = await s.call('POST', `/budgets/${id}/lines/bulk`, {
      token: planner.token,
      json: {
        mode: 'append',
        lines: [
          { line_name: 'Travel', line_type: 'expense', category: 'travel', amount: '0.10' },
          { line_name: 'Sales', line_type: 'revenue', category: 'sales', amount: '0.20' },
        ],
      },
    });
    expect(bulk.status, bulk.text).toBe(200);
    expect(bulk.json).toMatchObject({ added: 2, removed: 0 });
    const lineId = one.json.line_id;
    const upd = await s.call('PUT', `/budgets/${id}/lines/${lineId}`, {
      token: planner.token,
      json: { version: 1, amount: '1234.56' },
    });
    expect(upd.status, upd.text).toBe(200);
    expect(upd.json).toMatchObject({ amount: '1234.56', version: 2 });
    const stale = await s.call('PUT', `/budgets/${id}/lines/${lineId}`, {
      token: planner.token,
      json: { version: 1, amount: '1.00' },
    });
    expect(stale.status).toBe(409);
    const del = await s.call('DELETE', `/budgets/${id}/lines/${bulk.json.line_ids[0]}`, {
      token: planner.token,
    });
    expect(del.status, del.text).toBe(200);
    const lines = await s.call('GET', `/budgets/${id}/lines`, { token: planner.token });
    expect(lines.json.items.map((l: { line_name: string }) => l.line_name)).toEqual(['Rent', 'Sales']);
    const b = await s.call('GET', `/budgets/${id}`, { token: planner.token });
    expect(b.json.totals).toMatchObject({
      expense: '1234.56',
      revenue: '0.20',
      net: '-1234.36',
      line_count: 2,
    });
  });

  it('periods: the grid spreads to the cent; a manual edit sets the line amount to the sum', async () => {
    const created = await s.call('POST', '/budgets', {
      token: planner.token,
      json: budget('Periods budget', {
        budget_lines: [{ line_name: 'Even', line_type: 'expense', category: 'ops', amount: '100.00' }],
      }),
    });
    const id = created.json.budget_id;
    const grid = await s.call('GET', `/budgets/${id}/periods`, { token: planner.token });
    expect(grid.status, grid.text).toBe(200);
    expect(grid.json.periods).toHaveLength(12);
    expect(grid.json.lines[0].periods).toEqual([...Array(4).fill('8.34'), ...Array(8).fill('8.33')]);
    expect(grid.json.periods[0]).toMatchObject({ period_start: `${YEAR}-01-01`, expense: '8.34' });
    const lineId = grid.json.lines[0].line_id;
    const edit = await s.call('PUT', `/budgets/${id}/lines/${lineId}/periods`, {
      token: planner.token,
      json: { version: 1, periods: [{ period_index: 0, amount: '50.05' }] },
    });
    expect(edit.status, edit.text).toBe(200);
    expect(edit.json).toMatchObject({ amount: '141.71', spread_method: 'manual', version: 2 });
    const after = await s.call('GET', `/budgets/${id}/periods`, { token: planner.token });
    expect(after.json.lines[0].periods[0]).toBe('50.05');
    expect(after.json.lines[0].amount).toBe('141.71');
  });

  it('large JSON travels gzip-compressed to a client that accepts it, and plain to one that does not', async () => {
    const created = await s.call('POST', '/budgets', {
      token: planner.token,
      json: budget('Compressed grid', {
        budget_lines: Array.from({ length: 300 }, (_, i) => ({
          line_name: `Line ${i}`,
          line_type: 'expense',
          category: 'ops',
          amount: `${1000 + i}.00`,
        })),
      }),
    });
    expect(created.status, created.text).toBe(201);
    const url = `${s.baseUrl}/api/budgeting-forecasting/budgets/${created.json.budget_id}/periods`;
    // Raw bytes off the socket (node:http does not decompress).
    const raw = (encoding?: string) =>
      new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const headers: Record<string, string> = { authorization: `Bearer ${planner.token}` };
        if (encoding) headers['accept-encoding'] = encoding;
        get(url, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        }).on('error', reject);
      });
    const plain = await raw();
    expect(plain.headers['content-encoding']).toBeUndefined();
    const gz = await raw('gzip, deflate, br');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toMatch(/accept-encoding/i);
    expect(gz.body.length).toBeLessThan(plain.body.length / 5);
    expect(JSON.parse(gunzipSync(gz.body).toString('utf8'))).toEqual(JSON.parse(plain.body.toString('utf8')));
    // A small answer is not worth compressing.
    const small = await new Promise<IncomingHttpHeaders>((resolve, reject) =>
      get(`${s.baseUrl}/health`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        res.resume();
        resolve(res.headers);
      }).on('error', reject),
    );
    expect(small['content-encoding']).toBeUndefined();
  });

  it('a large budget is cached as its gzip: the same JSON, compressed or not, read or hit, and fresh after a write', async () => {
    const created = await s.call('POST', '/budgets', {
      token: planner.token,
      json: budget('Precompressed budget', {
        budget_lines: Array.from({ length: 300 }, (_, i) => ({
          line_name: `Line ${i} ☕`,
          line_type: 'expense',
          category: 'ops',
          amount: `${1000 + i}.25`,
        })),
      }),
    });
    expect(created.status, created.text).toBe(201);
    const id = created.json.budget_id;
    const url = `${s.baseUrl}/api/budgeting-forecasting/budgets/${id}?include_lines=true`;
    const read = (encoding?: string) =>
      new Promise<{ headers: IncomingHttpHeaders; json: { budget_lines: { amount: string }[] } }>(
        (resolve, reject) => {
          const headers: Record<string, string> = { authorization: `Bearer ${planner.token}` };
          if (encoding) headers['accept-encoding'] = encoding;
          get(url, { headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const body = Buffer.concat(chunks);
              const text = res.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
              resolve({ headers: res.headers, json: JSON.parse(text.toString('utf8')) });
            });
            res.on('error', reject);
          }).on('error', reject);
        },
      );
    const first = await read('gzip'); // a miss: built, compressed once, cached as gzip
    expect(first.headers['content-encoding']).toBe('gzip');
    expect(first.json.budget_lines).toHaveLength(300);
    for (const encoding of ['gzip, deflate, br', undefined, 'gzip;q=0, identity', 'br']) {
      const again = await read(encoding); // hits: sent as cached, or unzipped for this client
      expect(again.headers['content-encoding'], String(encoding)).toBe(
        encoding?.startsWith('gzip,') ? 'gzip' : undefined,
      );
      expect(again.json).toEqual(first.json);
    }
    const line = (await s.call('GET', `/budgets/${id}/lines?limit=1`, { token: planner.token })).json
      .items[0];
    const put = await s.call('PUT', `/budgets/${id}/lines/${line.line_id}`, {
      token: planner.token,
      json: { amount: '7.77', version: line.version },
    });
    expect(put.status, put.text).toBe(200);
    for (const encoding of ['gzip', undefined])
      expect((await read(encoding)).json.budget_lines[0]!.amount).toBe('7.77');
  });

  it('periods by fiscal quarter: months added exactly, the total is net (revenue - expense)', async () => {
    const created = await s.call('POST', '/budgets', {
      token: planner.token,
      json: budget('Quarters budget', {
        budget_lines: [
          { line_name: 'Sales', line_type: 'revenue', category: 'sales', amount: '400.00' },
          { line_name: 'Even', line_type: 'expense', category: 'ops', amount: '100.00' },
        ],
      }),
    });
    expect(created.status, created.text).toBe(201);
    const q = await s.call('GET', `/budgets/${created.json.budget_id}/periods?by=quarter`, {
      token: planner.token,
    });
    expect(q.status, q.text).toBe(200);
    expect(
      q.json.periods.map((p: { label: string; expense: string; total: string }) => [
        p.label,
        p.expense,
        p.total,
      ]),
    ).toEqual([
      [`FY${YEAR}-Q1`, '25.02', '75.00'],
      [`FY${YEAR}-Q2`, '25.00', '75.00'],
      [`FY${YEAR}-Q3`, '24.99', '75.00'],
      [`FY${YEAR}-Q4`, '24.99', '75.00'],
    ]);
    expect(q.json.total).toBe('300.00');
  });

  it('the budget workbook downloads as XLSX whose figures are the budget amounts', async () => {
    const created = await s.call('POST', '/budgets', {
      token: planner.token,
      json: budget('Workbook budget', {
        budget_lines: [
          { line_name: 'Sales', line_type: 'revenue', category: 'sales', amount: '1200.00' },
          { line_name: 'Pay', line_type: 'expense', category: 'people', amount: '0.12' },
        ],
      }),
    });
    const id = created.json.budget_id;
    const res = await s.call('GET', `/budgets/${id}/export.xlsx`, { token: planner.token });
    expect(res.status, res.text.slice(0, 500)).toBe(200);
    expect(res.headers.get('content-type')).toContain(XLSX_TYPE);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename=".*\.xlsx"/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.bytes as unknown as ArrayBuffer);
    expect(wb.worksheets[0]!.name).toBe('Summary');
    const sheet = wb.getWorksheet('Lines')!;
    const result = (ref: string) => (sheet.getCell(ref).value as ExcelJS.CellFormulaValue).result;
    // A, B: the hidden line id and version; C: the line; O: amount; P..AA: months; AB: total.
    expect(sheet.getCell('C2').value).toBe('Sales');
    expect(sheet.getCell('P2').value).toBe(100);
    expect(result('AB2')).toBe(1200);
    expect(result('AB3')).toBe(0.12);
    // Totals per line type, then the net (revenue - expense), not revenue + expense.
    expect(sheet.getCell('C8').value).toBe('Net (revenue - expense)');
    expect(result('AB8')).toBe(1199.88);

    // Kept in the file store with keep=true (the planner has budgets:write), downloaded back as sent.
    const kept = await s.call('GET', `/budgets/${id}/export.xlsx?keep=true`, { token: planner.token });
    expect(kept.status).toBe(200);
    const fileId = kept.headers.get('x-stored-file-id');
    const listed = await s.call('GET', `/budgets/${id}/workbooks`, { token: planner.token });
    expect(listed.json.items).toMatchObject([
      { file_id: fileId, kind: 'budget_workbook', size: kept.bytes.length },
    ]);
    const back = await s.call('GET', `/budgets/${id}/workbooks/${fileId}`, { token: planner.token });
    expect(back.status).toBe(200);
    expect(back.bytes.equals(kept.bytes)).toBe(true);
  });

  it('the audit log names who did what, with the request id the client sent', async () => {
    const requestId = `e2e-audit-${Date.now()}`;
    const created = await s.call('POST', '/budgets', {
      token: planner.token,
      json: budget('Audited budget'),
      headers: { 'x-request-id': requestId },
    });
    expect(created.headers.get('x-request-id')).toBe(requestId);
    const id = created.json.budget_id;
    const audit = await s.call('GET', `/audit?entity_type=budget&entity_id=${id}`, { token: admin });
    expect(audit.status, audit.text).toBe(200);
    expect(audit.json.items).toEqual([
      expect.objectContaining({
        action: 'budget.created',
        user_id: planner.userId,
        entity_id: id,
        request_id: requestId,
      }),
    ]);
    expect((await s.call('GET', '/audit', { token: planner.token })).status).toBe(403);
  });

  it('jobs: a variance job is listed and readable through /jobs', async () => {
    const created = await s.call('POST', '/budgets', {
      token: planner.token,
      json: budget('Job budget', {
        budget_lines: [{ line_name: 'Ops', line_type: 'expense', category: 'ops', amount: '120.00' }],
      }),
    });
    const id = created.json.budget_id;
    const queued = await s.call('POST', `/budgets/${id}/variance/jobs`, {
      token: admin,
      json: { as_of: `${YEAR}-03` },
    });
    expect(queued.status, queued.text).toBe(202);
    const jobId = queued.json.job_id;
    const job = await waitForJob(s, admin, jobId);
    expect(job.status, JSON.stringify(job)).toBe('completed');
    expect(job.result.totals).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          line_type: 'expense',
          ytd: expect.objectContaining({ budget: '30.00', actual: '0.00' }),
        }),
      ]),
    );
    const list = await s.call('GET', '/jobs?limit=50', { token: admin });
    expect(list.status, list.text).toBe(200);
    expect(list.json.items.map((j: { job_id: string }) => j.job_id)).toContain(jobId);
    expect(
      (await s.call('GET', `/jobs/${jobId}`, { token: await s.token({ tenant: 'e2e-other' }) })).status,
    ).toBe(404);
  });
});
