import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';

const year = String(new Date().getUTCFullYear() + 1);

describe.each(backends())('templates API on %s', (backend) => {
  let t: TestApp;
  let token: string;
  let tenant: string;
  let n = 0;

  beforeAll(async () => {
    t = await startTestApp(backend);
    tenant = newTenant();
    token = await t.token(tenant);
  });
  afterAll(() => t?.close());

  const templateBody = (over: Record<string, unknown> = {}) => ({
    name: `Template ${++n}`,
    defaults: { budget_type: 'annual', base_currency: 'EUR', department_id: 'ops' },
    lines: [lineBody({ amount: '100.00' })],
    ...over,
  });
  const create = async (over: Record<string, unknown> = {}) => {
    const res = await t.call('POST', '/templates', token, templateBody(over));
    expect(res.statusCode).toBe(201);
    return res.json();
  };

  it('keeps every version: edited twice, all three versions are readable and different', async () => {
    const v1 = await create({ comment: 'first' });
    expect(v1).toMatchObject({ current_version: 1, version: 1, line_count: 1, budget_type: 'annual' });
    const put2 = await t.call('PUT', `/templates/${v1.template_id}`, token, {
      version: 1,
      lines: [lineBody({ amount: '200.00' }), lineBody({ line_name: 'Rent', amount: '50.00' })],
      comment: 'two lines',
    });
    expect(put2.statusCode).toBe(200);
    expect(put2.json()).toMatchObject({ current_version: 2, version: 2, line_count: 2 });
    const put3 = await t.call('PUT', `/templates/${v1.template_id}`, token, {
      version: 2,
      name: `${v1.name} renamed`,
      defaults: { budget_type: 'quarterly', base_currency: 'USD' },
    });
    expect(put3.statusCode).toBe(200);
    expect(put3.json()).toMatchObject({ current_version: 3, budget_type: 'quarterly', line_count: 2 });

    const list = await t.call('GET', `/templates/${v1.template_id}/versions`, token);
    expect(list.json().items.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    const bodies = await Promise.all(
      [1, 2, 3].map(async (v) =>
        (await t.call('GET', `/templates/${v1.template_id}/versions/${v}`, token)).json(),
      ),
    );
    expect(bodies[0]).toMatchObject({ version: 1, comment: 'first', name: v1.name, line_count: 1 });
    expect(bodies[0].lines[0].amount).toBe('100.00');
    expect(bodies[1]).toMatchObject({ version: 2, comment: 'two lines', line_count: 2 });
    expect(bodies[1].defaults.budget_type).toBe('annual');
    expect(bodies[2]).toMatchObject({ version: 3, name: `${v1.name} renamed` });
    expect(bodies[2].defaults).toEqual({ budget_type: 'quarterly', base_currency: 'USD' });
    expect(bodies[2].lines).toEqual(bodies[1].lines);
    const missing = await t.call('GET', `/templates/${v1.template_id}/versions/4`, token);
    expect(missing.statusCode).toBe(404);
  });

  it('creates budgets from v1 and from the current version, recording template id and version', async () => {
    const tpl = await create();
    await t.call('PUT', `/templates/${tpl.template_id}`, token, {
      version: 1,
      lines: [
        lineBody({ amount: '300.00', quantity: '3', unit_cost: '100.00' }),
        lineBody({ amount: '0.01' }),
      ],
    });
    const fromV1 = await t.call('POST', `/templates/${tpl.template_id}/budgets`, token, {
      template_version: 1,
      budget_name: `From v1 ${n}`,
      fiscal_year: year,
    });
    expect(fromV1.statusCode).toBe(201);
    expect(fromV1.json()).toMatchObject({
      template_id: tpl.template_id,
      template_version: 1,
      status: 'draft',
      budget_type: 'annual',
      base_currency: 'EUR',
      department_id: 'ops',
      total_amount: '0.00',
    });
    expect(fromV1.json().totals).toMatchObject({ expense: '100.00', line_count: 1 });

    const fromCurrent = await t.call('POST', `/templates/${tpl.template_id}/budgets`, token, {
      budget_name: `From current ${n}`,
      fiscal_year: year,
      base_currency: 'CHF',
      total_amount: '5000.00',
      department_id: null,
    });
    expect(fromCurrent.statusCode).toBe(201);
    const b = fromCurrent.json();
    expect(b).toMatchObject({
      template_version: 2,
      base_currency: 'CHF',
      total_amount: '5000.00',
      department_id: null,
    });
    expect(b.totals).toMatchObject({ expense: '300.01', line_count: 2 });
    const full = await t.call('GET', `/budgets/${b.budget_id}?include_lines=true`, token);
    expect(full.json().budget_lines.map((l: { quantity: string | null }) => l.quantity)).toContain('3.0000');
  });

  it('refuses a budget from a template without required defaults, or a missing version, and stores nothing', async () => {
    const tpl = await create({ defaults: {} });
    const before = (await t.call('GET', '/budgets?limit=500', token)).json().items.length;
    const noType = await t.call('POST', `/templates/${tpl.template_id}/budgets`, token, {
      budget_name: 'No defaults',
      fiscal_year: year,
    });
    expect(noType.statusCode).toBe(400);
    expect(noType.json().errors.map((e: { path: string }) => e.path)).toEqual([
      'budget_type',
      'base_currency',
    ]);
    const noVersion = await t.call('POST', `/templates/${tpl.template_id}/budgets`, token, {
      template_version: 9,
      budget_name: 'No version',
      fiscal_year: year,
      budget_type: 'annual',
      base_currency: 'USD',
    });
    expect(noVersion.statusCode).toBe(404);
    expect(noVersion.json().errors[0].path).toBe('template_version');
    const dup = await t.call('POST', `/templates/${tpl.template_id}/budgets`, token, {
      budget_name: 'Twice',
      fiscal_year: year,
      budget_type: 'annual',
      base_currency: 'USD',
    });
    expect(dup.statusCode).toBe(201);
    const again = await t.call('POST', `/templates/${tpl.template_id}/budgets`, token, {
      budget_name: 'twice',
      fiscal_year: year,
      budget_type: 'annual',
      base_currency: 'USD',
    });
    expect(again.statusCode).toBe(409);
    expect((await t.call('GET', '/budgets?limit=500', token)).json().items.length).toBe(before + 1);
  });

  it('refuses a duplicate name case-insensitively with 409, also on rename; deleting frees it', async () => {
    const a = await create({ name: 'Opex Standard' });
    const dup = await t.call('POST', '/templates', token, templateBody({ name: '  OPEX standard ' }));
    expect(dup.statusCode).toBe(409);
    expect(dup.json().errors[0]).toMatchObject({ path: 'name', code: 'duplicate_template_name' });
    const b = await create({ name: 'Capex Standard' });
    const rename = await t.call('PUT', `/templates/${b.template_id}`, token, {
      version: 1,
      name: 'opex STANDARD',
    });
    expect(rename.statusCode).toBe(409);
    const del = await t.call('DELETE', `/templates/${a.template_id}`, token);
    expect(del.statusCode).toBe(200);
    expect((await t.call('GET', `/templates/${a.template_id}`, token)).statusCode).toBe(404);
    expect(
      (await t.call('POST', '/templates', token, templateBody({ name: 'Opex Standard' }))).statusCode,
    ).toBe(201);
  });

  it('refuses a stale version with 409 and the current version, writing no new version', async () => {
    const tpl = await create();
    expect(
      (await t.call('PUT', `/templates/${tpl.template_id}`, token, { version: 1, comment: 'x' })).statusCode,
    ).toBe(200);
    const stale = await t.call('PUT', `/templates/${tpl.template_id}`, token, { version: 1, comment: 'y' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().current_version).toBe(2);
    const versions = await t.call('GET', `/templates/${tpl.template_id}/versions`, token);
    expect(versions.json().items).toHaveLength(2);
  });

  it.each([
    [
      'a line with a negative amount',
      { lines: [lineBody({ amount: '-1.00' })] },
      'lines.0.amount',
      'too_small',
    ],
    [
      'a line whose amount is not quantity x unit cost',
      { lines: [lineBody({ amount: '1.00', quantity: '2', unit_cost: '3.00' })] },
      'lines.0.amount',
      'amount_mismatch',
    ],
    [
      'a seasonal line without a profile',
      { lines: [lineBody({ spread_method: 'seasonal' })] },
      'lines.0.spread_profile',
      'required_for_seasonal',
    ],
    ['an unknown default', { defaults: { colour: 'red' } }, 'defaults.colour', 'unknown_field'],
    ['a short name', { name: 'ab' }, 'name', 'too_small'],
  ])('rejects %s with a field error', async (_name, patch, path, code) => {
    const res = await t.call('POST', '/templates', token, templateBody(patch));
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toContainEqual(expect.objectContaining({ path, code }));
  });

  it('accepts spread methods and profiles on template lines and keeps them in the version', async () => {
    const profile = Array.from({ length: 12 }, (_, i) => String(i + 1));
    const tpl = await create({
      lines: [
        lineBody({ spread_method: 'seasonal', spread_profile: profile }),
        lineBody({ spread_method: 'even' }),
      ],
    });
    const got = await t.call('GET', `/templates/${tpl.template_id}`, token);
    expect(got.json().lines[0]).toMatchObject({
      spread_method: 'seasonal',
      spread_profile: profile.map((w) => `${w}.000000`),
    });
  });

  it('refuses more lines than MAX_BUDGET_LINES', async () => {
    const small = await startTestApp(backend, { MAX_BUDGET_LINES: '2' });
    try {
      const tk = await small.token(newTenant());
      const res = await small.call(
        'POST',
        '/templates',
        tk,
        templateBody({ lines: [lineBody(), lineBody(), lineBody()] }),
      );
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0]).toMatchObject({ path: 'lines', code: 'too_big' });
    } finally {
      await small.close();
    }
  });

  it('lists templates with filters and audits every mutation', async () => {
    const tpl = await create({ name: 'Audited template', description: 'needle' });
    await t.call('PUT', `/templates/${tpl.template_id}`, token, { version: 1, comment: 'c' });
    await t.call('POST', `/templates/${tpl.template_id}/budgets`, token, {
      budget_name: 'Audited budget',
      fiscal_year: year,
    });
    await t.call('DELETE', `/templates/${tpl.template_id}?version=2`, token);
    const audit = await t.call('GET', `/audit?entity_type=template&entity_id=${tpl.template_id}`, token);
    expect(
      audit
        .json()
        .items.map((a: { action: string }) => a.action)
        .sort(),
    ).toEqual(['template.budget_created', 'template.created', 'template.soft_deleted', 'template.updated']);
    const live = await create({ name: 'Listed template', description: 'haystack NEEDLE' });
    const list = await t.call('GET', '/templates?text=needle&limit=500', token);
    expect(list.json().items.map((x: { template_id: string }) => x.template_id)).toEqual([live.template_id]);
    expect(list.json().items[0].line_count).toBe(1);
  });

  it('hides another tenant’s templates (404 on every route) and lets a viewer read but not write', async () => {
    const tpl = await create();
    const other = await t.token(newTenant());
    const id = tpl.template_id;
    const attacks: [string, string, unknown?][] = [
      ['GET', `/templates/${id}`],
      ['PUT', `/templates/${id}`, { version: 1, comment: 'x' }],
      ['DELETE', `/templates/${id}`],
      ['GET', `/templates/${id}/versions`],
      ['GET', `/templates/${id}/versions/1`],
      ['POST', `/templates/${id}/budgets`, { budget_name: 'Stolen', fiscal_year: year }],
    ];
    for (const [method, path, body] of attacks) {
      const res = await t.call(method, path, other, body);
      expect(res.statusCode, `${method} ${path}`).toBe(404);
    }
    expect((await t.call('GET', '/templates?limit=500', other)).json().items).toHaveLength(0);

    const viewer = await t.token(tenant, { roles: ['viewer'], user: 'viewer-1' });
    for (const path of [`/templates/${id}`, `/templates/${id}/versions`, `/templates/${id}/versions/1`]) {
      expect((await t.call('GET', path, viewer)).statusCode, path).toBe(200);
    }
    for (const [method, path, body] of [
      ['POST', '/templates', templateBody()],
      ['PUT', `/templates/${id}`, { version: 1 }],
      ['DELETE', `/templates/${id}`],
      ['POST', `/templates/${id}/budgets`, { budget_name: 'Nope', fiscal_year: year }],
    ] as [string, string, unknown?][]) {
      expect((await t.call(method, path, viewer, body)).statusCode, `${method} ${path}`).toBe(403);
    }
    const writerWithoutRead = await t.token(tenant, { permissions: ['budgets:write'] });
    const res = await t.call('POST', `/templates/${id}/budgets`, writerWithoutRead, {
      budget_name: 'Writer only',
      fiscal_year: year,
    });
    expect(res.statusCode).toBe(403);
  });
});
