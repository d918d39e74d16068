import { describe, expect, it } from 'vitest';
import { parseAmountNumber, parseAmountText } from './imports.amounts.ts';
import {
  type DateOrderState,
  type PeriodFormat,
  parsePeriodDate,
  parsePeriodText,
} from './imports.periods.ts';

describe('amounts as accounting systems write them', () => {
  it.each([
    ['1234.56', '.', '1234.56', ['plain']],
    ['1,234.56', '.', '1234.56', ['thousands_separator']],
    ['1,234,567.8', '.', '1234567.80', ['thousands_separator']],
    ["1'234.50", '.', '1234.50', ['thousands_separator']],
    ['1 234.50', '.', '1234.50', ['thousands_separator']],
    ['1.234,56', ',', '1234.56', ['thousands_separator']],
    ['1 234,56', ',', '1234.56', ['thousands_separator']],
    ['12,5', ',', '12.50', ['plain']],
    ['.5', '.', '0.50', ['plain']],
    ['-1,234.56', '.', '-1234.56', ['leading_minus', 'thousands_separator']],
    ['(1,234.56)', '.', '-1234.56', ['parentheses', 'thousands_separator']],
    ['1234.56-', '.', '-1234.56', ['trailing_minus']],
    ['1.234,56-', ',', '-1234.56', ['trailing_minus', 'thousands_separator']],
    ['+12', '.', '12.00', ['plain']],
    ['$1,234.56', '.', '1234.56', ['currency_symbol', 'thousands_separator']],
    ['-$12.00', '.', '-12.00', ['leading_minus', 'currency_symbol']],
    ['($12.00)', '.', '-12.00', ['parentheses', 'currency_symbol']],
    ['1.234,56 €', ',', '1234.56', ['currency_symbol', 'thousands_separator']],
    ['£0.99', '.', '0.99', ['currency_symbol']],
    ['US$5', '.', '5.00', ['currency_symbol']],
    ['0', '.', '0.00', ['plain']],
    ['-0.00', '.', '0.00', ['leading_minus']],
    ['999,999,999,999.99', '.', '999999999999.99', ['thousands_separator']],
  ] as const)('%s with "%s" decimals reads as %s', (raw, decimal, value, features) => {
    expect(parseAmountText(raw, decimal)).toMatchObject({ ok: true, value, features });
  });

  it.each([
    ['USD 12', '12.00', 'USD'],
    ['12 EUR', '12.00', 'EUR'],
    ['(USD 1,234.56)', '-1234.56', 'USD'],
    ['EUR -5', '-5.00', 'EUR'],
  ])('%s names its currency', (raw, value, currency) => {
    expect(parseAmountText(raw, '.')).toMatchObject({
      ok: true,
      value,
      currency,
      features: expect.arrayContaining(['currency_code']),
    });
  });

  it.each([
    ['', 'required'],
    ['   ', 'required'],
    ['ten', 'invalid_amount'],
    ['12.3.4', 'invalid_amount'],
    ['1.001', 'invalid_amount'],
    ['12,5', 'invalid_amount'],
    ['1.234,56', 'invalid_amount'],
    ['1,23,456.00', 'invalid_amount'],
    ['(-5)', 'invalid_amount'],
    ['-5-', 'invalid_amount'],
    ['USD 5 EUR', 'invalid_amount'],
    ['1,000,000,000,000.00', 'out_of_range'],
  ])('"%s" with "." decimals is refused (%s)', (raw, code) => {
    expect(parseAmountText(raw, '.')).toMatchObject({ ok: false, code });
  });

  it('hints at decimal_separator when a comma-decimal amount meets the default', () => {
    const r = parseAmountText('1.234,56', '.');
    expect(r.ok === false && r.message).toContain('set decimal_separator to ","');
  });

  it('numeric spreadsheet cells are exact when they can be, rounded half-up to the cent when not', () => {
    expect(parseAmountNumber(1234.5)).toMatchObject({
      ok: true,
      value: '1234.50',
      features: ['numeric_cell'],
    });
    expect(parseAmountNumber(0.1 + 0.2)).toMatchObject({
      ok: true,
      value: '0.30',
      features: ['rounded_numeric_cell'],
    });
    expect(parseAmountNumber(-2.675)).toMatchObject({ ok: true, value: '-2.68' });
    expect(parseAmountNumber(Number.NaN)).toMatchObject({ ok: false, code: 'invalid_amount' });
  });
});

