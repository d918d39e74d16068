import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { queryRows } from '../../platform/db/client.ts';
import { pgError } from '../../platform/db/errors.ts';
import { API_PREFIX } from '../../platform/http/types.ts';
import { tenantIdFromKey, withTenant } from '../../platform/tenancy/tenancy.ts';

describe.each(backends())('dimension trees on %s', (backend) => {
  let t: TestApp;
  let tenant: string;
  let admin: string;

  const importCsv = (dimension: string, csv: string, token = admin, query = '') =>
    t.app.inject({
      method: 'POST',
      url: `${API_PREFIX}/dimensions/${dimension}/import${query}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      payload: csv,
    });
  const members = async (dimension: string, token = admin) =>
    (await t.call('GET', `/dimensions/${dimension}/members`, token)).json();

  beforeAll(async () => {
    t = await startTestApp(backend);
    tenant = newTenant();
    admin = await t.token(tenant);
  });
  afterAll(() => t?.close());

  it('imports a tree whose children come before their parents, with depth and path', async () => {
    const res = await importCsv(
      'department',
      'code,name,parent_code\n110,Roads,OPS\n120,Parks,OPS\nOPS,Operations,CITY\nCITY,City,\nFIN,Finance,CITY\n',
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ rows: 5, created: 5, updated: 0, unchanged: 0 });
    const list = await members('department');
    expect(
      list.items.map((m: { code: string; depth: number; path: string[] }) => [
        m.code,
        m.depth,
        m.path.join('/'),
      ]),
    ).toEqual([
      ['CITY', 1, 'CITY'],
      ['FIN', 2, 'CITY/FIN'],
      ['OPS', 2, 'CITY/OPS'],
      ['110', 3, 'CITY/OPS/110'],
      ['120', 3, 'CITY/OPS/120'],
    ]);
    expect(list.items[0]).toMatchObject({
      children_count: 2,
      parent_code: null,
      account_type: null,
      version: 1,
    });
    const tree = (await t.call('GET', '/dimensions/department/members?tree=true', admin)).json();
    expect(tree.roots).toHaveLength(1);
    expect(tree.roots[0].children.map((c: { code: string }) => c.code)).toEqual(['FIN', 'OPS']);
    expect(tree.roots[0].children[1].children.map((c: { code: string }) => c.code)).toEqual(['110', '120']);
  });

  it('re-importing the same file changes nothing; a changed name updates one member', async () => {
    const res = await importCsv(
      'department',
      'code,name,parent_code\nCITY,City,\nOPS,Operations & Works,CITY\n',
    );
    expect(res.json()).toMatchObject({ rows: 2, created: 0, updated: 1, unchanged: 1 });
    expect((await members('department')).items.find((m: { code: string }) => m.code === 'OPS')).toMatchObject(
      {
        name: 'Operations & Works',
        version: 2,
      },
    );
  });

  it('a bad file stores nothing and names each row, column and rule, counting the failed rows', async () => {
    const before = await members('gl_account');
    const res = await importCsv(
      'gl_account',
      'code,name,parent_code,account_type\n5000,Expenses,,expense\n5100,Salaries,5000,expense\n5200,Travel,5999,expense\n5300,Supplies,5000,\n5400,Rent,5000,cost\n5100,Again,5000,expense\n',
    );
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.code).toBe('import_rejected');
    expect(body.failed_rows).toBe(3);
    expect(body.message).toContain('3 rows failed');
    expect(body.errors.map((e: { path: string; code: string }) => `${e.path} ${e.code}`)).toEqual([
      'rows.5.account_type required',
      'rows.6.account_type invalid_value',
      'rows.7.code duplicate_code',
    ]);
    expect(await members('gl_account')).toEqual(before);
    // The tree rules are checked over the whole file too: unknown parents.
    const orphan = await importCsv(
      'gl_account',
      'code,name,parent_code,account_type\n5200,Travel,5999,expense\n',
    );
    expect(orphan.json().errors[0]).toMatchObject({ path: 'rows.2.parent_code', code: 'unknown_parent' });
  });

  it('refuses a cycle made in a file, through the existing tree, or by a PUT (422 naming parent_code)', async () => {
    const inFile = await importCsv('cost_center', 'code,name,parent_code\nA,A,B\nB,B,C\nC,C,A\n');
    expect(inFile.statusCode).toBe(422);
    expect(inFile.json().errors[0]).toMatchObject({ path: 'rows.2.parent_code', code: 'dimension_cycle' });
    // CITY > OPS > 110 exists: moving CITY under 110 is a cycle.
    const throughTree = await importCsv('department', 'code,name,parent_code\nCITY,City,110\n');
    expect(throughTree.json().errors[0]).toMatchObject({
      path: 'rows.2.parent_code',
      code: 'dimension_cycle',
    });
    const put = await t.call('PUT', '/dimensions/department/members/OPS', admin, {
      name: 'Ops',
      parent_code: '120',
    });
    expect(put.statusCode).toBe(422);
    expect(put.json()).toMatchObject({ code: 'dimension_cycle', errors: [{ path: 'parent_code' }] });
    expect(put.json().message).toContain('OPS → 120 → OPS');
  });

  it('the database refuses, around the service, a cycle, an unknown parent and orphaning children (triggers)', async () => {
    const db = t.platform.database.db;
    const refusal = (statement: ReturnType<typeof sql>) =>
      withTenant(db, tenantIdFromKey(tenant), (tx) => tx.execute(statement)).then(
        () => 'written',
        (e: unknown) => pgError(e)?.message ?? String(e),
      );
    expect(
      await refusal(
        sql`UPDATE dimension_members SET parent_code = '110' WHERE dimension = 'department' AND code = 'CITY'`,
      ),
    ).toMatch(/^dimension_cycle: department member CITY/);
    expect(
      await refusal(
        sql`UPDATE dimension_members SET parent_code = 'NOPE' WHERE dimension = 'department' AND code = 'FIN'`,
      ),
    ).toMatch(/^unknown_parent: department member FIN names parent NOPE/);
    expect(
      await refusal(sql`DELETE FROM dimension_members WHERE dimension = 'department' AND code = 'OPS'`),
    ).toMatch(/^member_has_children: department member OPS/);
    const list = await members('department');
    expect(list.items.find((m: { code: string }) => m.code === 'CITY').parent_code).toBeNull();
    expect(list.count).toBe(5);
  });

  it('PUT creates (201) and updates (200) with optimistic versions; gl accounts need an account type', async () => {
    const created = await t.call('PUT', '/dimensions/department/members/130', admin, {
      name: 'Water',
      parent_code: 'OPS',
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ code: '130', depth: 3, path: ['CITY', 'OPS', '130'], version: 1 });
    const stale = await t.call('PUT', '/dimensions/department/members/130', admin, {
      name: 'W',
      parent_code: 'OPS',
      version: 7,
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'version_conflict', current_version: 1 });
    const ok = await t.call('PUT', '/dimensions/department/members/130', admin, {
      name: 'Water',
      parent_code: 'FIN',
      version: 1,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ path: ['CITY', 'FIN', '130'], version: 2 });
    const noType = await t.call('PUT', '/dimensions/gl_account/members/4000', admin, { name: 'Revenue' });
    expect(noType.statusCode).toBe(400);
    expect(noType.json().errors[0]).toMatchObject({ path: 'account_type', code: 'required' });
    const typeOnDept = await t.call('PUT', '/dimensions/department/members/140', admin, {
      name: 'X',
      account_type: 'expense',
    });
    expect(typeOnDept.json().errors[0]).toMatchObject({ path: 'account_type', code: 'not_allowed' });
    const badDim = await t.call('GET', '/dimensions/program/members', admin);
    expect(badDim.statusCode).toBe(400);
    expect(badDim.json().errors[0].path).toContain('dimension');
    const unknownParent = await t.call('PUT', '/dimensions/department/members/150', admin, {
      name: 'X',
      parent_code: 'ZZZ',
    });
    expect(unknownParent.statusCode).toBe(422);
    expect(unknownParent.json()).toMatchObject({ code: 'unknown_parent', errors: [{ path: 'parent_code' }] });
  });

  it('DELETE refuses a member with children (409 naming them) unless cascade, and one lines still use', async () => {
    const refused = await t.call('DELETE', '/dimensions/department/members/FIN', admin);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'member_has_children', errors: [{ path: 'params.code' }] });
    expect(refused.json().message).toContain('130');
    const budget = await t.call('POST', '/budgets', admin, {
      budget_name: 'Uses 130',
      budget_type: 'annual',
      fiscal_year: String(new Date().getUTCFullYear() + 1),
      total_amount: '0.00',
      base_currency: 'USD',
    });
    expect(budget.statusCode, budget.body).toBe(201);
    const line = await t.call('POST', `/budgets/${budget.json().budget_id}/lines`, admin, {
      line_name: 'Pumps',
      line_type: 'expense',
      category: 'ops',
      amount: '10.00',
      department_id: '130',
    });
    expect(line.statusCode, line.body).toBe(201);
    const inUse = await t.call('DELETE', '/dimensions/department/members/FIN?cascade=true', admin);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json()).toMatchObject({ code: 'member_in_use', references: { lines: 1 } });
    await t.call(
      'DELETE',
      `/budgets/${budget.json().budget_id}/lines/${line.json().line_id}?soft_delete=false`,
      admin,
    );
    const cascaded = await t.call('DELETE', '/dimensions/department/members/FIN?cascade=true', admin);
    expect(cascaded.statusCode, cascaded.body).toBe(200);
    expect(cascaded.json().deleted).toEqual(['130', 'FIN']);
  });

  it('reading needs budgets:read, writing dimensions:manage; every change is audited', async () => {
    const viewer = await t.token(tenant, { roles: ['viewer'] });
    expect((await t.call('GET', '/dimensions/department/members', viewer)).statusCode).toBe(200);
    const put = await t.call('PUT', '/dimensions/department/members/X', viewer, { name: 'X' });
    expect(put.statusCode).toBe(403);
    expect(put.json().errors[0]).toMatchObject({
      path: 'permissions',
      message: expect.stringContaining('dimensions:manage'),
    });
    expect((await importCsv('department', 'code,name\nX,X\n', viewer)).statusCode).toBe(403);
    const audit = await withTenant(t.platform.database.db, tenantIdFromKey(tenant), (tx) =>
      queryRows<{ action: string }>(
        tx,
        sql`SELECT action FROM audit_log WHERE entity_type = 'dimension_member'`,
      ),
    );
    expect(new Set(audit.map((a) => a.action))).toEqual(
      new Set([
        'dimension_member.imported',
        'dimension_member.created',
        'dimension_member.updated',
        'dimension_member.deleted',
      ]),
    );
  });

  it('tenant B neither reads nor writes tenant A’s members', async () => {
    const other = await t.token(newTenant());
    expect((await members('department', other)).items).toEqual([]);
    expect((await t.call('DELETE', '/dimensions/department/members/CITY', other)).statusCode).toBe(404);
    const put = await t.call('PUT', '/dimensions/department/members/ZZ', other, {
      name: 'Z',
      parent_code: 'CITY',
    });
    expect(put.statusCode).toBe(422);
    expect(put.json().code).toBe('unknown_parent');
    // B's own member of the same code is B's: A's is untouched.
    expect(
      (await t.call('PUT', '/dimensions/department/members/CITY', other, { name: 'B city' })).statusCode,
    ).toBe(201);
    expect((await members('department')).items[0]).toMatchObject({ code: 'CITY', name: 'City' });
    const rls = await queryRows<{ r: boolean; f: boolean; policies: string }>(
      t.platform.database.db,
      sql`SELECT c.relrowsecurity r, c.relforcerowsecurity f,
            (SELECT string_agg(policyname, ',') FROM pg_policies p WHERE p.tablename = 'dimension_members') AS policies
          FROM pg_class c WHERE c.relname = 'dimension_members'`,
    );
    expect(rls).toEqual([{ r: true, f: true, policies: 'tenant_isolation' }]);
  });

  it('loads a tree of 10,000 members fast (import and list)', async () => {
    const rows = ['code,name,parent_code'];
    // 10 groups x 10 departments x 99 units (+ 110 parents) = 10,010 members, children listed first.
    for (let g = 0; g < 10; g++)
      for (let d = 0; d < 10; d++) for (let u = 0; u < 99; u++) rows.push(`U${g}-${d}-${u},Unit,D${g}-${d}`);
    for (let g = 0; g < 10; g++) for (let d = 0; d < 10; d++) rows.push(`D${g}-${d},Dept,G${g}`);
    for (let g = 0; g < 10; g++) rows.push(`G${g},Group,`);
    const big = await t.token(newTenant());
    const started = Date.now();
    const res = await importCsv('fund', `${rows.join('\n')}\n`, big);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().created).toBe(10_010);
    const list = await members('fund', big);
    const elapsed = Date.now() - started;
    expect(list.count).toBe(10_010);
    expect(list.items.at(-1)).toMatchObject({ depth: 3, path: ['G9', 'D9-9', 'U9-9-98'] });
    expect(elapsed).toBeLessThan(20_000);
  }, 60_000);
});
