import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { sumMoney } from './periods.domain.ts';

interface Grid {
  periods: { revenue: string; expense: string; total: string }[];
  lines: { line_id: string; line_name: string; periods: string[] }[];
  total: string;
  line_count: number;
}

describe.each(backends())('a page of the period grid (offset, limit) on %s', (backend) => {
  let t: TestApp;
  let token: string;
  let budgetId: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    token = await t.token(newTenant());
    // Six lines in display order (line_order), the first a revenue; the last is soft-deleted.
    const res = await t.call(
      'POST',
      '/budgets',
      token,
      budgetBody({
        budget_lines: ['L0', 'L1', 'L2', 'L3', 'L4', 'L5'].map((line_name, i) =>
          lineBody({
            line_name,
            line_order: i,
            line_type: i === 0 ? 'revenue' : 'expense',
            category: i === 0 ? 'sales' : 'people',
            amount: `${(i + 1) * 120}.00`,
          }),
        ),
      }),
    );
    expect(res.statusCode, res.body).toBe(201);
    budgetId = res.json().budget_id;
    const full = (await get('')).json() as Grid;
    const l5 = full.lines.find((l) => l.line_name === 'L5')!;
    expect((await t.call('DELETE', `/budgets/${budgetId}/lines/${l5.line_id}`, token)).statusCode).toBe(200);
  });
  afterAll(() => t?.close());

  const get = (query: string) => t.call('GET', `/budgets/${budgetId}/periods${query}`, token);
  const page = async (query: string) => {
    const res = await get(query);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Grid;
  };
  const names = (g: Grid) => g.lines.map((l) => l.line_name);

  it('answers the whole grid without offset and limit, line_count its lines', async () => {
    const g = await page('');
    expect(names(g)).toEqual(['L0', 'L1', 'L2', 'L3', 'L4']);
    expect(g.line_count).toBe(5);
  });

  it('answers limit lines from offset in display order, line_count all live lines', async () => {
    const first = await page('?limit=2');
    expect(names(first)).toEqual(['L0', 'L1']);
    expect(first.line_count).toBe(5);
    expect(first.lines.every((l) => l.periods.length === 12)).toBe(true);
    const middle = await page('?offset=2&limit=2');
    expect(names(middle)).toEqual(['L2', 'L3']);
    const rest = await page('?offset=4');
    expect(names(rest)).toEqual(['L4']);
    expect(rest.line_count).toBe(5);
    // The pages put together are the whole grid, periods included.
    const whole = await page('');
    expect([...first.lines, ...middle.lines, ...rest.lines]).toEqual(whole.lines);
    const past = await page('?offset=10&limit=3');
    expect(past.lines).toEqual([]);
    expect(past.line_count).toBe(5);
    expect(past.total).toBe('0.00');
  });

  it("totals a page's own lines exactly (net = revenue - expense)", async () => {
    const first = await page('?limit=2');
    // L0: 120.00 of revenue, L1: 240.00 of expense, 12 months each.
    expect(sumMoney(first.periods.map((p) => p.revenue))).toBe('120.00');
    expect(sumMoney(first.periods.map((p) => p.expense))).toBe('240.00');
    expect(first.total).toBe('-120.00');
    expect(first.periods[0]).toMatchObject({ revenue: '10.00', expense: '20.00', total: '-10.00' });
  });

  it('pages the CSV and the fiscal groupings the same way', async () => {
    const csv = await get('?limit=2&format=csv');
    expect(csv.statusCode).toBe(200);
    const rows = csv.body.trim().split(/\r?\n/);
    expect(rows.slice(1, 3).map((r) => r.split(',')[1])).toEqual(['L0', 'L1']);
    expect(rows).toHaveLength(1 + 2 + 5); // header, two lines, four totals by type and the net
    const q = await page('?by=quarter&offset=1&limit=1');
    expect(names(q)).toEqual(['L1']);
    expect(q.lines[0]!.periods).toEqual(['60.00', '60.00', '60.00', '60.00']);
  });

  it('refuses an offset or a limit that is not a whole number in range, naming it', async () => {
    for (const [query, path] of [
      ['?limit=0', 'query.limit'],
      ['?limit=abc', 'query.limit'],
      ['?limit=1000001', 'query.limit'],
      ['?offset=-1', 'query.offset'],
      ['?offset=1.5', 'query.offset'],
    ] as const) {
      const res = await get(query);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().errors[0].path, query).toBe(path);
    }
  });

  it('documents offset, limit and line_count in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const op = doc.paths['/api/budgeting-forecasting/budgets/{id}/periods'].get;
    const params = Object.fromEntries(
      op.parameters.map((p: { name: string; schema: unknown }) => [p.name, p.schema]),
    );
    expect(params.offset).toMatchObject({ type: 'integer', minimum: 0, default: 0 });
    expect(params.limit).toMatchObject({ type: 'integer', minimum: 1 });
    const body = op.responses['200'].content['application/json'].schema;
    expect(body.required).toContain('line_count');
  });

  it("answers 404 for another tenant's budget, page or not", async () => {
    const intruder = await t.token(newTenant());
    const res = await t.call('GET', `/budgets/${budgetId}/periods?limit=2`, intruder);
    expect(res.statusCode).toBe(404);
  });
});
