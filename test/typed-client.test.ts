/**
 * A client built from the generated types (src/shared/api-types.ts) with openapi-fetch, over a
 * real listening server: what the web application will do. `npm run check` type-checks this
 * file, so the expectTypeOf lines and the @ts-expect-error prove the types are the API's.
 */
import type { AddressInfo } from 'node:net';
import createClient, { type Client } from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { components, paths } from '../src/shared/api-types.ts';
import { newTenant, startTestApp, type TestApp } from './helpers/app.ts';
import { backends } from './helpers/databases.ts';

type Budget = components['schemas']['Budget'];
type ApiError = components['schemas']['Error'];

describe.each(backends())('a typed client over a real socket (%s)', (backend) => {
  let t: TestApp;
  let baseUrl: string;
  let client: Client<paths>;

  beforeAll(async () => {
    t = await startTestApp(backend);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const token = await t.token(newTenant());
    client = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${token}` } });
  });
  afterAll(() => t?.close());

  it('creates a budget, reads it back with its lines, and gets 409 for a stale version', async () => {
    const created = await client.POST('/api/budgeting-forecasting/budgets', {
      body: {
        budget_name: 'FY2027 Operating',
        budget_type: 'annual',
        fiscal_year: String(new Date().getUTCFullYear() + 1),
        total_amount: '1200000.00',
        base_currency: 'USD',
        budget_lines: [
          { line_name: 'Salaries', line_type: 'expense', category: 'people', amount: '850000.00' },
        ],
      },
    });
    expect(created.response.status).toBe(201);
    expectTypeOf(created.data).toEqualTypeOf<Budget | undefined>();
    const budget = created.data!;
    expectTypeOf(budget.total_amount).toEqualTypeOf<string>();
    expect(budget).toMatchObject({ total_amount: '1200000.00', version: 1, status: 'draft' });

    const read = await client.GET('/api/budgeting-forecasting/budgets/{id}', {
      params: { path: { id: budget.budget_id }, query: { include_lines: true } },
    });
    expect(read.response.status).toBe(200);
    expect(read.data?.budget_name).toBe('FY2027 Operating');
    expect(read.data?.budget_lines?.map((l) => [l.line_name, l.amount])).toEqual([['Salaries', '850000.00']]);

    const update = (version: number) =>
      client.PUT('/api/budgeting-forecasting/budgets/{id}', {
        params: { path: { id: budget.budget_id } },
        body: { version, notes: `edited from version ${version}` },
      });
    const first = await update(1);
    expect(first.response.status).toBe(200);
    expect(first.data?.version).toBe(2);

    const stale = await update(1);
    expect(stale.response.status).toBe(409);
    expect(stale.data).toBeUndefined();
    expectTypeOf(stale.error).toEqualTypeOf<ApiError | undefined>();
    expect(stale.error).toMatchObject({ code: 'version_conflict', current_version: 2 });
    expect(stale.error?.errors[0]).toMatchObject({ path: 'version', code: 'stale_version' });
  });

  it('answers a request the types allow but the rules refuse with the typed error shape', async () => {
    const res = await client.POST('/api/budgeting-forecasting/budgets', {
      body: {
        budget_name: 'x',
        budget_type: 'annual',
        fiscal_year: '2027',
        total_amount: '1.00',
        base_currency: 'USD',
      },
    });
    expect(res.response.status).toBe(400);
    expect(res.error?.errors.map((e) => e.path)).toContain('budget_name');
  });

  it('rejects at compile time what the API would reject (an unknown budget_type, an unknown path)', () => {
    // Only the types are under test here: the calls are never made.
    const neverCalled = () => {
      void client.POST('/api/budgeting-forecasting/budgets', {
        body: {
          budget_name: 'Typed',
          // @ts-expect-error budget_type is one of the documented values
          budget_type: 'weekly',
          fiscal_year: '2027',
          total_amount: '1200.00',
          base_currency: 'USD',
        },
      });
      // @ts-expect-error there is no such path
      void client.GET('/api/budgeting-forecasting/budget');
    };
    expect(typeof neverCalled).toBe('function');
  });
});
