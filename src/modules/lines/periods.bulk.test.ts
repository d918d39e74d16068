import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';

interface GridLine {
  line_id: string;
  line_name: string;
  amount: string;
  version: number;
  spread_method: string;
  periods: string[];
}

describe.each(backends())('PUT /budgets/:id/periods (many lines at once) on %s', (backend) => {
  let t: TestApp;
  let tenant: string;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    tenant = newTenant();
    token = await t.token(tenant);
  });
  afterAll(() => t?.close());

  const create = async (lines: Record<string, unknown>[], tk = token) => {
    const res = await t.call('POST', '/budgets', tk, budgetBody({ budget_lines: lines }));
    expect(res.statusCode, res.body).toBe(201);
    return res.json().budget_id as string;
  };
  const grid = async (id: string, tk = token) => {
    const res = await t.call('GET', `/budgets/${id}/periods`, tk);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { lines: GridLine[]; periods: { expense: string }[]; total: string };
  };
  const three = () =>
    create([0, 1, 2].map((i) => lineBody({ line_name: `L${i}`, amount: '1200.00', line_order: i })));

  it('sets the months of many lines in one request: amounts are their exact sums, versions bumped, method manual', async () => {
    const id = await three();
    const before = await grid(id);
    const res = await t.call('PUT', `/budgets/${id}/periods`, token, {
      lines: before.lines.map((l, i) => ({
        line_id: l.line_id,
        version: l.version,
        periods: [
          { period_index: 0, amount: `${i}.01` },
          { period_index: 11, amount: '0.10' },
        ],
      })),
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.updated).toBe(3);
    const after = await grid(id);
    after.lines.forEach((l, i) => {
      expect(l.periods[0]).toBe(`${i}.01`);
      expect(l.periods[11]).toBe('0.10');
      expect(l.periods.slice(1, 11)).toEqual(before.lines[i]!.periods.slice(1, 11));
      expect(l.version).toBe(before.lines[i]!.version + 1);
      expect(l.spread_method).toBe('manual');
      expect(body.lines[i]).toMatchObject({ line_id: l.line_id, amount: l.amount, version: l.version });
      expect(body.lines[i].periods).toEqual(l.periods);
    });
    // 1200 spread evenly is 100 a month: 10 months of 100 + i.01 + 0.10.
    expect(after.lines.map((l) => l.amount)).toEqual(['1000.11', '1001.11', '1002.11']);
    // The grid's total is net (revenue - expense): three expense lines.
    expect(after.total).toBe('-3003.33');
  });

  it('refuses a negative month of an ordinary line, naming the line and month, and saves nothing', async () => {
    const id = await three();
    const before = await grid(id);
    const res = await t.call('PUT', `/budgets/${id}/periods`, token, {
      lines: before.lines.map((l, i) => ({
        line_id: l.line_id,
        version: l.version,
        periods: [{ period_index: 3, amount: i === 2 ? '-5.00' : '5.00' }],
      })),
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().errors).toEqual([
      expect.objectContaining({ path: 'lines.2.periods.0.amount', code: 'too_small' }),
    ]);
    expect((await grid(id)).lines).toEqual(before.lines);
  });

  it('names the line and month of an invalid amount and saves nothing', async () => {
    const id = await three();
    const before = await grid(id);
    const res = await t.call('PUT', `/budgets/${id}/periods`, token, {
      lines: before.lines.map((l, i) => ({
        line_id: l.line_id,
        version: l.version,
        periods: [{ period_index: 2, amount: i === 1 ? '12.345' : '5.00' }],
      })),
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toEqual(['lines.1.periods.0.amount']);
    expect(await grid(id)).toEqual(before);
  });

  it('refuses a month beyond the budget and a line sent twice, by path', async () => {
    const id = await three();
    const [a, b] = (await grid(id)).lines;
    const res = await t.call('PUT', `/budgets/${id}/periods`, token, {
      lines: [
        { line_id: a!.line_id, version: a!.version, periods: [{ period_index: 12, amount: '1.00' }] },
        { line_id: b!.line_id, version: b!.version, periods: [{ period_index: 0, amount: '1.00' }] },
      ],
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ path: 'lines.0.periods.0.period_index', code: 'too_big' });
    const twice = await t.call('PUT', `/budgets/${id}/periods`, token, {
      lines: [
        { line_id: a!.line_id, version: a!.version, periods: [{ period_index: 0, amount: '1.00' }] },
        { line_id: a!.line_id, version: a!.version, periods: [{ period_index: 1, amount: '1.00' }] },
      ],
    });
    expect(twice.statusCode, twice.body).toBe(400);
    expect(twice.json().errors[0]).toMatchObject({ path: 'lines.1.line_id', code: 'duplicate' });
  });

  it('answers 409 naming every stale line (with who changed it) and writes none of the others', async () => {
    const id = await three();
    const before = await grid(id);
    const moved = before.lines[2]!;
    const one = await t.call('PUT', `/budgets/${id}/lines/${moved.line_id}/periods`, token, {
      version: moved.version,
      periods: [{ period_index: 0, amount: '7.00' }],
    });
    expect(one.statusCode, one.body).toBe(200);
    const mid = await grid(id);
    const res = await t.call('PUT', `/budgets/${id}/periods`, token, {
      lines: before.lines.map((l) => ({
        line_id: l.line_id,
        version: l.version,
        periods: [{ period_index: 3, amount: '9.00' }],
      })),
    });
    expect(res.statusCode, res.body).toBe(409);
    const body = res.json();
    expect(body.code).toBe('version_conflict');
    expect(body.errors).toEqual([
      expect.objectContaining({ path: 'lines.2.version', code: 'stale_version' }),
    ]);
    expect(body.conflicts).toEqual([
      expect.objectContaining({
        line_id: moved.line_id,
        sent_version: moved.version,
        current_version: moved.version + 1,
      }),
    ]);
    expect(typeof body.conflicts[0].updated_by).toBe('string');
    expect(await grid(id)).toEqual(mid);
  });

  it('keeps the quantity x unit_cost rule per line (422 with the line path)', async () => {
    const id = await create([
      lineBody({ line_name: 'Free', amount: '120.00' }),
      lineBody({ line_name: 'Priced', amount: undefined, quantity: '10', unit_cost: '12.00' }),
    ]);
    const g = await grid(id);
    const res = await t.call('PUT', `/budgets/${id}/periods`, token, {
      lines: g.lines.map((l) => ({
        line_id: l.line_id,
        version: l.version,
        periods: [{ period_index: 0, amount: '99.00' }],
      })),
    });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().errors).toEqual([
      expect.objectContaining({ path: 'lines.1.periods', code: 'amount_from_quantity' }),
    ]);
  });

  it("answers 404 for another tenant's budget and for a line of another budget; 403 without budgets:write", async () => {
    const id = await three();
    const other = await three();
    const [a] = (await grid(id)).lines;
    const [foreign] = (await grid(other)).lines;
    const stranger = await t.token(newTenant());
    const body = {
      lines: [{ line_id: a!.line_id, version: a!.version, periods: [{ period_index: 0, amount: '1.00' }] }],
    };
    expect((await t.call('PUT', `/budgets/${id}/periods`, stranger, body)).statusCode).toBe(404);
    const wrong = await t.call('PUT', `/budgets/${id}/periods`, token, {
      lines: [{ ...body.lines[0], line_id: foreign!.line_id }],
    });
    expect(wrong.statusCode, wrong.body).toBe(404);
    expect(wrong.json().errors[0].path).toBe('lines.0.line_id');
    const viewer = await t.token(tenant, { roles: ['viewer'] });
    expect((await t.call('PUT', `/budgets/${id}/periods`, viewer, body)).statusCode).toBe(403);
  });

  it('audits each line with its months before and after', async () => {
    const id = await three();
    const [a] = (await grid(id)).lines;
    const res = await t.call('PUT', `/budgets/${id}/periods`, token, {
      lines: [{ line_id: a!.line_id, version: a!.version, periods: [{ period_index: 5, amount: '55.55' }] }],
    });
    expect(res.statusCode, res.body).toBe(200);
    const audit = await t.call(
      'GET',
      `/audit?entity_type=budget_line&entity_id=${a!.line_id}&action=budget_line.periods_updated`,
      token,
    );
    expect(audit.statusCode, audit.body).toBe(200);
    const [entry] = audit.json().items;
    expect(entry.before.periods[5]).toBe('100.00');
    expect(entry.after.periods[5]).toBe('55.55');
  });

  it('tells the budget’s collaboration session: one change with every line, its version and months', async () => {
    const id = await three();
    const session = await t.call('POST', '/collaboration/sessions', token, {
      session_name: 'Paste',
      budget_id: id,
    });
    expect(session.statusCode, session.body).toBe(201);
    const sid = session.json().session_id;
    const g = await grid(id);
    const res = await t.call('PUT', `/budgets/${id}/periods`, token, {
      lines: g.lines.map((l) => ({
        line_id: l.line_id,
        version: l.version,
        periods: [{ period_index: 0, amount: '1.50' }],
      })),
    });
    expect(res.statusCode, res.body).toBe(200);
    const changes = await t.call('GET', `/collaboration/sessions/${sid}/changes`, token);
    expect(changes.statusCode, changes.body).toBe(200);
    const msg = changes.json().items.find((c: { type: string }) => c.type === 'budget_periods_updated');
    expect(msg).toBeDefined();
    expect(msg.payload?.lines ?? msg.lines).toHaveLength(3);
    const first = (msg.payload?.lines ?? msg.lines)[0];
    expect(first).toMatchObject({ line_id: g.lines[0]!.line_id, version: g.lines[0]!.version + 1 });
    expect(first.periods[0]).toBe('1.50');
  });
});
