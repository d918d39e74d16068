import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { Decimal } from '../../shared/money.ts';
import { SAMPLE_USERS } from './sample.company.ts';
import { fxRates, generateLedger, toCsv } from './sample.generate.ts';
import { lastClosedMonth, type SampleResult, seedSample } from './sample.service.ts';

const AS_OF = `${new Date().getUTCFullYear()}-06`;
const YEAR = Number(AS_OF.slice(0, 4));

describe('sample company generator (pure)', () => {
  it('gives the same ledger and rates for the same seed, and different ones for another seed', () => {
    const shape = { seed: 7, year: YEAR, asOfMonth: 6 };
    const a = generateLedger(shape);
    const b = generateLedger(shape);
    const c = generateLedger({ ...shape, seed: 8 });
    for (const i of [0, 1, 2]) expect(toCsv(a.years[i]!.postings)).toBe(toCsv(b.years[i]!.postings));
    expect(fxRates(shape)).toEqual(fxRates(shape));
    expect(toCsv(c.years[0]!.postings)).not.toBe(toCsv(a.years[0]!.postings));
    expect(fxRates({ ...shape, seed: 8 })).not.toEqual(fxRates(shape));
  });

  it('posts two full fiscal years and the current one through the as-of month, split to the cent', () => {
    const l = generateLedger({ seed: 1, year: YEAR, asOfMonth: 6 });
    const months = (ps: { date: string }[]) => [...new Set(ps.map((p) => p.date.slice(0, 7)))].sort();
    expect(l.years.map((y) => y.year)).toEqual([YEAR - 2, YEAR - 1, YEAR]);
    expect(months(l.years[0]!.postings)).toHaveLength(12);
    expect(months(l.years[1]!.postings)[0]).toBe(`${YEAR - 1}-01`);
    expect(months(l.years[2]!.postings)).toEqual([1, 2, 3, 4, 5, 6].map((m) => `${YEAR}-0${m}`));
    // The postings of an account's month add up exactly to its monthly actual.
    const march = l.years[2]!.postings.filter((p) => p.gl === '4000' && p.date.startsWith(`${YEAR}-03`));
    const total = march.reduce((s, p) => s.add(p.amount), new Decimal(0));
    expect(total.toFixed(2)).toBe(l.monthly.get('4000')![26]!.toFixed(2));
    expect(l.years[0]!.postings.every((p) => /^-?\d+\.\d{2}$/.test(p.amount))).toBe(true);
  });

  it('takes the last closed month as the default as-of', () => {
    expect(lastClosedMonth(new Date('2027-01-15T10:00:00Z'))).toBe('2026-12');
    expect(lastClosedMonth(new Date('2026-12-01T00:00:00Z'))).toBe('2026-11');
  });
});

/** Every figure a screen shows, without ids or timestamps: what "the same data" means. */
async function figures(t: TestApp, r: SampleResult) {
  const token = await t.token(r.tenant, { roles: ['admin'] });
  const get = async (path: string) => {
    const res = await t.call('GET', path, token);
    expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
    return res.json();
  };
  const actuals = await get(`/actuals?limit=1&period_from=${YEAR - 2}-01&period_to=${YEAR}-12`);
  const budgets = (await get('/budgets?limit=50')).items.map((b: Record<string, unknown>) => [
    b.budget_name,
    b.status,
    b.totals,
    b.total_amount,
  ]);
  const grid = await get(`/budgets/${r.budgets.current}/periods`);
  const next = await get(`/budgets/${r.budgets.next}/periods`);
  const variance = await get(`/budgets/${r.budgets.current}/variance?by=line`);
  const compare = await get(`/budgets/${r.budgets.next}/scenarios/compare`);
  const rates = await get(`/fx-rates?limit=100`);
  return {
    actualTotals: actuals.totals,
    budgets,
    grid: grid.lines.map((l: { line_name: string; periods: string[] }) => [l.line_name, l.periods]),
    next: next.lines.map((l: { line_name: string; periods: string[] }) => [l.line_name, l.periods]),
    variance: variance.rows.map((row: { key: Record<string, unknown>; month: unknown; ytd: unknown }) => {
      const { line_id: _id, ...key } = row.key;
      return [key, row.month, row.ytd];
    }),
    varianceTotals: variance.totals,
    scenarios: compare.scenarios.map((s: Record<string, unknown>) => [s.name, s.totals, s.deltas]),
    rates: rates.items.map((x: Record<string, unknown>) => [x.period, x.from, x.to, x.rate]),
  };
}

describe('bf seed-sample on PGlite', () => {
  let a: TestApp;
  let b: TestApp;
  let ra: SampleResult;
  let rb: SampleResult;

  beforeAll(async () => {
    [a, b] = await Promise.all([startTestApp('pglite'), startTestApp('pglite')]);
    ra = await seedSample(a.services, { seed: 7, asOf: AS_OF });
    rb = await seedSample(b.services, { seed: 7, asOf: AS_OF });
  }, 240_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('creates the tenant with budgets and actuals', () => {
    expect(ra.created).toBe(true);
    expect(ra.actualRows).toBeGreaterThan(500);
  });

  it('gives the same figures, to the cent, on two databases from the same seed', async () => {
    const fa = await figures(a, ra);
    const fb = await figures(b, rb);
    expect(fa.budgets.length).toBe(3);
    expect(fa.actualTotals).toEqual(fb.actualTotals);
    expect(fa).toEqual(fb);
  }, 60_000);

  it('reports a non-empty current-year variance with both favourable and unfavourable lines', async () => {
    const token = await a.token('sample', { roles: ['viewer'] });
    const res = await a.call('GET', `/budgets/${ra.budgets.current}/variance?by=line`, token);
    const v = res.json();
    expect(v.as_of).toBe(AS_OF);
    expect(v.rows).toHaveLength(18);
    const ytd = v.rows.map(
      (r: { ytd: { actual: string; variance: string; favourability: string } }) => r.ytd,
    );
    expect(ytd.every((x: { actual: string }) => new Decimal(x.actual).gt(0))).toBe(true);
    const kinds = new Set(ytd.map((x: { favourability: string }) => x.favourability));
    expect(kinds).toContain('favourable');
    expect(kinds).toContain('unfavourable');
    // Nothing in the ledger is left unmatched: every account has its line.
    expect(v.unmatched.ytd_actual).toBe('0.00');
    expect(v.fx_rates.length).toBeGreaterThan(0);
  });

  it('takes the current plan through review: rejected once, then approved by a second person', async () => {
    const token = await a.token('sample', { roles: ['viewer'] });
    const h = (await a.call('GET', `/budgets/${ra.budgets.current}/workflow`, token)).json();
    expect(h.status).toBe('approved');
    expect(h.items.map((e: { action: string }) => e.action)).toEqual([
      'submit',
      'reject',
      'reopen',
      'submit',
      'approve',
    ]);
    expect(h.items[4].actor).not.toBe(h.items[3].actor);
  });

  it('lets every documented user sign in with the documented password', async () => {
    for (const u of SAMPLE_USERS) {
      const login = await a.services.users.login('sample', u.email, u.password);
      expect(login.user.roles).toEqual(u.roles);
    }
  });

  it('refuses a second run politely and changes nothing', async () => {
    const again = await seedSample(a.services, { seed: 9, asOf: AS_OF });
    expect(again.created).toBe(false);
    expect(again.reason).toMatch(/already has users; nothing was changed/);
    const token = await a.token('sample');
    expect((await a.call('GET', '/budgets?limit=50', token)).json().items).toHaveLength(3);
  });
});