describe('periods', () => {
  const read = (raw: string, format: PeriodFormat = 'auto', state: DateOrderState = {}) =>
    parsePeriodText(raw, format, state, 7);

  it.each([
    ['2026-03', '2026-03-01', 'YYYY-MM'],
    ['2026/3', '2026-03-01', 'YYYY-MM'],
    ['2026-03-15', '2026-03-01', 'YYYY-MM-DD'],
    ['2026-03-15T10:00:00Z', '2026-03-01', 'YYYY-MM-DD'],
    ['03/2026', '2026-03-01', 'MM/YYYY'],
    ['3.2026', '2026-03-01', 'MM/YYYY'],
    ['Mar-2026', '2026-03-01', 'MMM-YYYY'],
    ['march 2026', '2026-03-01', 'MMM-YYYY'],
    ['Sept-26', '2026-09-01', 'MMM-YYYY'],
    ['2026-Mar', '2026-03-01', 'YYYY-MMM'],
    ['2026M03', '2026-03-01', 'YYYYMmm'],
    ['2026M3', '2026-03-01', 'YYYYMmm'],
    ['202603', '2026-03-01', 'YYYYMM'],
    ['15/03/2026', '2026-03-01', 'DD/MM/YYYY'],
    ['03/15/2026', '2026-03-01', 'MM/DD/YYYY'],
    ['03/03/2026', '2026-03-01', 'DD/MM/YYYY'],
  ])('%s reads as %s (%s)', (raw, period, form) => {
    expect(read(raw)).toEqual({ ok: true, period, form });
  });

  it.each([
    ['', 'required'],
    ['2026-13', 'invalid_period'],
    ['2026-02-30', 'invalid_period'],
    ['Foo-2026', 'invalid_period'],
    ['1850-01', 'invalid_period'],
    ['yesterday', 'invalid_period'],
    ['04/03/2026', 'ambiguous_period'],
  ])('"%s" is refused (%s)', (raw, code) => {
    expect(read(raw)).toMatchObject({ ok: false, code });
  });

  it('a declared day-first or month-first format decides 04/03/2026', () => {
    expect(read('04/03/2026', 'DD/MM/YYYY')).toMatchObject({ ok: true, period: '2026-03-01' });
    expect(read('04/03/2026', 'MM/DD/YYYY')).toMatchObject({ ok: true, period: '2026-04-01' });
    expect(read('2026-03', 'MM/DD/YYYY')).toMatchObject({ ok: false, code: 'invalid_period' });
  });

  it('in auto, the first unambiguous date fixes the order for the rest of the file', () => {
    const state: DateOrderState = {};
    expect(read('25/12/2026', 'auto', state)).toMatchObject({ ok: true, period: '2026-12-01' });
    expect(state).toEqual({ order: 'day_first', decidedAt: 7 });
    expect(read('04/03/2026', 'auto', state)).toMatchObject({ ok: true, period: '2026-03-01' });
    expect(read('12/25/2026', 'auto', state)).toMatchObject({ ok: false, code: 'invalid_period' });
  });

  it('a declared format accepts only its own form', () => {
    expect(read('2026M03', 'YYYYMmm')).toMatchObject({ ok: true });
    expect(read('2026-03', 'YYYYMmm')).toMatchObject({
      ok: false,
      message: expect.stringContaining('period_format YYYYMmm'),
    });
  });

  it('spreadsheet date cells read in UTC', () => {
    expect(parsePeriodDate(new Date(Date.UTC(2026, 2, 31)))).toEqual({
      ok: true,
      period: '2026-03-01',
      form: 'date_cell',
    });
  });
});
