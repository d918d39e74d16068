/**
 * Department scope attacked like tenant isolation (docs/department-scope.md): a user limited to
 * department D10 meets budgets, lines and periods of D20 by id over real HTTP and WebSocket and
 * must get 404 (as for another tenant's id), writes refused, reports holding only D10 rows; and
 * the database itself hides the rows for a query with no WHERE.
 */

import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantIdFromKey, withTenant } from '../src/platform/tenancy/tenancy.ts';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp } from './helpers/app.ts';
import { backends } from './helpers/databases.ts';
import { http, httpBase } from './helpers/http.ts';
import { even, insertActuals, month, phase, YEAR } from './helpers/variance.ts';
import { connect, join, listen } from './helpers/ws-client.ts';

describe.each(backends())('department scope (%s)', (backend) => {
  let t: TestApp;
  let base: string;
  let wsBase: string;
  const tenant = newTenant();
  let admin: string;
  let dana: string; // planner limited to D10
  let sam: string; // admin limited to D10
  // A: department D10 with a D10 and a D20 line; B: D20 only; C: no department, a D10 and a D20 line.
  const ids = {} as Record<'a' | 'b' | 'c' | 'a10' | 'a20' | 'b20' | 'c10' | 'c20', string>;

  async function budget(department: string | null, lines: [string, string][]): Promise<string> {
    const res = await http(
      base,
      'POST',
      '/budgets',
      admin,
      budgetBody({
        fiscal_year: String(YEAR),
        department_id: department,
        budget_lines: lines.map(([name, dept]) =>
          lineBody({ line_name: name, department_id: dept, gl_account_id: '5000', amount: '1200.00' }),
        ),
      }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.budget_id;
  }

  async function lineIds(budgetId: string): Promise<Record<string, string>> {
    const res = await http(base, 'GET', `/budgets/${budgetId}/lines?limit=100`, admin);
    return Object.fromEntries(
      res.body.items.map((l: { line_name: string; line_id: string }) => [l.line_name, l.line_id]),
    );
  }

  /** A line as the unrestricted admin sees it. */
  async function adminLine(budgetId: string, lineId: string) {
    const res = await http(base, 'GET', `/budgets/${budgetId}/lines?limit=100`, admin);
    return res.body.items.find((l: { line_id: string }) => l.line_id === lineId);
  }

  beforeAll(async () => {
    t = await startTestApp(backend);
    base = await httpBase(t);
    wsBase = await listen(t);
    admin = await t.token(tenant, { user: 'admin' });
    dana = await t.token(tenant, { user: 'dana', roles: ['planner'] });
    sam = await t.token(tenant, { user: 'sam', roles: ['admin'] });
    ids.a = await budget('D10', [
      ['A-D10', 'D10'],
      ['A-D20-secret', 'D20'],
    ]);
    ids.b = await budget('D20', [['B-D20-secret', 'D20']]);
    ids.c = await budget(null, [
      ['C-D10', 'D10'],
      ['C-D20-secret', 'D20'],
    ]);
    const a = await lineIds(ids.a);
    const b = await lineIds(ids.b);
    const c = await lineIds(ids.c);
    ids.a10 = a['A-D10']!;
    ids.a20 = a['A-D20-secret']!;
    ids.b20 = b['B-D20-secret']!;
    ids.c10 = c['C-D10']!;
    ids.c20 = c['C-D20-secret']!;
    for (const [who, depts] of [
      ['dana', ['D10']],
      ['sam', ['D10']],
    ] as const) {
      const res = await http(base, 'PUT', `/users/${who}/department-scope`, admin, { departments: depts });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ user_id: who, departments: ['D10'], updated_by: 'admin' });
    }
  }, 120_000);
  afterAll(() => t?.close());

  it('lists and shows only budgets in scope: own department, or holding a line of it', async () => {
    // The admin reads first, so the budget cache holds the full views: never served to dana.
    for (const id of [ids.a, ids.b, ids.c]) {
      expect((await http(base, 'GET', `/budgets/${id}?include_lines=true`, admin)).status).toBe(200);
      expect((await http(base, 'GET', `/budgets/${id}`, admin)).status).toBe(200);
    }
    expect((await http(base, 'GET', `/budgets/${ids.b}`, dana)).status).toBe(404);
    const mine = await http(base, 'GET', '/budgets?limit=100', dana);
    expect(mine.status).toBe(200);
    const seen = mine.body.items.map((b: { budget_id: string }) => b.budget_id).sort();
    expect(seen).toEqual([ids.a, ids.c].sort());
    const all = await http(base, 'GET', '/budgets?limit=100', admin);
    expect(all.body.items).toHaveLength(3);

    const a = await http(base, 'GET', `/budgets/${ids.a}?include_lines=true`, dana);
    expect(a.status).toBe(200);
    expect(a.body.budget_lines.map((l: { line_id: string }) => l.line_id)).toEqual([ids.a10]);
    expect(JSON.stringify(a.body)).not.toContain('secret');
    const lines = await http(base, 'GET', `/budgets/${ids.c}/lines`, dana);
    expect(lines.body.items.map((l: { line_id: string }) => l.line_id)).toEqual([ids.c10]);
  });

  it('answers 404 for every kind of out-of-scope id, read or write, and changes nothing', async () => {
    const periods = { version: 1, periods: [{ period_index: 0, amount: '1.00' }] };
    const attempts: [string, string, unknown?][] = [
      ['GET', `/budgets/${ids.b}`],
      ['GET', `/budgets/${ids.b}/lines`],
      ['GET', `/budgets/${ids.b}/periods`],
      ['GET', `/budgets/${ids.b}/variance`],
      ['GET', `/budgets/${ids.b}/export.xlsx`],
      ['GET', `/budgets/${ids.b}/variance/export.xlsx`],
      ['PUT', `/budgets/${ids.b}`, { budget_name: 'Taken over', version: 1 }],
      ['DELETE', `/budgets/${ids.b}`],
      ['POST', `/budgets/${ids.b}/restore`],
      ['POST', `/budgets/${ids.b}/lines`, lineBody({ department_id: 'D10' })],
      ['PUT', `/budgets/${ids.b}/periods`, { lines: [{ line_id: ids.b20, ...periods }] }],
      ['PUT', `/budgets/${ids.a}/lines/${ids.a20}`, { amount: '1.00', version: 1 }],
      ['DELETE', `/budgets/${ids.a}/lines/${ids.a20}`],
      ['PUT', `/budgets/${ids.a}/lines/${ids.a20}/periods`, periods],
      ['PUT', `/budgets/${ids.a}/periods`, { lines: [{ line_id: ids.a20, ...periods }] }],
      ['PUT', `/budgets/${ids.c}/lines/${ids.c20}`, { amount: '1.00', version: 1 }],
      ['DELETE', `/budgets/${ids.c}/lines/${ids.c20}`],
      // A line id of another budget through an in-scope budget.
      ['PUT', `/budgets/${ids.a}/lines/${ids.b20}`, { amount: '1.00', version: 1 }],
      ['POST', `/budgets/${ids.b}/comments`, { body: 'hello' }],
      ['GET', `/budgets/${ids.b}/comments`],
      ['GET', `/budgets/${ids.b}/recommendations`],
    ];
    for (const [method, path, body] of attempts) {
      const res = await http(base, method, path, dana, body);
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(res.body.code, `${method} ${path}`).toBe('not_found');
    }
    const b = await http(base, 'GET', `/budgets/${ids.b}?include_lines=true`, admin);
    expect(b.body).toMatchObject({
      budget_name: expect.stringMatching(/^Budget /),
      version: 1,
    });
    for (const [budgetId, lineId] of [
      [ids.a, ids.a20],
      [ids.c, ids.c20],
    ]) {
      expect(await adminLine(budgetId!, lineId!)).toMatchObject({ amount: '1200.00', version: 1 });
    }
  });

  it('refuses writes that would put a row outside the scope, naming the field', async () => {
    const add = await http(base, 'POST', `/budgets/${ids.a}/lines`, dana, lineBody({ department_id: 'D20' }));
    expect(add.status).toBe(403);
    expect(add.body.errors[0]).toMatchObject({ path: 'department_id', code: 'department_scope' });
    const none = await http(
      base,
      'POST',
      `/budgets/${ids.a}/lines`,
      dana,
      lineBody({ line_name: 'No dept' }),
    );
    expect(none.status).toBe(403);
    const move = await http(base, 'PUT', `/budgets/${ids.a}/lines/${ids.a10}`, dana, {
      department_id: 'D20',
      version: 1,
    });
    expect(move.status).toBe(403);
    const other = await http(base, 'POST', '/budgets', dana, budgetBody({ department_id: 'D20' }));
    expect(other.status).toBe(403);
    expect(other.body.errors[0].path).toBe('department_id');
    // Nothing partial: the line is where it was, and admin sees the same three budgets and lines.
    expect(await adminLine(ids.a, ids.a10)).toMatchObject({ department_id: 'D10', version: 1 });
    expect((await http(base, 'GET', `/budgets/${ids.a}/lines`, admin)).body.items).toHaveLength(2);
    expect((await http(base, 'GET', '/budgets?limit=100', admin)).body.items).toHaveLength(3);
    // In scope it works.
    const ok = await http(
      base,
      'POST',
      `/budgets/${ids.a}/lines`,
      dana,
      lineBody({ line_name: 'A-D10-new', department_id: 'D10' }),
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    const del = await http(base, 'DELETE', `/budgets/${ids.a}/lines/${ok.body.line_id}`, dana);
    expect(del.status).toBeLessThan(300);
  });

  it('shows only in-scope lines in the period grid, variance and both workbooks', async () => {
    for (const [budgetId, lineId] of [
      [ids.a, ids.a10],
      [ids.a, ids.a20],
      [ids.c, ids.c10],
      [ids.c, ids.c20],
    ]) {
      await phase(t, tenant, budgetId!, lineId!, even('100.00'));
    }
    await insertActuals(t, tenant, [
      { period: month(1), amount: '90.00', gl: '5000', department: 'D10' },
      { period: month(1), amount: '777.77', gl: '5000', department: 'D20' },
      { period: month(1), amount: '55.55', gl: '6000', department: 'D20' },
      { period: month(1), amount: '33.33', gl: '6000', department: null },
    ]);
    const grid = await http(base, 'GET', `/budgets/${ids.a}/periods`, dana);
    expect(grid.status).toBe(200);
    expect(grid.body.lines.map((l: { line_id: string }) => l.line_id)).toEqual([ids.a10]);
    expect(JSON.stringify(grid.body)).not.toContain('secret');

    const v = await http(base, 'GET', `/budgets/${ids.c}/variance?by=line&as_of=${YEAR}-01`, dana);
    expect(v.status, JSON.stringify(v.body)).toBe(200);
    expect(v.body.rows.map((r: { key: { line_id: string } }) => r.key.line_id)).toEqual([ids.c10]);
    expect(v.body.rows[0].month).toMatchObject({ budget: '100.00', actual: '90.00' });
    // Other departments' actuals (and those naming none) are not even "unmatched" for dana.
    expect(v.body.unmatched).toMatchObject({ month_actual: '0.00', actual_rows: 0 });
    const vAdmin = await http(base, 'GET', `/budgets/${ids.c}/variance?by=line&as_of=${YEAR}-01`, admin);
    expect(vAdmin.body.rows).toHaveLength(2);
    expect(JSON.stringify(vAdmin.body)).toContain('777.77');
    expect(vAdmin.body.unmatched.month_actual).toBe('88.88');
    expect(JSON.stringify(v.body)).not.toContain('777.77');

    const byDept = await http(base, 'GET', `/budgets/${ids.c}/variance?by=department&as_of=${YEAR}-01`, dana);
    expect(byDept.body.rows.map((r: { key: { department_id: string } }) => r.key.department_id)).toEqual([
      'D10',
    ]);

    for (const path of [
      `/budgets/${ids.a}/export.xlsx`,
      `/budgets/${ids.c}/variance/export.xlsx?as_of=${YEAR}-01`,
    ]) {
      const res = await http(base, 'GET', path, dana);
      expect(res.status, path).toBe(200);
      const text = await workbookText(res.bytes);
      expect(text, path).toContain('D10');
      expect(text, path).not.toContain('secret');
      expect(text, path).not.toContain('777.77');
      const full = await workbookText((await http(base, 'GET', path, admin)).bytes);
      expect(full, path).toContain('secret');
    }
  });

  it('keeps recommendation bundles to the scope they were generated under', async () => {
    const mine = await http(base, 'POST', `/budgets/${ids.a}/recommendations`, dana, { as_of: `${YEAR}-01` });
    expect(mine.status, JSON.stringify(mine.body)).toBeLessThan(300);
    const theirs = await http(base, 'POST', `/budgets/${ids.a}/recommendations`, admin, {
      as_of: `${YEAR}-01`,
    });
    expect(theirs.status).toBeLessThan(300);
    const mineId = mine.body.bundle_id ?? mine.body.bundle?.bundle_id;
    const theirsId = theirs.body.bundle_id ?? theirs.body.bundle?.bundle_id;
    expect(mineId).toBeTruthy();
    expect((await http(base, 'GET', `/recommendations/${mineId}`, dana)).status).toBe(200);
    expect(JSON.stringify(mine.body)).not.toContain('777.77');
    // Built on every department: not dana's to read.
    expect((await http(base, 'GET', `/recommendations/${theirsId}`, dana)).status).toBe(404);
    expect((await http(base, 'GET', `/recommendations/${theirsId}`, admin)).status).toBe(200);
    const list = await http(base, 'GET', `/budgets/${ids.a}/recommendations`, dana);
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(theirsId);
    expect((await http(base, 'POST', `/budgets/${ids.b}/recommendations`, dana, {})).status).toBe(404);
    // An Idempotency-Key the admin used never replays the admin's (unscoped) response to dana.
    const key = { 'idempotency-key': `scope-${ids.a}` };
    const body = { as_of: `${YEAR}-01`, industry: 'retail' };
    const first = await http(base, 'POST', `/budgets/${ids.a}/recommendations`, admin, body, key);
    expect(first.status).toBeLessThan(300);
    const replay = await http(base, 'POST', `/budgets/${ids.a}/recommendations`, dana, body, key);
    expect(replay.status).toBe(422);
    expect(replay.body.code).toBe('idempotency_key_reused');
  });

  it('refuses joining a session on an out-of-scope budget, and edits of out-of-scope lines', async () => {
    const onB = await http(base, 'POST', '/collaboration/sessions', admin, {
      session_name: 'B live',
      budget_id: ids.b,
    });
    expect(onB.status).toBe(201);
    const join404 = await http(base, 'POST', `/collaboration/sessions/${onB.body.session_id}/join`, dana, {
      role: 'editor',
    });
    expect(join404.status).toBe(404);
    expect((await http(base, 'GET', `/collaboration/sessions/${onB.body.session_id}`, dana)).status).toBe(
      404,
    );
    const sessions = await http(base, 'GET', '/collaboration/sessions', dana);
    expect(JSON.stringify(sessions.body)).not.toContain(onB.body.session_id);
    const sock = await connect(wsBase, onB.body.session_id, dana);
    expect((await sock.closed).code).toBe(4004);
    const create = await http(base, 'POST', '/collaboration/sessions', dana, {
      session_name: 'Mine',
      budget_id: ids.b,
    });
    expect(create.status).toBe(404);

    const onC = await http(base, 'POST', '/collaboration/sessions', admin, {
      session_name: 'City live',
      budget_id: ids.c,
    });
    expect(
      (
        await http(base, 'POST', `/collaboration/sessions/${onC.body.session_id}/join`, dana, {
          role: 'editor',
        })
      ).status,
    ).toBe(200);
    const s = await join(wsBase, onC.body.session_id, dana);
    s.send({
      type: 'budget_line_edit',
      target_id: ids.c20,
      changes: { amount: '1.00' },
      version: 1,
      client_msg_id: 'x',
    });
    const refused = await s.nextOf('edit_error', (m) => m.client_msg_id === 'x');
    expect(refused.code).toBe('not_found');
    s.send({ type: 'comment_added', body: 'peek', line_id: ids.c20, client_msg_id: 'c' });
    const comment = await s.next((m) => m.client_msg_id === 'c');
    expect(comment.type).not.toBe('ack');
    s.send({
      type: 'budget_line_edit',
      target_id: ids.c10,
      changes: { amount: '1300.00' },
      version: 1,
      client_msg_id: 'y',
    });
    expect((await s.nextOf('ack', (m) => m.client_msg_id === 'y')).sequence).toBeGreaterThan(0);
    await s.close();
    expect(await adminLine(ids.c, ids.c20)).toMatchObject({ amount: '1200.00', version: 1 });
  });

  it('hides rows in the database itself, for a query with no WHERE', async () => {
    const tenantId = tenantIdFromKey(tenant);
    const count = (userId?: string) =>
      withTenant(t.platform.database.db, { tenantId, userId }, async (tx) => {
        const r = (await tx.execute(sql`
          SELECT (SELECT count(*) FROM budgets)::int AS budgets, (SELECT count(*) FROM budget_lines)::int AS lines,
                 (SELECT count(*) FROM budget_periods)::int AS periods, (SELECT count(*) FROM actuals)::int AS actuals,
                 (SELECT count(DISTINCT department_id) FROM budget_lines)::int AS departments`)) as unknown as {
          rows: Record<string, number>[];
        };
        return r.rows[0];
      });
    expect(await count('dana')).toEqual({ budgets: 2, lines: 3, periods: 36, actuals: 1, departments: 1 });
    expect(await count('admin')).toEqual({ budgets: 3, lines: 6, periods: 72, actuals: 4, departments: 2 });
    expect(await count()).toEqual(await count('admin'));
    // A write with no WHERE touches only the scope's rows.
    await expect(
      withTenant(t.platform.database.db, { tenantId, userId: 'dana' }, async (tx) => {
        const r = (await tx.execute(sql`UPDATE budget_lines SET notes = 'touched'`)) as unknown as {
          affectedRows?: number;
          rowCount?: number;
        };
        throw new Error(`rows:${r.rowCount ?? r.affectedRows}`);
      }),
    ).rejects.toThrow('rows:3');
  });

  it('lets only admins set scopes, never wider than their own, audited, effective at once', async () => {
    expect(
      (await http(base, 'PUT', '/users/eve/department-scope', dana, { departments: ['D10'] })).status,
    ).toBe(403);
    const wider = await http(base, 'PUT', '/users/eve/department-scope', sam, {
      departments: ['D10', 'D20'],
    });
    expect(wider.status).toBe(403);
    expect(wider.body.errors[0]).toMatchObject({ path: 'departments', code: 'grant_not_allowed' });
    expect((await http(base, 'DELETE', '/users/dana/department-scope', sam)).status).toBe(403);
    expect(
      (await http(base, 'PUT', '/users/eve/department-scope', sam, { departments: ['D10'] })).status,
    ).toBe(200);
    const bad = await http(base, 'PUT', '/users/eve/department-scope', admin, { departments: [''] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toMatch(/^departments/);

    expect((await http(base, 'GET', `/budgets/${ids.b}`, dana)).status).toBe(404);
    expect(
      (await http(base, 'PUT', '/users/dana/department-scope', admin, { departments: ['D10', 'D20'] }))
        .status,
    ).toBe(200);
    expect((await http(base, 'GET', `/budgets/${ids.b}`, dana)).status).toBe(200);
    // A cached view is keyed by the scope: the widened scope sees the wider lines at once, and
    // narrowing again never serves the wider view that is still cached.
    const lineIdsOf = async (user: string) =>
      (await http(base, 'GET', `/budgets/${ids.a}?include_lines=true`, user)).body.budget_lines
        .map((l: { line_id: string }) => l.line_id)
        .sort();
    expect(await lineIdsOf(dana)).toEqual([ids.a10, ids.a20].sort());
    expect(await lineIdsOf(dana)).toEqual([ids.a10, ids.a20].sort());
    expect(
      (await http(base, 'PUT', '/users/dana/department-scope', admin, { departments: ['D10'] })).status,
    ).toBe(200);
    expect(await lineIdsOf(dana)).toEqual([ids.a10]);
    expect(
      (await http(base, 'PUT', '/users/dana/department-scope', admin, { departments: ['D10', 'D20'] }))
        .status,
    ).toBe(200);
    expect(await lineIdsOf(dana)).toEqual([ids.a10, ids.a20].sort());
    const cleared = await http(base, 'DELETE', '/users/dana/department-scope', admin);
    expect(cleared.body).toMatchObject({ user_id: 'dana', departments: null });
    expect((await http(base, 'GET', '/users/dana/department-scope', admin)).body.departments).toBeNull();
    expect((await http(base, 'GET', '/budgets?limit=100', dana)).body.items).toHaveLength(3);

    const audit = await http(base, 'GET', '/audit?entity_type=user&limit=100', admin);
    const actions = audit.body.items
      .filter((e: { after: { user_id?: string } | null }) => e.after?.user_id === 'dana')
      .map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['user.department_scope_set', 'user.department_scope_cleared']),
    );
  });

  it('sends a scoped participant of a shared budget only placeholders of other departments, live and replayed, gapless', async () => {
    const scoped = await http(base, 'PUT', '/users/dana/department-scope', admin, { departments: ['D10'] });
    expect(scoped.status).toBe(200);
    const m = await budget(null, [
      ['M-D10', 'D10'],
      ['M-D20-secret', 'D20'],
    ]);
    const lines = await lineIds(m);
    const m10 = lines['M-D10']!;
    const m20 = lines['M-D20-secret']!;
    const session = await http(base, 'POST', '/collaboration/sessions', admin, {
      session_name: 'Shared live',
      budget_id: m,
    });
    expect(session.status).toBe(201);
    const sid = session.body.session_id as string;
    const joined = await http(base, 'POST', `/collaboration/sessions/${sid}/join`, dana, { role: 'editor' });
    expect(joined.status).toBe(200);
    const as = await join(wsBase, sid, admin);
    const ds = await join(wsBase, sid, dana);
    const batched = await join(wsBase, sid, dana, '?frames=batch');
    const edit = async (lineId: string, amount: string, id: string) => {
      const version = (await adminLine(m, lineId)).version;
      as.send({
        type: 'budget_line_edit',
        target_id: lineId,
        changes: { amount },
        version,
        client_msg_id: id,
      });
      return (await as.nextOf('ack', (x) => x.client_msg_id === id)).sequence as number;
    };

    // A line of D20 edited: dana gets its sequence and nothing of it; the line id only, since a
    // line of hers could have left her scope.
    const s1 = await edit(m20, '777.00', 'e1');
    expect(await ds.next((x) => x.sequence === s1)).toEqual({
      type: 'change_hidden',
      sequence: s1,
      session_id: sid,
      timestamp: expect.any(String),
      target_id: m20,
    });
    // A line of D10: in full.
    const s2 = await edit(m10, '1300.00', 'e2');
    expect(await ds.next((x) => x.sequence === s2)).toMatchObject({
      type: 'budget_line_updated',
      target_id: m10,
      line: { amount: '1300.00', department_id: 'D10' },
    });
    // Comments: on the D20 line hidden (no line id), on the budget shown.
    as.send({ type: 'comment_added', body: 'secret remark', line_id: m20, client_msg_id: 'c1' });
    const s3 = (await as.nextOf('ack', (x) => x.client_msg_id === 'c1')).sequence;
    expect(await ds.next((x) => x.sequence === s3)).toEqual({
      type: 'change_hidden',
      sequence: s3,
      session_id: sid,
      timestamp: expect.any(String),
    });
    as.send({ type: 'comment_added', body: 'budget remark', client_msg_id: 'c2' });
    const s4 = (await as.nextOf('ack', (x) => x.client_msg_id === 'c2')).sequence;
    expect(await ds.next((x) => x.sequence === s4)).toMatchObject({
      type: 'comment_added',
      comment: { body: 'budget remark' },
    });
    // A change request naming the D20 line: hidden.
    as.send({ type: 'change_request', target_id: m20, description: 'secret ask', client_msg_id: 'r1' });
    const s5 = (await as.nextOf('ack', (x) => x.client_msg_id === 'r1')).sequence;
    expect((await ds.next((x) => x.sequence === s5)).type).toBe('change_hidden');
    // A pasted block over both lines: dana's copy holds her line only.
    const v10 = (await adminLine(m, m10)).version;
    const v20 = (await adminLine(m, m20)).version;
    const periods = [{ period_index: 0, amount: '555.00' }];
    const paste = await http(base, 'PUT', `/budgets/${m}/periods`, admin, {
      lines: [
        { line_id: m10, version: v10, periods },
        { line_id: m20, version: v20, periods },
      ],
    });
    expect(paste.status, JSON.stringify(paste.body)).toBe(200);
    const pasted = await ds.nextOf('budget_periods_updated');
    expect(pasted.lines.map((l: { line_id: string }) => l.line_id)).toEqual([m10]);
    const s6 = pasted.sequence as number;
    await as.nextOf('budget_periods_updated', (x) => x.sequence === s6);

    // Everything dana received, on both sockets, is gapless and holds nothing of D20.
    for (const sock of [ds, batched]) {
      await sock.roundTrip();
      const got = sock.messages
        .flatMap((x) => (x.type === 'changes' ? x.changes : [x]))
        .filter((x) => typeof x.sequence === 'number' && x.type !== 'welcome');
      expect(got.map((x) => x.sequence)).toEqual(Array.from({ length: s6 - s1 + 1 }, (_, i) => s1 + i));
      const text = JSON.stringify(got);
      for (const leak of ['secret', '777.00', 'D20']) expect(text).not.toContain(leak);
    }
    // The REST replay and a reconnect's replay say the same.
    const replay = await http(base, 'GET', `/collaboration/sessions/${sid}/changes?after_sequence=0`, dana);
    expect(replay.status).toBe(200);
    const replayed = replay.body.items.filter((x: { sequence: number }) => x.sequence >= s1);
    expect(replayed.map((x: { type: string }) => x.type)).toEqual([
      'change_hidden',
      'budget_line_updated',
      'change_hidden',
      'comment_added',
      'change_hidden',
      'budget_periods_updated',
    ]);
    for (const leak of ['secret', '777.00', 'D20']) expect(JSON.stringify(replay.body)).not.toContain(leak);
    const full = await http(base, 'GET', `/collaboration/sessions/${sid}/changes?after_sequence=0`, admin);
    expect(JSON.stringify(full.body)).toContain('secret remark');
    const again = await connect(wsBase, sid, dana, `?last_sequence=${s1 - 1}`);
    const last = await again.next((x) => x.sequence === s6);
    expect(last.lines.map((l: { line_id: string }) => l.line_id)).toEqual([m10]);
    expect(JSON.stringify(again.messages)).not.toContain('secret');
    await again.close();

    // Another user's scope changing leaves dana's socket alone; her own closes it (4009) for a
    // reload, and after it she sees what the new scope holds.
    expect(
      (await http(base, 'PUT', '/users/sam/department-scope', admin, { departments: ['D10'] })).status,
    ).toBe(200);
    await ds.roundTrip();
    try {
      expect(
        (await http(base, 'PUT', '/users/dana/department-scope', admin, { departments: ['D10', 'D20'] }))
          .status,
      ).toBe(200);
      expect((await ds.closed).code).toBe(4009);
      expect(ds.all('resync_required').at(-1)).toMatchObject({ reason: 'scope_changed' });
      const wide = await join(wsBase, sid, dana);
      const s7 = await edit(m20, '888.00', 'e3');
      expect(await wide.next((x) => x.sequence === s7)).toMatchObject({
        type: 'budget_line_updated',
        line: { amount: '888.00', department_id: 'D20' },
      });
      await wide.close();
    } finally {
      const back = await http(base, 'PUT', '/users/dana/department-scope', admin, { departments: ['D10'] });
      expect(back.status).toBe(200);
    }
    await batched.close();
    await as.close();
  });
});

/** Every cell of every sheet as text (values and formula results). */
async function workbookText(bytes: Buffer): Promise<string> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const out: string[] = [];
  wb.eachSheet((ws) =>
    ws.eachRow((row) =>
      row.eachCell((cell) => {
        const v = cell.value as unknown;
        out.push(typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
      }),
    ),
  );
  return out.join('\n');
}
