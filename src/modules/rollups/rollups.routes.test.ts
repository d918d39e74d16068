import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { createBudget, insertActuals, month } from '../../../test/helpers/variance.ts';
import { API_PREFIX } from '../../platform/http/types.ts';

// Cents of a decimal string, for sums computed independently of the code under test.
const cents = (s: string) => BigInt(s.replace('.', ''));
const money = (c: bigint) => {
  const neg = c < 0n;
  const a = neg ? -c : c;
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
};

// CITY > OPS > {110, 120}, CITY > FIN > {210}, and a ragged root PARKS (a leaf at level 1).
const TREE =
  'code,name,parent_code\n110,Roads,OPS\n120,Water,OPS\n210,Treasury,FIN\nOPS,Operations,CITY\nFIN,Finance,CITY\nCITY,City,\nPARKS,Parks,\n';

describe.each(backends())('roll-ups along dimension trees on %s', (backend) => {
  let t: TestApp;
  let tenant: string;
  let admin: string;
  let budgetId: string;
  // Lines generated with odd cents, several per department; 'ZZZ' and no department are unassigned.
  const depts = ['110', '120', '210', 'OPS', 'PARKS', 'ZZZ', null];
  const lines: {
    line_name: string;
    line_type: 'revenue' | 'expense';
    department_id: string | null;
    amount: string;
  }[] = [];
  let seed = 7;
  const rnd = () => {
    seed = (seed * 48271) % 2147483647;
    return seed;
  };
  for (let i = 0; i < 42; i++) {
    const d = depts[i % depts.length]!;
    lines.push({
      line_name: `L${i}`,
      line_type: i % 5 === 0 ? 'revenue' : 'expense',
      department_id: d,
      amount: money(BigInt(rnd() % 10_000_000) + 1n),
    });
  }
  // The independent sum of the lines whose department is in `codes` (per type, and net).
  const expected = (codes: (string | null)[]) => {
    const s = { revenue: 0n, expense: 0n };
    for (const l of lines) if (codes.includes(l.department_id)) s[l.line_type] += cents(l.amount);
    return { revenue: money(s.revenue), expense: money(s.expense), net: money(s.revenue - s.expense) };
  };
  const get = (path: string, token = admin) => t.call('GET', path, token);

  beforeAll(async () => {
    t = await startTestApp(backend);
    tenant = newTenant();
    admin = await t.token(tenant);
    // Lines first, while the tenant has no tree: any code is accepted, as before trees existed.
    const b = await createBudget(
      t,
      admin,
      lines.map((l) => ({ ...l, category: 'ops', department_id: l.department_id ?? undefined })),
      { total_amount: '0.00' },
    );
    budgetId = b.id;
    const res = await t.app.inject({
      method: 'POST',
      url: `${API_PREFIX}/dimensions/department/import`,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv' },
      payload: TREE,
    });
    expect(res.statusCode, res.body).toBe(200);
  });
  afterAll(() => t?.close());

  it.each([
    [1, { CITY: ['110', '120', '210', 'OPS'], PARKS: ['PARKS'] }],
    [2, { OPS: ['110', '120', 'OPS'], FIN: ['210'], PARKS: ['PARKS'] }],
    [3, { '110': ['110'], '120': ['120'], '210': ['210'], PARKS: ['PARKS'], OPS: ['OPS'] }],
  ])(
    'level %i: each node equals an independent sum and the nodes add up to the budget exactly',
    async (level, want) => {
      const res = await get(`/budgets/${budgetId}/rollup?dimension=department&level=${level}`);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      const nodes = body.nodes as { code: string | null; kind: string; amounts: { net: string } }[];
      for (const [code, members] of Object.entries(want))
        expect(nodes.find((n) => n.code === code)?.amounts, `node ${code}`).toMatchObject(expected(members));
      const unassigned = nodes.find((n) => n.kind === 'unassigned')!;
      expect(unassigned.amounts).toMatchObject(expected(['ZZZ', null]));
      expect(body.unknown_codes).toEqual(['ZZZ']);
      const sum = nodes.reduce((s, n) => s + cents(n.amounts.net), 0n);
      expect(money(sum)).toBe(body.total.net);
      expect(body.total).toMatchObject(expected(depts));
      // ... which is the period grid's net total.
      expect(body.total.net).toBe((await get(`/budgets/${budgetId}/periods`)).json().total);
    },
  );

  it('by=quarter gives per-node buckets that add up to the node and match the grid totals', async () => {
    const body = (await get(`/budgets/${budgetId}/rollup?dimension=department&level=2&by=quarter`)).json();
    const grid = (await get(`/budgets/${budgetId}/periods?by=quarter`)).json();
    expect(body.periods.map((p: { label: string }) => p.label)).toEqual(
      grid.periods.map((p: { label: string }) => p.label),
    );
    for (const n of body.nodes)
      expect(money(n.periods.reduce((s: bigint, p: { net: string }) => s + cents(p.net), 0n))).toBe(
        n.amounts.net,
      );
    grid.periods.forEach((gp: { total: string }, k: number) => {
      const sum = body.nodes.reduce(
        (s: bigint, n: { periods: { net: string }[] }) => s + cents(n.periods[k]!.net),
        0n,
      );
      expect(money(sum)).toBe(gp.total);
    });
  });

  it("node=OPS rolls up OPS's children, its own lines as a direct node, and nothing outside", async () => {
    const body = (await get(`/budgets/${budgetId}/rollup?dimension=department&node=OPS`)).json();
    expect(body.nodes.map((n: { code: string; kind: string }) => `${n.code}:${n.kind}`)).toEqual([
      '110:member',
      '120:member',
      'OPS:direct',
    ]);
    expect(body.total).toMatchObject(expected(['110', '120', 'OPS']));
    const bad = await get(`/budgets/${budgetId}/rollup?dimension=department&node=NOPE`);
    expect(bad.statusCode).toBe(404);
    expect(bad.json().errors[0].path).toBe('query.node');
    const both = await get(`/budgets/${budgetId}/rollup?dimension=department&node=OPS&level=2`);
    expect(both.statusCode).toBe(400);
    expect(both.json().errors[0]).toMatchObject({ path: 'query.node', code: 'exclusive' });
  });

  it('variance rolls up the report’s per-line figures: nodes add up to the report’s totals', async () => {
    await insertActuals(t, tenant, [
      { period: month(1), amount: '1234.56', gl: null, category: 'ops', department: '110' },
      { period: month(1), amount: '99.99', gl: null, category: 'ops', department: '210' },
      { period: month(1), amount: '5.00', gl: null, category: 'ops', department: 'NOWHERE' },
    ]);
    const res = await get(
      `/budgets/${budgetId}/variance/rollup?dimension=department&level=2&as_of=${month(1).slice(0, 7)}`,
    );
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    const report = (await get(`/budgets/${budgetId}/variance?as_of=${month(1).slice(0, 7)}`)).json();
    for (const total of report.totals) {
      const mine = body.totals.find((x: { line_type: string }) => x.line_type === total.line_type);
      expect(mine.month).toEqual(total.month);
      expect(mine.ytd).toEqual(total.ytd);
      const ytdBudget = body.nodes.reduce(
        (s: bigint, n: { rows: { line_type: string; ytd: { budget: string } }[] }) => {
          const r = n.rows.find((x) => x.line_type === total.line_type);
          return s + (r ? cents(r.ytd.budget) : 0n);
        },
        0n,
      );
      expect(money(ytdBudget)).toBe(total.ytd.budget);
    }
    const ops = body.nodes.find((n: { code: string }) => n.code === 'OPS');
    // 110's actual (category + department) lands on 110's lines of both types; OPS holds all of it.
    const opsActual = ops.rows.reduce(
      (s: bigint, r: { ytd: { actual: string } }) => s + cents(r.ytd.actual),
      0n,
    );
    expect(money(opsActual)).toBe('1234.56');
    expect(body.unmatched).toMatchObject({ ytd_actual: '5.00', actual_rows: 1 });
  });

  it('a user scoped to a department group sees its child departments’ lines and no others', async () => {
    const put = await t.call('PUT', '/users/dana/department-scope', admin, { departments: ['OPS'] });
    expect(put.statusCode, put.body).toBe(200);
    const dana = await t.token(tenant, { user: 'dana', roles: ['planner'] });
    const seen = (await get(`/budgets/${budgetId}/lines?limit=500`, dana)).json();
    const mine = new Set(seen.items.map((l: { department_id: string }) => l.department_id));
    expect(mine).toEqual(new Set(['OPS', '110', '120']));
    expect(seen.items).toHaveLength(
      lines.filter((l) => ['OPS', '110', '120'].includes(l.department_id ?? '')).length,
    );
    const rollup = (await get(`/budgets/${budgetId}/rollup?dimension=department&level=1`, dana)).json();
    expect(rollup.total).toMatchObject(expected(['OPS', '110', '120']));
    // A line of a child department may be written; one of a sibling group may not.
    const ok = await t.call('POST', `/budgets/${budgetId}/lines`, dana, {
      line_name: 'Potholes',
      line_type: 'expense',
      category: 'ops',
      amount: '1.00',
      department_id: '120',
    });
    expect(ok.statusCode, ok.body).toBe(201);
    const refused = await t.call('POST', `/budgets/${budgetId}/lines`, dana, {
      line_name: 'Audit',
      line_type: 'expense',
      category: 'ops',
      amount: '1.00',
      department_id: '210',
    });
    expect(refused.statusCode).toBe(403);

    // Moving a department into the group widens the scope at once, also for a cached read.
    const departmentsSeen = async () =>
      new Set(
        (await get(`/budgets/${budgetId}?include_lines=true`, dana))
          .json()
          .budget_lines.map((l: { department_id: string }) => l.department_id),
      );
    expect(await departmentsSeen()).toEqual(new Set(['OPS', '110', '120']));
    expect(await departmentsSeen()).toEqual(new Set(['OPS', '110', '120']));
    const move = (parent: string) =>
      t.call('PUT', '/dimensions/department/members/210', admin, { name: 'Treasury', parent_code: parent });
    expect((await move('OPS')).statusCode).toBe(200);
    expect(await departmentsSeen()).toEqual(new Set(['OPS', '110', '120', '210']));
    expect((await move('FIN')).statusCode).toBe(200);
    expect(await departmentsSeen()).toEqual(new Set(['OPS', '110', '120']));
    await t.call('DELETE', '/users/dana/department-scope', admin);
  });

  it('with a tree, lines naming unknown members are refused, or created as roots on request', async () => {
    const res = await t.call('POST', `/budgets/${budgetId}/lines`, admin, {
      line_name: 'Typo',
      line_type: 'expense',
      category: 'ops',
      amount: '1.00',
      department_id: '1100',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ path: 'department_id', code: 'unknown_member' });
    const csv =
      'line_name,line_type,category,amount,department\nA,expense,ops,1.00,110\nB,expense,ops,2.00,999\nC,expense,ops,3.00,998\n';
    const post = (q = '') =>
      t.app.inject({
        method: 'POST',
        url: `${API_PREFIX}/budgets/${budgetId}/lines/imports${q}`,
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv' },
        payload: csv,
      });
    const rejected = await post();
    expect(rejected.statusCode).toBe(422);
    expect(rejected.json()).toMatchObject({ code: 'import_rejected', failed_rows: 2 });
    expect(rejected.json().errors.map((e: { path: string; code: string }) => `${e.path} ${e.code}`)).toEqual([
      'rows.3.department_id unknown_member',
      'rows.4.department_id unknown_member',
    ]);
    const created = await post('?create_missing_members=true');
    expect(created.statusCode, created.body).toBe(200);
    const roots = (await get('/dimensions/department/members'))
      .json()
      .items.filter((m: { depth: number }) => m.depth === 1);
    expect(roots.map((m: { code: string }) => m.code)).toEqual(expect.arrayContaining(['998', '999']));
  });

  it('tenant B gets 404 for the roll-ups of tenant A’s budget', async () => {
    const other = await t.token(newTenant());
    expect((await get(`/budgets/${budgetId}/rollup?dimension=department`, other)).statusCode).toBe(404);
    expect((await get(`/budgets/${budgetId}/variance/rollup?dimension=department`, other)).statusCode).toBe(
      404,
    );
  });
});
