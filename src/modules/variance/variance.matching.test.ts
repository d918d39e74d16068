/**
 * Dimension-aware matching on a generated ledger: several departments share GL accounts, and
 * each department's matched actual must equal its own actuals to the cent (expected sums are
 * computed here from the generated rows, not by the code under test).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { type ActualInput, createBudget, insertActuals, month } from '../../../test/helpers/variance.ts';
import { Decimal } from '../../shared/money.ts';

const M = (m: number) => month(m).slice(0, 7);
const DEPTS = ['D01', 'D02', 'D03', 'D04', 'D05'];
const SHARED_GLS = ['5100', '5200', '5300'];

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Generated {
  lines: Record<string, unknown>[];
  actuals: (ActualInput & { expect: { dept: string | null; level: number | null } })[];
}

/** Lines: every department budgets the shared accounts; D01 has two lines on one full key. */
function generate(seed: number): Generated {
  const r = rng(seed);
  const cents = (min: number, max: number) => {
    const c = Math.floor(min * 100 + r() * (max - min) * 100);
    return new Decimal(c).div(100).toFixed(2);
  };
  const lines: Record<string, unknown>[] = [];
  for (const d of DEPTS) {
    for (const gl of SHARED_GLS)
      lines.push({
        line_name: `${d} ${gl}`,
        line_type: 'expense',
        category: 'people',
        department_id: d,
        gl_account_id: gl,
        // GL 5100 is budgeted per cost centre; the others per department.
        cost_center_id: gl === '5100' ? `${d}-CC1` : null,
        amount: cents(10_000, 500_000),
      });
  }
  lines.push({
    line_name: 'D01 5100 bonus',
    line_type: 'expense',
    category: 'people',
    department_id: 'D01',
    gl_account_id: '5100',
    cost_center_id: 'D01-CC1',
    amount: cents(10_000, 90_000),
  });
  lines.push({
    line_name: 'D01 5900',
    line_type: 'expense',
    category: 'it',
    department_id: 'D01',
    gl_account_id: '5900',
    amount: '12000.00',
  });
  lines.push({
    line_name: 'Insurance',
    line_type: 'expense',
    category: 'risk',
    gl_account_id: '7000',
    amount: '24000.00',
  });
  lines.push({
    line_name: 'D02 travel',
    line_type: 'expense',
    category: 'travel',
    department_id: 'D02',
    amount: '6000.00',
  });

  const actuals: Generated['actuals'] = [];
  for (let m = 1; m <= 3; m++) {
    for (const d of DEPTS) {
      for (const gl of SHARED_GLS) {
        // Some postings are credits (negative), some name a cost centre no line carries.
        const sign = r() < 0.15 ? '-' : '';
        const amount = `${sign}${cents(100, 40_000)}`;
        const cc = gl === '5100' ? (r() < 0.7 ? `${d}-CC1` : `${d}-CC9`) : r() < 0.5 ? `${d}-CC2` : null;
        const level = gl === '5100' && cc === `${d}-CC1` ? 1 : 2;
        actuals.push({
          period: month(m),
          gl,
          department: d,
          costCenter: cc,
          amount,
          expect: { dept: d, level },
        });
      }
    }
    // GL 5900 is only D01's: D03's posting on it must not move to D01.
    actuals.push({
      period: month(m),
      gl: '5900',
      department: 'D03',
      amount: cents(1, 999),
      expect: { dept: null, level: null },
    });
    actuals.push({
      period: month(m),
      gl: '5900',
      department: 'D01',
      amount: cents(1, 999),
      expect: { dept: 'D01', level: 2 },
    });
    // A company-wide line (no department) takes its account's postings, named department or not.
    actuals.push({ period: month(m), gl: '7000', amount: cents(1, 3000), expect: { dept: '', level: 3 } });
    actuals.push({
      period: month(m),
      gl: '7000',
      department: 'D04',
      amount: cents(1, 3000),
      expect: { dept: '', level: 3 },
    });
    // No GL account: category + department.
    actuals.push({
      period: month(m),
      category: 'travel',
      department: 'D02',
      amount: cents(1, 800),
      expect: { dept: 'D02', level: 4 },
    });
    // A department no line names, on a shared account: unmatched.
    actuals.push({
      period: month(m),
      gl: '5100',
      department: 'D99',
      amount: cents(1, 800),
      expect: { dept: null, level: null },
    });
  }
  return { lines, actuals };
}

