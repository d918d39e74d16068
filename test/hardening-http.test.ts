/**
 * Issue 9, items 14-19 and 21, over a real listening socket with fetch: sheet names Excel
 * reserves, granting roles one does not hold, prototype-named input, slug/UUID tenant aliases,
 * deletion rules by status, cross-tenant references, and security headers.
 */
import ExcelJS from 'exceljs';
import { v5 as uuidv5 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../src/platform/auth/jwt.ts';
import { tenantIdFromKey } from '../src/platform/tenancy/tenancy.ts';
import { budgetBody, lineBody, newTenant, startTestApp, TEST_SECRET, type TestApp } from './helpers/app.ts';
import { backends } from './helpers/databases.ts';
import { http, httpBase } from './helpers/http.ts';

describe.each(backends())('hardening over real HTTP on %s', (backend) => {
  let t: TestApp;
  let base: string;
  const tenant = newTenant();
  const other = newTenant();
  let admin: string;
  let planner: string;
  let approver: string;
  let otherAdmin: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    base = await httpBase(t);
    admin = await t.token(tenant, { user: 'root' });
    planner = await t.token(tenant, { user: 'pat', roles: ['planner'] });
    approver = await t.token(tenant, { user: 'ann', roles: ['approver'] });
    otherAdmin = await t.token(other, { user: 'mallory' });
  });
  afterAll(() => t?.close());

  const createBudget = async (token: string, overrides: Record<string, unknown> = {}) => {
    const res = await http(
      base,
      'POST',
      '/budgets',
      token,
      budgetBody({ budget_lines: [lineBody()], ...overrides }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { budget_id: string; version: number; budget_name: string };
  };
  const act = async (token: string, id: string, action: string, version: number, extra = {}) => {
    const res = await http(base, 'POST', `/budgets/${id}/${action}`, token, { version, ...extra });
    expect(res.status, `${action}: ${JSON.stringify(res.body)}`).toBe(200);
    return res.body.version as number;
  };

  describe('item 14: any budget name exports', () => {
    const names = [
      'History',
      'history',
      "'Quoted'",
      "Trailing'",
      "'''",
      'A[b]c:d*e?f/g\\h',
      '[]:*?/\\',
      'Summary',
      'A name that is far longer than the thirty-one characters Excel allows',
      `${'x'.repeat(30)}'y`,
      `${'😀'.repeat(20)}`,
    ];
    it.each(names)('exports a budget named %j as a workbook with a valid sheet', async (name) => {
      // Names are unique per tenant case-insensitively: "History" and "history" need two tenants.
      const owner = await t.token(newTenant());
      const b = await createBudget(owner, { budget_name: name });
      const res = await fetch(`${base}/api/budgeting-forecasting/budgets/${b.budget_id}/export.xlsx`, {
        headers: { authorization: `Bearer ${owner}` },
      });
      expect(res.status).toBe(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
      // Fixed sheet names whatever the budget is called (the import finds Lines by name); the
      // very hidden snapshot lets a re-import tell what was exported.
      const sheets = wb.worksheets.map((w) => w.name);
      expect(sheets).toEqual(['Summary', 'Lines', 'Export snapshot']);
      expect(wb.getWorksheet('Export snapshot')!.state).toBe('veryHidden');
      // The summary still names the budget as the user wrote it.
      expect(wb.getWorksheet('Summary')!.getCell('A2').value).toBe(name.trim());
      const lines = wb.getWorksheet('Lines')!;
      const nameCol = (lines.getRow(1).values as unknown[]).map(String).indexOf('Line');
      expect(lines.getRow(2).getCell(nameCol).value).toBe('Salaries');
    });
  });

  describe('item 15: nobody grants what they do not hold', () => {
    it('refuses admin (and approver) to a users:manage-only token with 403 naming the role', async () => {
      const manager = await t.token(tenant, { user: 'hr', permissions: ['users:manage'] });
      const body = (roles: string[]) => ({
        email: `u${Math.random()}@x.test`,
        password: 'a-long-password-1',
        roles,
      });
      const res = await http(base, 'POST', '/users', manager, body(['viewer', 'admin']));
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('grant_not_allowed');
      // A viewer's permissions are not held either: both roles are named.
      expect(res.body.errors).toEqual([
        expect.objectContaining({
          path: 'roles.0',
          code: 'role_not_held',
          message: expect.stringContaining('"viewer"'),
        }),
        expect.objectContaining({
          path: 'roles.1',
          code: 'role_not_held',
          message: expect.stringContaining('"admin"'),
        }),
      ]);
      // A planner with users:manage may grant planner and viewer, not approver.
      const lead = await t.token(tenant, { user: 'lead', roles: ['planner'], permissions: ['users:manage'] });
      expect((await http(base, 'POST', '/users', lead, body(['planner', 'viewer']))).status).toBe(201);
      const up = await http(base, 'POST', '/users', lead, body(['approver']));
      expect(up.status).toBe(403);
      expect(up.body.errors[0]).toMatchObject({
        path: 'roles.0',
        message: expect.stringContaining('budgets:approve'),
      });
      // An admin may grant admin.
      expect((await http(base, 'POST', '/users', admin, body(['admin']))).status).toBe(201);
    });
  });

  describe('item 16: names of Object properties are plain strings', () => {
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
    it('a token whose roles and permissions are prototype names is a token without permissions, not a 500', async () => {
      for (const name of names) {
        const token = await signToken(
          TEST_SECRET,
          { sub: 'proto', tenant_id: tenant, roles: [name, 'viewer'], permissions: [name] },
          600,
        );
        const me = await http(base, 'GET', '/auth/me', token);
        expect(me.status, name).toBe(200);
        expect(me.body.permissions).toContain('budgets:read');
        expect(me.body.permissions).not.toContain('budgets:write');
        expect((await http(base, 'GET', '/budgets', token)).status, name).toBe(200);
        expect((await http(base, 'POST', '/budgets', token, budgetBody())).status, name).toBe(403);
        const alone = await signToken(
          TEST_SECRET,
          { sub: 'p', tenant_id: tenant, roles: [name], permissions: [] },
          600,
        );
        expect((await http(base, 'GET', '/budgets', alone)).status, name).toBe(403);
      }
    });

    it('answers 4xx (never 500) to prototype names in body fields and query keys', async () => {
      for (const name of names) {
        const role = await http(base, 'POST', '/users', admin, {
          email: `p${Math.random()}@x.test`,
          password: 'a-long-password-1',
          roles: [name],
        });
        expect(role.status, name).toBe(400);
        const type = await http(base, 'POST', '/budgets', admin, budgetBody({ budget_type: name }));
        expect(type.status, name).toBe(400);
        expect((await http(base, 'GET', `/budgets?${name}=1`, admin)).status, name).toBe(400);
        expect((await http(base, 'GET', `/budgets?status=${name}`, admin)).status, name).toBe(400);
      }
      // A body with a __proto__ key is refused by the JSON parser; other prototype names are data.
      const proto = JSON.stringify(budgetBody()).replace(/}$/, ',"metadata":{"__proto__":{"x":1}}}');
      const refused = await http(base, 'POST', '/budgets', admin, proto);
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('invalid_json_body');
      const meta = budgetBody({ metadata: { constructor: 'c', toString: 't' } });
      const res = await http(base, 'POST', '/budgets', admin, meta);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.metadata).toEqual({ constructor: 'c', toString: 't' });
    });
  });

  describe('item 17: one identifier per tenant', () => {
    it('refuses the UUIDv5 form of a slug tenant (and the slug of a UUID-registered one) with 401', async () => {
      const slug = `acme-${Math.random().toString(36).slice(2)}`;
      const bySlug = await t.token(slug, { user: 'a' });
      const b = await createBudget(bySlug);
      const alias = tenantIdFromKey(slug);
      expect(alias).toBe(uuidv5(slug, '3f1c2b9e-8a4d-5e6f-9b0a-1c2d3e4f5a6b'));
      const byUuid = await t.token(alias, { user: 'a' });
      const read = await http(base, 'GET', `/budgets/${b.budget_id}`, byUuid);
      expect(read.status).toBe(401);
      expect(read.body.message).toContain('registered under another identifier');
      expect((await http(base, 'GET', '/budgets', await t.token(alias.toUpperCase()))).status).toBe(401);
      // The slug keeps working.
      expect((await http(base, 'GET', `/budgets/${b.budget_id}`, bySlug)).status).toBe(200);
      // A tenant registered by its UUID accepts it in any case.
      const uuidTenant = '0190a0c0-1111-7222-8333-444455556666';
      expect((await http(base, 'GET', '/budgets', await t.token(uuidTenant))).status).toBe(200);
      expect((await http(base, 'GET', '/budgets', await t.token(uuidTenant.toUpperCase()))).status).toBe(200);
    });
  });

  describe('item 18: who may delete in which status', () => {
    it('draft and rejected: budgets:delete; under_review/approved/active: needs budgets:approve', async () => {
      const draft = await createBudget(planner);
      expect((await http(base, 'DELETE', `/budgets/${draft.budget_id}`, planner)).status).toBe(200);

      const b = await createBudget(planner);
      let v = await act(planner, b.budget_id, 'submit', b.version);
      const review = await http(base, 'DELETE', `/budgets/${b.budget_id}`, planner);
      expect(review.status).toBe(403);
      expect(review.body).toMatchObject({ code: 'forbidden', status: 'under_review' });
      expect(review.body.errors[0].message).toContain('budgets:approve');
      v = await act(approver, b.budget_id, 'approve', v);
      const approved = await http(base, 'DELETE', `/budgets/${b.budget_id}`, planner);
      expect(approved.status).toBe(403);
      expect(approved.body.status).toBe('approved');
      // The name stays taken: the budget is still there.
      const dup = await http(base, 'POST', '/budgets', planner, budgetBody({ budget_name: b.budget_name }));
      expect(dup.status).toBe(409);
      expect((await http(base, 'DELETE', `/budgets/${b.budget_id}`, approver)).status).toBe(200);

      const r = await createBudget(planner);
      const rv = await act(planner, r.budget_id, 'submit', r.version);
      await act(approver, r.budget_id, 'reject', rv, { reason: 'no' });
      expect((await http(base, 'DELETE', `/budgets/${r.budget_id}`, planner)).status).toBe(200);
    });

    it('locked and archived: refused for everyone, admins and hard deletes included, with 422 naming the status', async () => {
      const a = await createBudget(planner);
      await act(planner, a.budget_id, 'archive', a.version);
      for (const [token, query] of [
        [planner, ''],
        [approver, ''],
        [admin, ''],
        [admin, '?soft_delete=false'],
      ] as const) {
        const res = await http(base, 'DELETE', `/budgets/${a.budget_id}${query}`, token);
        expect(res.status).toBe(422);
        expect(res.body).toMatchObject({ code: 'budget_archived', status: 'archived' });
        expect(res.body.errors[0]).toMatchObject({ path: 'status' });
      }
      const l = await createBudget(planner);
      let v = await act(planner, l.budget_id, 'submit', l.version);
      v = await act(approver, l.budget_id, 'approve', v);
      await act(approver, l.budget_id, 'lock', v);
      const locked = await http(base, 'DELETE', `/budgets/${l.budget_id}?soft_delete=false`, admin);
      expect(locked.status).toBe(422);
      expect(locked.body).toMatchObject({ code: 'budget_locked', status: 'locked' });
    });

    it('a hard delete needs budgets:hard_delete (admins only)', async () => {
      const b = await createBudget(planner);
      expect((await http(base, 'DELETE', `/budgets/${b.budget_id}?soft_delete=false`, approver)).status).toBe(
        403,
      );
      expect((await http(base, 'DELETE', `/budgets/${b.budget_id}?soft_delete=false`, admin)).status).toBe(
        200,
      );
    });
  });

  describe("item 19: another tenant's ids never resolve", () => {
    it("refuses another tenant's template_id (and an unknown one) on POST /budgets with 422 naming template_id", async () => {
      const tpl = await http(base, 'POST', '/templates', otherAdmin, {
        name: 'Foreign template',
        lines: [lineBody()],
      });
      expect(tpl.status).toBe(201);
      const foreign = await http(
        base,
        'POST',
        '/budgets',
        admin,
        budgetBody({ template_id: tpl.body.template_id, template_version: 1 }),
      );
      expect(foreign.status).toBe(422);
      expect(foreign.body.errors[0]).toMatchObject({ path: 'template_id', code: 'unknown_reference' });
      const made = await http(
        base,
        'POST',
        '/budgets',
        admin,
        budgetBody({ template_id: 'not-a-uuid', template_version: 1 }),
      );
      expect(made.status).toBe(422);
      // The owner may cite it; a version it does not have is refused.
      const own = budgetBody({ template_id: tpl.body.template_id, template_version: 1 });
      expect((await http(base, 'POST', '/budgets', otherAdmin, own)).status).toBe(201);
      const v9 = budgetBody({ template_id: tpl.body.template_id, template_version: 9 });
      expect((await http(base, 'POST', '/budgets', otherAdmin, v9)).status).toBe(422);
    });

    it("refuses another tenant's budget and line ids in sessions, scenarios, forecasting and comments, naming the field", async () => {
      const foreign = await createBudget(otherAdmin);
      const foreignLine = (await http(base, 'GET', `/budgets/${foreign.budget_id}/lines`, otherAdmin)).body
        .items[0].line_id as string;
      const mine = await createBudget(admin);

      const session = await http(base, 'POST', '/collaboration/sessions', admin, {
        session_name: 'x',
        budget_id: foreign.budget_id,
      });
      expect(session.status).toBe(404);
      expect(session.body.errors[0].path).toBe('budget_id');

      const scenario = await http(base, 'POST', `/budgets/${foreign.budget_id}/scenarios`, admin, {
        name: 'x',
        adjustments: [],
      });
      expect(scenario.status).toBe(404);

      const model = await http(base, 'POST', '/forecasting/models', admin, { name: 'm', algorithm: 'ets' });
      expect(model.status).toBe(201);
      const train = await http(base, 'POST', `/forecasting/models/${model.body.model_id}/train`, admin, {
        source: 'actuals',
        group_by: 'category',
        key: 'people',
        budget_id: foreign.budget_id,
      });
      expect(train.status).toBe(404);
      expect(train.body.errors[0].path).toBe('budget_id');

      const comment = await http(base, 'POST', `/budgets/${mine.budget_id}/comments`, admin, {
        body: 'x',
        line_id: foreignLine,
      });
      expect(comment.status).toBe(404);
      expect(comment.body.errors[0].path).toBe('line_id');

      const put = await http(base, 'PUT', `/budgets/${mine.budget_id}/lines/${foreignLine}`, admin, {
        amount: '1.00',
        version: 1,
      });
      expect(put.status).toBe(404);
    });
  });

  describe('item 21: security headers', () => {
    it('API JSON carries no-store, nosniff, frame-ancestors none; /docs renders its HTML under the CSP', async () => {
      const me = await http(base, 'GET', '/auth/me', admin);
      expect(me.status).toBe(200);
      expect(me.headers.get('cache-control')).toBe('no-store');
      expect(me.headers.get('x-content-type-options')).toBe('nosniff');
      expect(me.headers.get('x-frame-options')).toBe('DENY');
      const csp = me.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('upgrade-insecure-requests');
      // Errors too.
      const denied = await http(base, 'GET', '/auth/me');
      expect(denied.status).toBe(401);
      expect(denied.headers.get('cache-control')).toBe('no-store');
      expect(denied.headers.get('x-content-type-options')).toBe('nosniff');

      const docs = await fetch(`${base}/docs/`, { redirect: 'follow' });
      expect(docs.status).toBe(200);
      const html = await docs.text();
      expect(html).toContain('<div id="swagger-ui">');
      const docsCsp = docs.headers.get('content-security-policy') ?? '';
      expect(docsCsp).toContain("frame-ancestors 'none'");
      expect(docs.headers.get('x-frame-options')).toBe('DENY');
      // Every script the page loads is a same-origin file (no inline script to be blocked).
      const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attrs, body] of scripts) {
        expect(attrs).toMatch(/src="\.\//);
        expect(body!.trim()).toBe('');
      }
      const init = await fetch(`${base}/docs/static/swagger-initializer.js`);
      expect(init.status).toBe(200);
      expect(init.headers.get('cache-control')).not.toBe('no-store');
    });
  });
});
