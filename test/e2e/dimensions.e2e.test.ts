/**
 * Black-box: dimension trees and the roll-ups along them, over real HTTP against `npm start` in a
 * child process: a CSV tree import (children before parents; a bad file stores nothing), the
 * nested tree, lines checked against the tree, a budget rolled up exactly to the cent at each
 * level and per quarter, and another tenant that sees none of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type E2eServer,
  e2eBackends,
  printOutputOnFailure,
  START_TIMEOUT_MS,
  startServer,
} from './server.ts';

const YEAR = String(new Date().getUTCFullYear() + 1);
// CITY > OPS > {110, 120}; CITY > FIN > 210; children listed before their parents.
const TREE =
  'code,name,parent_code\n110,Roads,OPS\n120,Water,OPS\n210,Treasury,FIN\nOPS,Operations,CITY\nFIN,Finance,CITY\nCITY,City,\n';

const cents = (s: string) => BigInt(s.replace('.', ''));
const money = (c: bigint) => {
  const a = c < 0n ? -c : c;
  return `${c < 0n ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
};

describe.each(e2eBackends())('dimensions and roll-ups over HTTP on %s', (backend) => {
  let s: E2eServer;
  let admin: string;
  let budgetId: string;
  printOutputOnFailure(() => s);
  // Odd cents, several lines per department, one with no department (unassigned).
  const lines = Array.from({ length: 24 }, (_, i) => ({
    line_name: `Line ${i}`,
    line_type: 'expense',
    category: 'ops',
    amount: `${1000 + i * 37}.${String((i * 13) % 100).padStart(2, '0')}`,
    department_id: (['110', '120', '210', 'OPS', null] as const)[i % 5] ?? null,
  }));
  const sum = (depts: (string | null)[]) =>
    money(lines.filter((l) => depts.includes(l.department_id)).reduce((a, l) => a + cents(l.amount), 0n));

  beforeAll(async () => {
    s = await startServer(backend, { redisDb: 8 });
    admin = await s.token();
  }, START_TIMEOUT_MS);
  afterAll(() => s?.stop());

  it('imports a tree from CSV in one transaction, and a file with a cycle stores nothing', async () => {
    const bad = await s.call('POST', '/dimensions/department/import', {
      token: admin,
      body: 'code,name,parent_code\nA,A,B\nB,B,A\nC,C,\n',
      contentType: 'text/csv',
    });
    expect(bad.status, bad.text).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    expect(JSON.stringify(bad.json.errors)).toMatch(/rows\.\d+\.parent_code/);
    const none = await s.call('GET', '/dimensions/department/members', { token: admin });
    expect(none.json.count).toBe(0);

    const res = await s.call('POST', '/dimensions/department/import', {
      token: admin,
      body: TREE,
      contentType: 'text/csv',
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ rows: 6, created: 6, updated: 0 });
    const tree = await s.call('GET', '/dimensions/department/members?tree=true', { token: admin });
    expect(tree.status).toBe(200);
    expect(tree.json.roots.map((r: { code: string }) => r.code)).toEqual(['CITY']);
    const flat = await s.call('GET', '/dimensions/department/members', { token: admin });
    expect(flat.json.items.find((m: { code: string }) => m.code === '110')).toMatchObject({
      depth: 3,
      path: ['CITY', 'OPS', '110'],
    });
  });

  it('refuses a line naming a department that is not in the tree, naming the field', async () => {
    const res = await s.call('POST', '/budgets', {
      token: admin,
      json: {
        budget_name: 'Typo budget',
        budget_type: 'annual',
        fiscal_year: YEAR,
        total_amount: '0.00',
        base_currency: 'USD',
        department_id: 'OPS',
      },
    });
    expect(res.status, res.text).toBe(201);
    const line = await s.call('POST', `/budgets/${res.json.budget_id}/lines`, {
      token: admin,
      json: {
        line_name: 'Typo',
        line_type: 'expense',
        category: 'ops',
        amount: '1.00',
        department_id: '999',
      },
    });
    expect(line.status).toBe(400);
    expect(line.json.errors[0]).toMatchObject({ path: 'department_id', code: 'unknown_member' });
  });

  it('rolls a budget up at every level and per quarter, exactly to the cent', async () => {
    const created = await s.call('POST', '/budgets', {
      token: admin,
      json: {
        budget_name: 'City budget',
        budget_type: 'annual',
        fiscal_year: YEAR,
        total_amount: '0.00',
        base_currency: 'USD',
        budget_lines: lines.map(({ department_id, ...l }) => (department_id ? { ...l, department_id } : l)),
      },
    });
    expect(created.status, created.text).toBe(201);
    budgetId = created.json.budget_id;
    const expected: Record<number, Record<string, (string | null)[]>> = {
      1: { CITY: ['110', '120', '210', 'OPS'] },
      2: { OPS: ['110', '120', 'OPS'], FIN: ['210'] },
      3: { '110': ['110'], '120': ['120'], '210': ['210'], OPS: ['OPS'] },
    };
    for (const [level, nodes] of Object.entries(expected)) {
      const res = await s.call('GET', `/budgets/${budgetId}/rollup?dimension=department&level=${level}`, {
        token: admin,
      });
      expect(res.status, res.text).toBe(200);
      for (const [code, depts] of Object.entries(nodes)) {
        const node = res.json.nodes.find((n: { code: string | null }) => n.code === code);
        expect(node?.amounts.expense, `level ${level} node ${code}`).toBe(sum(depts));
      }
      const unassigned = res.json.nodes.find((n: { kind: string }) => n.kind === 'unassigned');
      expect(unassigned.amounts.expense).toBe(sum([null]));
      expect(res.json.total.expense).toBe(sum(['110', '120', '210', 'OPS', null]));
    }
    const quarters = await s.call(
      'GET',
      `/budgets/${budgetId}/rollup?dimension=department&level=2&by=quarter`,
      {
        token: admin,
      },
    );
    expect(quarters.status, quarters.text).toBe(200);
    for (const node of quarters.json.nodes as { amounts: { net: string }; periods: { net: string }[] }[]) {
      expect(node.periods).toHaveLength(4);
      expect(money(node.periods.reduce((a, p) => a + cents(p.net), 0n))).toBe(node.amounts.net);
    }
    const variance = await s.call(
      'GET',
      `/budgets/${budgetId}/variance/rollup?dimension=department&level=2`,
      {
        token: admin,
      },
    );
    expect(variance.status, variance.text).toBe(200);
  });

  it('shows another tenant none of it: no members, and 404 for the budget’s roll-ups', async () => {
    const other = await s.token({ tenant: 'dimensions-other-tenant' });
    const members = await s.call('GET', '/dimensions/department/members', { token: other });
    expect(members.status).toBe(200);
    expect(members.json.count).toBe(0);
    for (const path of [
      `/budgets/${budgetId}/rollup?dimension=department&level=1`,
      `/budgets/${budgetId}/variance/rollup?dimension=department&level=1`,
    ])
      expect((await s.call('GET', path, { token: other })).status).toBe(404);
    const put = await s.call('PUT', '/dimensions/department/members/110', {
      token: other,
      json: { name: 'Hijacked' },
    });
    expect(put.status, put.text).toBe(201); // its own tenant's member, not ours
    const ours = await s.call('GET', '/dimensions/department/members', { token: admin });
    expect(ours.json.items.find((m: { code: string }) => m.code === '110').name).toBe('Roads');
  });
});