const sum = (xs: { amount: string }[]) => xs.reduce((s, x) => s.plus(x.amount), new Decimal(0)).toFixed(2);

describe.each(backends())('variance matching by dimensions on %s', (backend) => {
  let t: TestApp;
  let tenant: string;
  let token: string;
  let budget: { id: string; lines: Record<string, string> };
  const g = generate(20260412);

  beforeAll(async () => {
    t = await startTestApp(backend);
    tenant = newTenant();
    token = await t.token(tenant);
    budget = await createBudget(t, token, g.lines, { total_amount: '99999999.00' });
    await insertActuals(
      t,
      tenant,
      g.actuals.map(({ expect: _e, ...a }) => a),
    );
  });
  afterAll(() => t?.close());

  const variance = async (query: string) => {
    const res = await t.call('GET', `/budgets/${budget.id}/variance?${query}`, token);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it("each department's matched actual equals its own actuals to the cent", async () => {
    const r = await variance(`by=department&as_of=${M(3)}`);
    const got = Object.fromEntries(
      r.rows.map((x: { key: { department_id: string | null }; ytd: { actual: string } }) => [
        x.key.department_id ?? '',
        x.ytd.actual,
      ]),
    );
    const expected = Object.fromEntries(
      [...DEPTS, ''].map((d) => [d, sum(g.actuals.filter((a) => a.expect.dept === d))]),
    );
    expect(got).toEqual(expected);
    // Month figures too: only March's rows.
    const march = Object.fromEntries(
      r.rows.map((x: { key: { department_id: string | null }; month: { actual: string } }) => [
        x.key.department_id ?? '',
        x.month.actual,
      ]),
    );
    expect(march).toEqual(
      Object.fromEntries(
        [...DEPTS, ''].map((d) => [
          d,
          sum(g.actuals.filter((a) => a.expect.dept === d && a.period === month(3))),
        ]),
      ),
    );
  });

  it('an actual naming a department no matching line has is unmatched, never moved', async () => {
    const r = await variance(`by=department&as_of=${M(3)}`);
    const unmatched = g.actuals.filter((a) => a.expect.dept === null);
    expect(r.unmatched.ytd_actual).toBe(sum(unmatched));
    expect(r.unmatched.actual_rows).toBe(unmatched.length);
    expect(
      Object.fromEntries(
        r.unmatched.groups.map((x: { key: { department_id: string }; ytd_actual: string }) => [
          x.key.department_id,
          x.ytd_actual,
        ]),
      ),
    ).toEqual({
      D03: sum(unmatched.filter((a) => a.department === 'D03')),
      D99: sum(unmatched.filter((a) => a.department === 'D99')),
    });
  });

  it('reports per matching level how much matched (amount and rows)', async () => {
    const r = await variance(`by=line&as_of=${M(3)}`);
    const levels = [1, 2, 3, 4].map((n) => g.actuals.filter((a) => a.expect.level === n));
    expect(r.matched_by_level).toEqual(
      ['gl_account_department_cost_center', 'gl_account_department', 'gl_account', 'category_department'].map(
        (level, i) => ({
          level,
          month_actual: sum(levels[i]!.filter((a) => a.period === month(3))),
          ytd_actual: sum(levels[i]!),
          actual_rows: levels[i]!.length,
        }),
      ),
    );
  });

  it('lines sharing a full key split its actual exactly, in proportion to their budget', async () => {
    const r = await variance(`by=line&as_of=${M(3)}`);
    const byName = Object.fromEntries(
      r.rows.map((x: { key: { line_name: string }; ytd: { actual: string; budget: string } }) => [
        x.key.line_name,
        x.ytd,
      ]),
    );
    // D01's postings on 5100 (its cost centre CC1 at the full key, CC9 at GL + department) go to
    // the two lines of that key, nowhere else.
    const key = g.actuals.filter((a) => a.gl === '5100' && a.department === 'D01');
    const a = new Decimal(byName['D01 5100'].actual);
    const b = new Decimal(byName['D01 5100 bonus'].actual);
    expect(a.plus(b).toFixed(2)).toBe(sum(key));
    // In proportion to the budgets (to rounding: a cent a month).
    const share = new Decimal(byName['D01 5100'].budget).div(
      new Decimal(byName['D01 5100'].budget).plus(byName['D01 5100 bonus'].budget),
    );
    expect(
      a
        .minus(share.times(sum(key)))
        .abs()
        .lte('0.05'),
    ).toBe(true);
  });
});
