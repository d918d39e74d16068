import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';

interface Line {
  line_id: string;
  line_name: string;
  line_order: number;
  amount: string;
  quantity: string | null;
  unit_cost: string | null;
  version: number;
}

describe.each(backends())('budget lines API on %s', (backend) => {
  let t: TestApp;
  let tenant: string;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    tenant = newTenant();
    token = await t.token(tenant);
  });
  afterAll(() => t?.close());

  /** Creates a budget with the given lines and returns its id. */
  const newBudget = async (lines: Record<string, unknown>[] = []) => {
    const res = await t.call('POST', '/budgets', token, budgetBody({ budget_lines: lines }));
    expect(res.statusCode).toBe(201);
    return res.json().budget_id as string;
  };
  const linesOf = async (id: string): Promise<Line[]> => {
    const res = await t.call('GET', `/budgets/${id}/lines?limit=500`, token);
    expect(res.statusCode).toBe(200);
    return res.json().items;
  };
  const budgetOf = async (id: string) =>
    (await t.call('GET', `/budgets/${id}?include_lines=true`, token)).json();
  const addLine = async (id: string, body: Record<string, unknown>) => {
    const res = await t.call('POST', `/budgets/${id}/lines`, token, body);
    expect(res.statusCode).toBe(201);
    return res.json() as Line;
  };

  it('lists every line once with the cursor, in line_order then id order', async () => {
    const orders = [2, 0, 1, 0, 2, 1, 0];
    const id = await newBudget(orders.map((o, i) => lineBody({ line_name: `L${i}`, line_order: o })));
    const seen: Line[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `/budgets/${id}/lines?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await t.call('GET', q, token);
      expect(page.statusCode).toBe(200);
      expect(page.json().items.length).toBeLessThanOrEqual(2);
      seen.push(...page.json().items);
      cursor = page.json().next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    expect(seen).toHaveLength(7);
    expect(new Set(seen.map((l) => l.line_id)).size).toBe(7);
    const expected = [...seen].sort((a, b) =>
      a.line_order !== b.line_order ? a.line_order - b.line_order : a.line_id < b.line_id ? -1 : 1,
    );
    expect(seen.map((l) => l.line_id)).toEqual(expected.map((l) => l.line_id));
    expect(seen.map((l) => l.line_order)).toEqual([0, 0, 0, 1, 1, 2, 2]);
  });

  it('adds one line and returns it with version 1 and the exact amount', async () => {
    const id = await newBudget();
    const line = await addLine(id, lineBody({ amount: 1234.5, line_order: 3 }));
    expect(line).toMatchObject({ budget_id: id, amount: '1234.50', line_order: 3, version: 1 });
    expect(line.line_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await linesOf(id)).map((l) => l.line_id)).toEqual([line.line_id]);
  });

  it('bulk-appends lines after the existing ones', async () => {
    const id = await newBudget([lineBody({ amount: '1.00' })]);
    const res = await t.call('POST', `/budgets/${id}/lines/bulk`, token, {
      lines: [lineBody({ amount: '2.00' }), lineBody({ amount: '3.00' })],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ added: 2, removed: 0 });
    expect(res.json().line_ids).toHaveLength(2);
    expect((await linesOf(id)).map((l) => l.amount).sort()).toEqual(['1.00', '2.00', '3.00']);
    expect((await budgetOf(id)).totals).toMatchObject({ expense: '6.00', line_count: 3 });
  });

  it('bulk-replaces all lines: old lines vanish and totals are recomputed exactly', async () => {
    const id = await newBudget([
      lineBody({ amount: '500.00' }),
      lineBody({ line_type: 'revenue', category: 'sales', amount: '900.00' }),
    ]);
    const old = await linesOf(id);
    const res = await t.call('POST', `/budgets/${id}/lines/bulk`, token, {
      mode: 'replace',
      lines: [
        lineBody({ amount: '0.10' }),
        lineBody({ amount: '0.20' }),
        lineBody({
          line_type: 'revenue',
          category: 'sales',
          amount: undefined,
          quantity: '3',
          unit_cost: '0.35',
        }),
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ added: 3, removed: 2 });
    const now = await linesOf(id);
    expect(now.map((l) => l.line_id).sort()).toEqual([...res.json().line_ids].sort());
    for (const o of old) {
      expect(now.some((l) => l.line_id === o.line_id)).toBe(false);
      const put = await t.call('PUT', `/budgets/${id}/lines/${o.line_id}`, token, { notes: 'x', version: 1 });
      expect(put.statusCode).toBe(404);
    }
    const b = await budgetOf(id);
    expect(b.totals).toEqual({
      revenue: '1.05',
      expense: '0.30',
      asset: '0.00',
      liability: '0.00',
      net: '0.75',
      line_count: 3,
    });
    expect(b.budget_lines).toHaveLength(3);
  });

  it("updates a line with its own version; a stale one gets 409 and the budget's version is untouched", async () => {
    const id = await newBudget();
    const line = await addLine(id, lineBody({ amount: '10.00' }));
    const budgetVersion = (await budgetOf(id)).version;
    const ok = await t.call('PUT', `/budgets/${id}/lines/${line.line_id}`, token, {
      amount: '11.00',
      notes: 'first',
      version: 1,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ amount: '11.00', notes: 'first', version: 2 });
    const stale = await t.call('PUT', `/budgets/${id}/lines/${line.line_id}`, token, {
      amount: '99.00',
      version: 1,
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'version_conflict', current_version: 2 });
    // Who changed it and when, for the editor's "changed by X at HH:MM".
    expect(stale.json().updated_by).toBe(ok.json().updated_by);
    expect(stale.json().updated_at).toBe(ok.json().updated_at);
    expect(stale.json().errors[0]).toMatchObject({ path: 'version', code: 'stale_version' });
    const missing = await t.call('PUT', `/budgets/${id}/lines/${line.line_id}`, token, { amount: '1.00' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0].path).toBe('version');
    const b = await budgetOf(id);
    expect(b.version).toBe(budgetVersion);
    expect(b.budget_lines[0]).toMatchObject({ amount: '11.00', version: 2 });
    expect(b.totals.expense).toBe('11.00');
  });

  it('recomputes quantity x unit cost on update and refuses an amount that disagrees', async () => {
    const id = await newBudget();
    const line = await addLine(id, lineBody({ amount: undefined, quantity: '2', unit_cost: '3.00' }));
    expect(line.amount).toBe('6.00');
    const put = (body: Record<string, unknown>) =>
      t.call('PUT', `/budgets/${id}/lines/${line.line_id}`, token, body);

    const q = await put({ quantity: '3', version: 1 });
    expect(q.statusCode).toBe(200);
    expect(q.json()).toMatchObject({ amount: '9.00', quantity: '3.0000', unit_cost: '3.00', version: 2 });

    const u = await put({ unit_cost: '0.335', version: 2 });
    expect(u.statusCode).toBe(400);
    expect(u.json().errors[0]).toMatchObject({ path: 'unit_cost', code: 'too_many_decimals' });

    const rounded = await put({ quantity: '0.5', unit_cost: '0.01', version: 2 });
    expect(rounded.json()).toMatchObject({ amount: '0.01', version: 3 });

    const mismatch = await put({ amount: '1.00', version: 3 });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json().errors[0]).toMatchObject({ path: 'amount', code: 'amount_mismatch' });

    const halfPair = await put({ quantity: null, version: 3 });
    expect(halfPair.statusCode).toBe(400);
    expect(halfPair.json().errors).toContainEqual(
      expect.objectContaining({ path: 'quantity', code: 'required_with_pair' }),
    );

    const plain = await put({ amount: '1.00', quantity: null, unit_cost: null, version: 3 });
    expect(plain.statusCode).toBe(200);
    expect(plain.json()).toMatchObject({ amount: '1.00', quantity: null, unit_cost: null, version: 4 });
    expect((await budgetOf(id)).totals.expense).toBe('1.00');
  });

  it('requires allocation_percentage with the percentage method, as a field error on every route', async () => {
    const id = await newBudget();
    const one = await t.call(
      'POST',
      `/budgets/${id}/lines`,
      token,
      lineBody({ allocation_method: 'percentage' }),
    );
    expect(one.statusCode).toBe(400);
    expect(one.json().errors).toContainEqual(
      expect.objectContaining({ path: 'allocation_percentage', code: 'required_for_percentage_allocation' }),
    );
    const bulk = await t.call('POST', `/budgets/${id}/lines/bulk`, token, {
      lines: [lineBody(), lineBody({ allocation_method: 'percentage' })],
    });
    expect(bulk.statusCode).toBe(400);
    expect(bulk.json().errors).toContainEqual(
      expect.objectContaining({
        path: 'lines.1.allocation_percentage',
        code: 'required_for_percentage_allocation',
      }),
    );
    const line = await addLine(id, lineBody());
    const put = await t.call('PUT', `/budgets/${id}/lines/${line.line_id}`, token, {
      allocation_method: 'percentage',
      version: 1,
    });
    expect(put.statusCode).toBe(400);
    expect(put.json().errors).toContainEqual(
      expect.objectContaining({ path: 'allocation_percentage', code: 'required_for_percentage_allocation' }),
    );
    const ok = await t.call('PUT', `/budgets/${id}/lines/${line.line_id}`, token, {
      allocation_method: 'percentage',
      allocation_percentage: '12.5',
      version: 1,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ allocation_method: 'percentage', allocation_percentage: '12.50' });
    expect(await linesOf(id)).toHaveLength(1);
  });

  it('soft-deletes a line (invisible everywhere) and hard-deletes only with budgets:hard_delete', async () => {
    const id = await newBudget();
    const soft = await addLine(id, lineBody({ amount: '5.00' }));
    const hard = await addLine(id, lineBody({ amount: '7.00' }));
    expect((await t.call('DELETE', `/budgets/${id}/lines/${soft.line_id}`, token)).statusCode).toBe(200);
    expect((await linesOf(id)).map((l) => l.line_id)).toEqual([hard.line_id]);
    expect((await budgetOf(id)).totals).toMatchObject({ expense: '7.00', line_count: 1 });
    expect((await t.call('DELETE', `/budgets/${id}/lines/${soft.line_id}`, token)).statusCode).toBe(404);
    const putDeleted = await t.call('PUT', `/budgets/${id}/lines/${soft.line_id}`, token, {
      notes: 'x',
      version: 2,
    });
    expect(putDeleted.statusCode).toBe(404);

    const planner = await t.token(tenant, { roles: ['planner'] });
    const refused = await t.call('DELETE', `/budgets/${id}/lines/${hard.line_id}?soft_delete=false`, planner);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().errors[0]).toMatchObject({ path: 'permissions', code: 'missing_permission' });
    expect(await linesOf(id)).toHaveLength(1);
    const removed = await t.call('DELETE', `/budgets/${id}/lines/${hard.line_id}?soft_delete=false`, token);
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toMatchObject({ line_id: hard.line_id });
    expect(await linesOf(id)).toHaveLength(0);
    expect((await budgetOf(id)).totals).toMatchObject({ expense: '0.00', line_count: 0 });
  });

  it('refuses a stale version on delete with 409 when a version is sent', async () => {
    const id = await newBudget();
    const line = await addLine(id, lineBody());
    const stale = await t.call('DELETE', `/budgets/${id}/lines/${line.line_id}?version=2`, token);
    expect(stale.statusCode).toBe(409);
    expect(stale.json().current_version).toBe(1);
    expect(await linesOf(id)).toHaveLength(1);
  });

  it('answers 404 for a line id that belongs to another budget of the same tenant', async () => {
    const a = await newBudget();
    const b = await newBudget();
    const line = await addLine(a, lineBody({ amount: '3.00' }));
    const put = await t.call('PUT', `/budgets/${b}/lines/${line.line_id}`, token, {
      amount: '4.00',
      version: 1,
    });
    expect(put.statusCode).toBe(404);
    expect(put.json().errors[0]).toMatchObject({ path: 'params.lineId', code: 'not_found' });
    expect((await t.call('DELETE', `/budgets/${b}/lines/${line.line_id}`, token)).statusCode).toBe(404);
    expect(
      (await t.call('DELETE', `/budgets/${b}/lines/${line.line_id}?soft_delete=false`, token)).statusCode,
    ).toBe(404);
    const cursorOfA = (await t.call('GET', `/budgets/${a}/lines?limit=1`, token)).json();
    expect(cursorOfA.items[0].line_id).toBe(line.line_id);
    expect((await linesOf(a))[0]).toMatchObject({ line_id: line.line_id, amount: '3.00', version: 1 });
    expect(await linesOf(b)).toHaveLength(0);
  });

  it('answers 404 for lines of a missing or deleted budget', async () => {
    const id = await newBudget();
    expect((await t.call('DELETE', `/budgets/${id}`, token)).statusCode).toBe(200);
    expect((await t.call('GET', `/budgets/${id}/lines`, token)).statusCode).toBe(404);
    expect((await t.call('POST', `/budgets/${id}/lines`, token, lineBody())).statusCode).toBe(404);
    const bulk = await t.call('POST', `/budgets/${id}/lines/bulk`, token, { lines: [lineBody()] });
    expect(bulk.statusCode).toBe(404);
  });

  it('stores nothing from a bulk append with one bad line at index 7, naming lines.7.amount', async () => {
    const id = await newBudget([lineBody({ amount: '1.00' })]);
    const lines = Array.from({ length: 10 }, (_, i) => lineBody({ amount: `${i + 1}.00` }));
    lines[7] = lineBody({ amount: '-1.00' });
    const bad = await t.call('POST', `/budgets/${id}/lines/bulk`, token, { lines });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([
      expect.objectContaining({ path: 'lines.7.amount', code: 'too_small' }),
    ]);
    lines[7] = lineBody({ amount: '1.00', quantity: '2', unit_cost: '2.00' });
    const rule = await t.call('POST', `/budgets/${id}/lines/bulk`, token, { lines });
    expect(rule.statusCode).toBe(400);
    expect(rule.json().errors).toEqual([
      expect.objectContaining({ path: 'lines.7.amount', code: 'amount_mismatch' }),
    ]);
    expect(await linesOf(id)).toHaveLength(1);
    expect((await budgetOf(id)).totals).toMatchObject({ expense: '1.00', line_count: 1 });
  });

  it('reflects every line write at once in the budget read with lines (cache invalidated)', async () => {
    const id = await newBudget([lineBody({ amount: '1.00' })]);
    const read = async () => {
      const b = await budgetOf(id);
      return {
        expense: b.totals.expense as string,
        amounts: b.budget_lines.map((l: Line) => l.amount).sort(),
      };
    };
    expect(await read()).toEqual({ expense: '1.00', amounts: ['1.00'] });
    expect(await read()).toEqual({ expense: '1.00', amounts: ['1.00'] });

    const added = await addLine(id, lineBody({ amount: '2.00' }));
    expect(await read()).toEqual({ expense: '3.00', amounts: ['1.00', '2.00'] });

    await t.call('POST', `/budgets/${id}/lines/bulk`, token, { lines: [lineBody({ amount: '4.00' })] });
    expect(await read()).toEqual({ expense: '7.00', amounts: ['1.00', '2.00', '4.00'] });

    await t.call('PUT', `/budgets/${id}/lines/${added.line_id}`, token, { amount: '20.00', version: 1 });
    expect(await read()).toEqual({ expense: '25.00', amounts: ['1.00', '20.00', '4.00'] });

    await t.call('DELETE', `/budgets/${id}/lines/${added.line_id}`, token);
    expect(await read()).toEqual({ expense: '5.00', amounts: ['1.00', '4.00'] });

    await t.call('POST', `/budgets/${id}/lines/bulk`, token, {
      mode: 'replace',
      lines: [lineBody({ amount: '9.99' })],
    });
    expect(await read()).toEqual({ expense: '9.99', amounts: ['9.99'] });
    const plain = (await t.call('GET', `/budgets/${id}`, token)).json();
    expect(plain.totals).toMatchObject({ expense: '9.99', line_count: 1 });
  });

  it('requires budgets:write for line writes and budgets:read for listing', async () => {
    const id = await newBudget([lineBody()]);
    const viewer = await t.token(tenant, { roles: ['viewer'] });
    expect((await t.call('GET', `/budgets/${id}/lines`, viewer)).statusCode).toBe(200);
    expect((await t.call('POST', `/budgets/${id}/lines`, viewer, lineBody())).statusCode).toBe(403);
    expect((await t.call('GET', `/budgets/${id}/lines`, undefined)).statusCode).toBe(401);
    expect(await linesOf(id)).toHaveLength(1);
  });
});

describe.each(backends())('budget line limit on %s', (backend) => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp(backend, { MAX_BUDGET_LINES: '5' });
    token = await t.token(newTenant());
  });
  afterAll(() => t?.close());

  const count = async (id: string) =>
    (await t.call('GET', `/budgets/${id}/lines`, token)).json().items.length;

  it('refuses an append past MAX_BUDGET_LINES with a 400 on path lines and stores nothing', async () => {
    const res = await t.call(
      'POST',
      '/budgets',
      token,
      budgetBody({ budget_lines: [lineBody(), lineBody(), lineBody()] }),
    );
    expect(res.statusCode).toBe(201);
    const id = res.json().budget_id;
    const over = await t.call('POST', `/budgets/${id}/lines/bulk`, token, {
      lines: [lineBody(), lineBody(), lineBody()],
    });
    expect(over.statusCode).toBe(400);
    expect(over.json().errors).toEqual([expect.objectContaining({ path: 'lines', code: 'too_big' })]);
    expect(await count(id)).toBe(3);

    const fill = await t.call('POST', `/budgets/${id}/lines/bulk`, token, {
      lines: [lineBody(), lineBody()],
    });
    expect(fill.statusCode).toBe(200);
    expect(await count(id)).toBe(5);
    const sixth = await t.call('POST', `/budgets/${id}/lines`, token, lineBody());
    expect(sixth.statusCode).toBe(400);
    expect(sixth.json().errors[0]).toMatchObject({ path: '(root)', code: 'too_big' });
    expect(await count(id)).toBe(5);
  });

  it('counts only live lines: replace may use the full limit, and a deleted line frees a slot', async () => {
    const id = (
      await t.call('POST', '/budgets', token, budgetBody({ budget_lines: [lineBody(), lineBody()] }))
    ).json().budget_id;
    const five = Array.from({ length: 5 }, () => lineBody());
    const replaced = await t.call('POST', `/budgets/${id}/lines/bulk`, token, {
      mode: 'replace',
      lines: five,
    });
    expect(replaced.statusCode).toBe(200);
    const six = await t.call('POST', `/budgets/${id}/lines/bulk`, token, {
      mode: 'replace',
      lines: [...five, lineBody()],
    });
    expect(six.statusCode).toBe(400);
    expect(await count(id)).toBe(5);
    const first = replaced.json().line_ids[0];
    expect((await t.call('DELETE', `/budgets/${id}/lines/${first}`, token)).statusCode).toBe(200);
    expect((await t.call('POST', `/budgets/${id}/lines`, token, lineBody())).statusCode).toBe(201);
  });

  it('refuses to create a budget with more lines than the limit', async () => {
    const res = await t.call(
      'POST',
      '/budgets',
      token,
      budgetBody({ budget_lines: Array.from({ length: 6 }, () => lineBody()) }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ path: 'budget_lines', code: 'too_big' });
  });
});
