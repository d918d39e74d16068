import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { queryRows } from '../../platform/db/client.ts';
import { API_PREFIX } from '../../platform/http/types.ts';
import { tenantIdFromKey, withTenant } from '../../platform/tenancy/tenancy.ts';
import { assertFxCoverage, fxConvertedAmount, fxRateLateral } from './fx.sql.ts';

describe.each(backends())('FX rates on %s', (backend) => {
  let t: TestApp;
  let tenant: string;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    tenant = newTenant();
    token = await t.token(tenant);
    const res = await t.call('PUT', '/fx-rates', token, {
      rates: [
        { period: '2026-01', from: 'EUR', to: 'USD', rate: '1.1', source: 'ECB' },
        { period: '2026-03-01', from: 'EUR', to: 'USD', rate: '1.2' },
        { period: '2026-02', from: 'USD', to: 'GBP', rate: '0.8' },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
  });
  afterAll(() => t?.close());

  const convert = (q: string, tok = token) => t.call('GET', `/fx-rates/convert?${q}`, tok);

  it.each([
    [
      'the month’s own rate',
      'amount=100.00&from=EUR&to=USD&period=2026-03',
      '120.00',
      '1.2000000000',
      '2026-03-01',
      false,
    ],
    [
      'a missing month uses the most recent earlier month',
      'amount=100.00&from=EUR&to=USD&period=2026-02',
      '110.00',
      '1.1000000000',
      '2026-01-01',
      false,
    ],
    [
      'months after the last rate keep using it',
      'amount=-10.01&from=EUR&to=USD&period=2027-12',
      '-12.01',
      '1.2000000000',
      '2026-03-01',
      false,
    ],
    [
      'the reverse pair is used inverted',
      'amount=100.00&from=GBP&to=USD&period=2026-05',
      '125.00',
      '1.2500000000',
      '2026-02-01',
      true,
    ],
    ['the same currency is rate 1', 'amount=7.50&from=USD&to=USD&period=1999-01', '7.50', '1', null, false],
  ])('%s', async (_name, q, converted, rate, ratePeriod, inverted) => {
    const res = await convert(q);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      converted_amount: converted,
      rate,
      rate_period: ratePeriod,
      rate_inverted: inverted,
    });
  });

  it('no rate in the period or before is a 422 naming the pair and the period', async () => {
    const res = await convert('amount=1.00&from=EUR&to=USD&period=2025-12');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'fx_rate_missing',
      message: expect.stringContaining('no FX rate for EUR→USD in 2025-12 or any earlier month'),
    });
  });

  it('the SQL helpers convert in the database and check coverage for other modules', async () => {
    await withTenant(t.platform.database.db, tenantIdFromKey(tenant), async (tx) => {
      const source = sql`SELECT * FROM (VALUES ('EUR'::varchar, '2026-02-01'::date, 10.00::numeric), ('USD', '2020-01-01', 5.00)) v(currency, period, amount)`;
      const rows = await queryRows<{ base: string; rate_period: string | null }>(
        tx,
        sql`SELECT ${fxConvertedAmount(sql`s.amount`, sql`fx.rate`)}::text AS base, fx.rate_period::text AS rate_period
            FROM (${source}) s LEFT JOIN LATERAL ${fxRateLateral(sql`s.currency`, sql`s.period`, sql`${'USD'}`)} fx ON true ORDER BY s.currency`,
      );
      expect(rows).toEqual([
        { base: '11.00', rate_period: '2026-01-01' },
        { base: '5.00', rate_period: null },
      ]);
      await assertFxCoverage(tx, source, 'USD');
      await expect(
        assertFxCoverage(tx, sql`SELECT 'JPY'::varchar AS currency, '2026-04-01'::date AS period`, 'USD'),
      ).rejects.toMatchObject({
        code: 'fx_rate_missing',
        message: expect.stringContaining('JPY→USD in 2026-04'),
      });
    });
  });

  it('lists rates newest month first with filters and cursor pagination', async () => {
    const page = (await t.call('GET', '/fx-rates?limit=2', token)).json();
    expect(page.items.map((r: { period: string; from: string }) => `${r.period} ${r.from}`)).toEqual([
      '2026-03-01 EUR',
      '2026-02-01 USD',
    ]);
    const next = (await t.call('GET', `/fx-rates?limit=2&cursor=${page.next_cursor}`, token)).json();
    expect(next.items).toMatchObject([
      { period: '2026-01-01', from: 'EUR', to: 'USD', rate: '1.1000000000', source: 'ECB' },
    ]);
    expect(next.next_cursor).toBeNull();
    const filtered = (await t.call('GET', '/fx-rates?from=USD&to=GBP', token)).json();
    expect(filtered.items).toHaveLength(1);
  });

  it.each([
    ['zero rate', { period: '2026-01', from: 'EUR', to: 'CHF', rate: '0' }, 'rates.0.rate'],
    ['same currency', { period: '2026-01', from: 'EUR', to: 'EUR', rate: '1' }, 'rates.0.to'],
    ['bad month', { period: '2026-13', from: 'EUR', to: 'CHF', rate: '1' }, 'rates.0.period'],
    ['11 decimals', { period: '2026-01', from: 'EUR', to: 'CHF', rate: '1.00000000001' }, 'rates.0.rate'],
  ])('refuses a %s', async (_name, rate, path) => {
    const res = await t.call('PUT', '/fx-rates', token, { rates: [rate] });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe(path);
  });

  it('imports rates from CSV, all or nothing, errors by row number', async () => {
    const post = (csv: string) =>
      t.app.inject({
        method: 'POST',
        url: `${API_PREFIX}/fx-rates/imports`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
        payload: csv,
      });
    const bad = await post('period,from,to,rate\n2026-04,CHF,USD,1.13\n2026-04,chf,usd,-1\n');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0]).toMatchObject({
      path: 'rows.3.rate',
      message: expect.stringMatching(/^row 3: rate/),
    });
    expect((await convert('amount=1.00&from=CHF&to=USD&period=2026-04')).statusCode).toBe(422);
    const ok = await post('Period;From;To;Rate;Source\n2026-04;chf;usd;1.13;SNB\n');
    expect(ok.json()).toEqual({ upserted: 1 });
    expect((await convert('amount=100.00&from=CHF&to=USD&period=2026-04')).json().converted_amount).toBe(
      '113.00',
    );
  });

  it('another tenant sees none of the rates and cannot delete them (404)', async () => {
    const other = await t.token(newTenant());
    expect((await t.call('GET', '/fx-rates', other)).json().items).toEqual([]);
    expect((await convert('amount=1.00&from=EUR&to=USD&period=2026-03', other)).statusCode).toBe(422);
    expect((await t.call('DELETE', '/fx-rates?period=2026-03&from=EUR&to=USD', other)).statusCode).toBe(404);
    expect((await t.call('DELETE', '/fx-rates?period=2026-03&from=EUR&to=USD', token)).statusCode).toBe(204);
  });
});
